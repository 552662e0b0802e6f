package io.webllm.engine.grammar;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A grammar bound to a vocabulary: the per-position token masks are computed on first use and cached here, so
 * every request with the same schema and vocabulary shares them. Thread-safe; create matchers with
 * {@link #newMatcher()}.
 *
 * <p>The cache holds at most {@link #DEFAULT_CACHE_BYTES} bytes of masks; positions beyond that budget are
 * analysed at every step instead (correct, only slower).
 */
public final class CompiledGrammar {

    /** Budget for cached position masks: 64 MiB is about 3,400 positions at a 150k vocabulary. */
    public static final long DEFAULT_CACHE_BYTES = 64L << 20;

    private final Grammar grammar;
    private final TokenTrie trie;
    private final ConcurrentHashMap<Integer, PositionMask> masks = new ConcurrentHashMap<>();
    private final AtomicLong cachedBytes = new AtomicLong();
    private final long cacheBudget;

    public CompiledGrammar(Grammar grammar, TokenTrie trie) {
        this(grammar, trie, DEFAULT_CACHE_BYTES);
    }

    public CompiledGrammar(Grammar grammar, TokenTrie trie, long cacheBudgetBytes) {
        this.grammar = grammar;
        this.trie = trie;
        this.cacheBudget = cacheBudgetBytes;
    }

    public Grammar grammar() {
        return grammar;
    }

    public TokenTrie trie() {
        return trie;
    }

    public GrammarMatcher newMatcher() {
        return new GrammarMatcher(this);
    }

    /** Number of positions whose masks are cached so far (for tests and statistics). */
    public int cachedPositions() {
        return masks.size();
    }

    PositionMask positionMask(int position) {
        PositionMask cached = masks.get(position);
        if (cached != null) {
            return cached;
        }
        PositionMask computed = analyse(position);
        if (cachedBytes.get() + computed.bytes() <= cacheBudget) {
            PositionMask previous = masks.putIfAbsent(position, computed);
            if (previous != null) {
                return previous;
            }
            cachedBytes.addAndGet(computed.bytes());
        }
        return computed;
    }

    /** Walks the whole trie from the position alone, sorting tokens into accepted, rejected and uncertain. */
    private PositionMask analyse(int position) {
        int nodes = trie.nodeCount();
        StackSet[] states = new StackSet[trie.maxDepth() + 1];
        boolean[] left = new boolean[trie.maxDepth() + 1];
        states[0] = StackSet.single(new Frame(position, Frame.CONTEXT));
        IntList accepted = new IntList();
        IntList uncertain = new IntList();
        int node = 1;
        while (node < nodes) {
            int depth = trie.nodeDepth(node);
            StackSet parentState = states[depth - 1];
            boolean leftBefore = left[depth - 1];
            StackSet state = parentState.advance(grammar, trie.nodeByte(node));
            int first = trie.nodeFirstToken(node);
            int here = trie.nodeTokensHere(node);
            if (state.canContinue() || state.leftContext()) {
                for (int i = first; i < first + here; i++) {
                    accepted.add(trie.sortedToken(i));
                }
            } else if (leftBefore) {
                uncertain.addRange(first, first + here);
            }
            boolean leftHere = leftBefore || state.leftContext();
            if (state.canContinue()) {
                states[depth] = state;
                left[depth] = leftHere;
                node++;
            } else {
                if (leftHere) {
                    uncertain.addRange(first + here, trie.nodeSubtreeEnd(node));
                }
                node = trie.nodeSkip(node);
            }
        }
        int[] ids = accepted.toArray();
        int[] sortedUncertain = uncertain.toArray();
        Arrays.sort(sortedUncertain);
        if (ids.length * 32L > trie.maskWords() * 64L) {
            long[] bits = new long[trie.maskWords()];
            for (int id : ids) {
                bits[id >>> 6] |= 1L << (id & 63);
            }
            return new PositionMask(bits, new int[0], sortedUncertain);
        }
        return new PositionMask(null, ids, sortedUncertain);
    }

    /**
     * Sets the bits of the uncertain tokens that the real stack {@code top} accepts. Tokens come in trie order,
     * so the states of a shared prefix are reused from the previous token.
     */
    void checkInContext(Frame top, int[] uncertain, long[] mask, StackSet[] states) {
        states[0] = StackSet.single(top);
        byte[] previous = null;
        int valid = 0; // states[0..valid] are computed for the prefix of `previous`
        for (int sortedIndex : uncertain) {
            int id = trie.sortedToken(sortedIndex);
            if ((mask[id >>> 6] & (1L << (id & 63))) != 0) {
                continue;
            }
            byte[] token = trie.sortedBytes(sortedIndex);
            int common = 0;
            if (previous != null) {
                int mismatch = Arrays.mismatch(previous, token);
                common = mismatch < 0 ? token.length : mismatch;
            }
            int depth = Math.min(common, valid);
            StackSet state = states[depth];
            while (depth < token.length && state.canContinue()) {
                state = state.advance(grammar, token[depth]);
                states[++depth] = state;
            }
            valid = depth;
            previous = token;
            if (depth == token.length && (state.canContinue() || state.complete())) {
                mask[id >>> 6] |= 1L << (id & 63);
            }
        }
    }
}
