package io.webllm.engine.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Follows one generation through a {@link CompiledGrammar}, byte by byte, and says which tokens may come next.
 *
 * <p>The state is a set of stacks of grammar positions (a pushdown automaton that may be ambiguous for a few
 * bytes, e.g. between enum values with a shared prefix). Stacks are immutable and shared, so {@link #copy()}
 * and {@link #rollback(int)} are cheap. Not thread-safe: one matcher per sequence.
 */
public final class GrammarMatcher {

    private final CompiledGrammar compiled;
    private final Grammar grammar;
    private final StackSet initial;
    private StackSet state;
    private boolean terminated;
    private final List<StackSet> history; // state before each accepted step
    private final List<Boolean> terminatedHistory;
    private final StackSet[] scratch;

    GrammarMatcher(CompiledGrammar compiled) {
        this.compiled = compiled;
        this.grammar = compiled.grammar();
        this.initial = StackSet.initial(grammar);
        this.state = initial;
        this.history = new ArrayList<>();
        this.terminatedHistory = new ArrayList<>();
        this.scratch = new StackSet[compiled.trie().maxDepth() + 1];
    }

    private GrammarMatcher(GrammarMatcher other) {
        this.compiled = other.compiled;
        this.grammar = other.grammar;
        this.initial = other.initial;
        this.state = other.state;
        this.terminated = other.terminated;
        this.history = new ArrayList<>(other.history);
        this.terminatedHistory = new ArrayList<>(other.terminatedHistory);
        this.scratch = new StackSet[other.scratch.length];
    }

    /**
     * Consumes {@code bytes} if all of them keep the output a valid prefix; otherwise changes nothing and
     * returns false. Bytes may end inside a UTF-8 sequence; the next call continues it.
     */
    public boolean acceptBytes(byte[] bytes) {
        if (terminated) {
            return false;
        }
        StackSet next = state.advance(grammar, bytes, 0);
        if (!next.canContinue() && !next.complete()) {
            return false;
        }
        push();
        state = next;
        return true;
    }

    /**
     * Consumes a token: its bytes, or for an end-of-generation token the end of the output, which is allowed
     * only when the value is complete. Control tokens without bytes are never allowed.
     */
    public boolean acceptToken(int tokenId) {
        if (terminated) {
            return false;
        }
        if (compiled.trie().isEndOfGeneration(tokenId)) {
            if (!state.complete()) {
                return false;
            }
            push();
            terminated = true;
            return true;
        }
        byte[] bytes = compiled.trie().tokenBytes(tokenId);
        return bytes.length > 0 && acceptBytes(bytes);
    }

    /**
     * Writes the allowed next tokens into {@code bitmask} (bit {@code id % 64} of word {@code id / 64}; set
     * means allowed). The array needs {@link TokenTrie#maskWords()} words; it is cleared first.
     */
    public void fillNextTokenMask(long[] bitmask) {
        int words = compiled.trie().maskWords();
        if (bitmask.length < words) {
            throw new IllegalArgumentException(
                    "token mask needs " + words + " words for the vocabulary but has " + bitmask.length);
        }
        Arrays.fill(bitmask, 0, words, 0L);
        if (terminated) {
            return;
        }
        Frame[] tops = state.tops();
        for (int i = 0; i < tops.length; i++) {
            int position = tops[i].position;
            PositionMask positionMask = compiled.positionMask(position);
            boolean seenPosition = false;
            for (int j = 0; j < i; j++) {
                if (tops[j].position == position) {
                    seenPosition = true;
                    break;
                }
            }
            if (!seenPosition) {
                positionMask.orInto(bitmask);
            }
            compiled.checkInContext(tops[i], positionMask.uncertain(), bitmask, scratch);
        }
        if (state.complete()) {
            for (int id : compiled.trie().endOfGenerationTokens()) {
                bitmask[id >>> 6] |= 1L << (id & 63);
            }
        }
    }

    /** Whether the output so far is a complete value (end of generation would be accepted). */
    public boolean isComplete() {
        return terminated || state.complete();
    }

    /** Whether an end-of-generation token has been accepted. */
    public boolean isTerminated() {
        return terminated;
    }

    /** Undoes the last {@code steps} successful {@code acceptBytes}/{@code acceptToken} calls. */
    public void rollback(int steps) {
        if (steps < 0 || steps > history.size()) {
            throw new IllegalArgumentException(
                    "can roll back between 0 and " + history.size() + " steps but was asked for " + steps);
        }
        for (int i = 0; i < steps; i++) {
            state = history.removeLast();
            terminated = terminatedHistory.removeLast();
        }
    }

    /** An independent matcher in the same state (cheap: stacks are shared). */
    public GrammarMatcher copy() {
        return new GrammarMatcher(this);
    }

    /** Back to the start of the output. */
    public void reset() {
        state = initial;
        terminated = false;
        history.clear();
        terminatedHistory.clear();
    }

    private void push() {
        history.add(state);
        terminatedHistory.add(terminated);
    }
}
