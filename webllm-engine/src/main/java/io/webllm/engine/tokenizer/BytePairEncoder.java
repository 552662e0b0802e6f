package io.webllm.engine.tokenizer;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = gpt2}): the text is split into words by the pre-tokenizer, each
 * word's UTF-8 bytes start as one symbol per byte, and neighbouring symbols are merged lowest merge rank first
 * (leftmost first on ties) until no listed merge applies, as llama.cpp's {@code llm_tokenizer_bpe_session} and
 * Hugging Face's BPE model do. Symbols form a linked list and candidate merges wait in a priority queue, so a long
 * word costs O(n log n), not a rescan per merge.
 *
 * <p>Words repeat a lot in real text, so finished words are cached (bounded; cleared when full).
 */
final class BytePairEncoder implements TextEncoder {

    private static final int CACHE_LIMIT = 1 << 16;
    private static final int MAX_CACHED_WORD = 64;

    private final PreTokenizer preTokenizer;
    private final BytesToIdMap vocabulary;
    private final MergeTable merges;
    private final int[] byteTokens;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param vocabulary raw bytes of the tokens that merging may produce
     * @param merges     merge table over token ids
     * @param byteTokens the token of each single byte, or -1
     */
    BytePairEncoder(PreTokenizer preTokenizer, BytesToIdMap vocabulary, MergeTable merges, int[] byteTokens) {
        this.preTokenizer = preTokenizer;
        this.vocabulary = vocabulary;
        this.merges = merges;
        this.byteTokens = byteTokens;
    }

    @Override
    public void encode(String text, boolean atStart, IntList out) {
        int[] words = preTokenizer.split(text);
        Session session = new Session();
        for (int w = 0; w < words.length; w += 2) {
            int start = words[w];
            int end = words[w + 1];
            if (end - start > MAX_CACHED_WORD) {
                session.encodeWord(text, start, end, out);
                continue;
            }
            String word = text.substring(start, end);
            int[] cached = cache.get(word);
            if (cached == null) {
                int before = out.size();
                session.encodeWord(text, start, end, out);
                if (cache.size() >= CACHE_LIMIT) {
                    cache.clear();
                }
                cache.put(word, out.toArray(before));
            } else {
                out.addAll(cached);
            }
        }
    }

    /** Per-call scratch space: the encoder itself is shared between threads. */
    private final class Session {

        private byte[] bytes = new byte[256];
        private final int[] length = new int[1];
        private int[] ids = new int[64];
        private int[] sizes = new int[64];
        private int[] prev = new int[64];
        private int[] next = new int[64];
        private final BigramQueue queue = new BigramQueue();

        void encodeWord(String text, int start, int end, IntList out) {
            bytes = Utf8.encode(text, start, end, bytes, length);
            int n = length[0];
            if (preTokenizer.ignoreMerges()) {
                int whole = vocabulary.get(bytes, 0, n);
                if (whole >= 0) {
                    out.add(whole);
                    return;
                }
            }
            if (ids.length < n) {
                int capacity = Math.max(n, ids.length * 2);
                ids = new int[capacity];
                sizes = new int[capacity];
                prev = new int[capacity];
                next = new int[capacity];
            }
            // one symbol per byte: each byte of a byte-level vocabulary is a token of its own
            for (int i = 0; i < n; i++) {
                ids[i] = byteTokens[bytes[i] & 0xFF];
                sizes[i] = 1;
                prev[i] = i - 1;
                next[i] = i + 1 < n ? i + 1 : -1;
            }
            queue.clear();
            for (int i = 0; i + 1 < n; i++) {
                offer(i, i + 1);
            }
            while (!queue.isEmpty()) {
                int entry = queue.pop();
                int left = queue.left(entry);
                int right = queue.right(entry);
                // stale: one side was merged away or grew since this pair was queued
                if (sizes[left] == 0 || sizes[right] == 0 || sizes[left] + sizes[right] != queue.size(entry)) {
                    continue;
                }
                ids[left] = MergeTable.merged(merges.get(ids[left], ids[right]));
                sizes[left] += sizes[right];
                sizes[right] = 0;
                next[left] = next[right];
                if (next[right] >= 0) {
                    prev[next[right]] = left;
                }
                if (prev[left] >= 0) {
                    offer(prev[left], left);
                }
                if (next[left] >= 0) {
                    offer(left, next[left]);
                }
            }
            int offset = 0;
            for (int i = 0; i >= 0 && i < n; i = next[i]) {
                if (ids[i] >= 0) {
                    out.add(ids[i]);
                } else {
                    // no token for this symbol: emit its bytes one by one, skipping bytes without a token
                    for (int b = offset; b < offset + sizes[i]; b++) {
                        int single = byteTokens[bytes[b] & 0xFF];
                        if (single >= 0) {
                            out.add(single);
                        }
                    }
                }
                offset += sizes[i];
            }
        }

        private void offer(int left, int right) {
            if (ids[left] < 0 || ids[right] < 0) {
                return;
            }
            long merge = merges.get(ids[left], ids[right]);
            if (merge >= 0) {
                queue.push(MergeTable.rank(merge), left, right, sizes[left] + sizes[right]);
            }
        }
    }
}
