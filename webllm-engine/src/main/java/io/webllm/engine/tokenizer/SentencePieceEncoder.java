package io.webllm.engine.tokenizer;

import java.util.concurrent.ConcurrentHashMap;

/**
 * SentencePiece-style vocabularies ({@code tokenizer.ggml.model = llama}), encoded the way llama.cpp's
 * {@code llm_tokenizer_spm} does: spaces become {@code ▁} (with a leading one when the dummy prefix applies), the
 * text starts as one symbol per UTF-8 character, and the neighbouring pair whose concatenation is the
 * highest-scoring vocabulary piece is merged first (leftmost on ties) until no pair forms a piece. A symbol that
 * is not a piece falls back to its bytes as {@code <0xNN>} tokens.
 *
 * <p>llama.cpp runs the merge over the whole text at once. When no piece holds a {@code ▁} after another
 * character (true of Llama 2, Mistral and TinyLlama vocabularies), no merge can cross the start of a {@code ▁}-run,
 * so the text is cut there into words that are merged independently - with the same result - and cached.
 */
final class SentencePieceEncoder implements TextEncoder {

    private static final char SPACE_MARKER = '\u2581';
    private static final int CACHE_LIMIT = 1 << 16;
    private static final int MAX_CACHED_WORD = 64;

    private final BytesToIdMap vocabulary;
    private final float[] scores;
    private final int[] byteTokens;
    private final boolean addSpacePrefix;
    private final boolean wordsAreIndependent;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param vocabulary          UTF-8 bytes of the pieces that merging may produce
     * @param byteTokens          the {@code <0xNN>} token of each byte (or the single-byte piece), -1 where none
     * @param wordsAreIndependent no mergeable piece contains {@code ▁} after another character
     */
    SentencePieceEncoder(BytesToIdMap vocabulary, float[] scores, int[] byteTokens, boolean addSpacePrefix,
            boolean wordsAreIndependent) {
        this.vocabulary = vocabulary;
        this.scores = scores;
        this.byteTokens = byteTokens;
        this.addSpacePrefix = addSpacePrefix;
        this.wordsAreIndependent = wordsAreIndependent;
    }

    /** Whether a piece holds {@code ▁} after another character, so that merges may cross word starts. */
    static boolean spansWords(String piece) {
        for (int i = 1; i < piece.length(); i++) {
            if (piece.charAt(i) == SPACE_MARKER && piece.charAt(i - 1) != SPACE_MARKER) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void encode(String text, boolean atStart, IntList out) {
        StringBuilder escaped = new StringBuilder(text.length() + 1);
        if (addSpacePrefix && atStart) {
            escaped.append(SPACE_MARKER);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            escaped.append(c == ' ' ? SPACE_MARKER : c);
        }
        Session session = new Session();
        if (!wordsAreIndependent) {
            session.encodeRange(escaped, 0, escaped.length(), out);
            return;
        }
        int start = 0;
        for (int i = 1; i <= escaped.length(); i++) {
            boolean wordStart = i < escaped.length() && escaped.charAt(i) == SPACE_MARKER
                    && escaped.charAt(i - 1) != SPACE_MARKER;
            if (wordStart || i == escaped.length()) {
                encodeWord(session, escaped, start, i, out);
                start = i;
            }
        }
    }

    private void encodeWord(Session session, StringBuilder text, int start, int end, IntList out) {
        if (end - start > MAX_CACHED_WORD) {
            session.encodeRange(text, start, end, out);
            return;
        }
        String word = text.substring(start, end);
        int[] cached = cache.get(word);
        if (cached != null) {
            out.addAll(cached);
            return;
        }
        int before = out.size();
        session.encodeRange(text, start, end, out);
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(word, out.toArray(before));
    }

    /** Per-call scratch space: the encoder itself is shared between threads. */
    private final class Session {

        private byte[] bytes = new byte[256];
        private final int[] length = new int[1];
        private int[] start = new int[64];
        private int[] size = new int[64];
        private int[] prev = new int[64];
        private int[] next = new int[64];
        private final BigramQueue queue = new BigramQueue();

        void encodeRange(CharSequence text, int from, int to, IntList out) {
            bytes = Utf8.encode(text, from, to, bytes, length);
            int n = length[0];
            if (n == 0) {
                return;
            }
            if (start.length < n) {
                int capacity = Math.max(n, start.length * 2);
                start = new int[capacity];
                size = new int[capacity];
                prev = new int[capacity];
                next = new int[capacity];
            }
            // one symbol per UTF-8 character, linked so that a merge is O(1)
            int symbols = 0;
            for (int offset = 0; offset < n; ) {
                int charLength = Math.min(Utf8.sequenceLength(bytes[offset]), n - offset);
                start[symbols] = offset;
                size[symbols] = charLength;
                prev[symbols] = symbols - 1;
                next[symbols] = offset + charLength < n ? symbols + 1 : -1;
                symbols++;
                offset += charLength;
            }
            queue.clear();
            for (int i = 0; i + 1 < symbols; i++) {
                offer(i, i + 1);
            }
            while (!queue.isEmpty()) {
                int entry = queue.pop();
                int left = queue.left(entry);
                int right = queue.right(entry);
                if (size[left] == 0 || size[right] == 0 || size[left] + size[right] != queue.size(entry)) {
                    continue; // stale: a side was merged into something else since this pair was queued
                }
                size[left] += size[right];
                size[right] = 0;
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
            for (int i = 0; i >= 0; i = next[i]) {
                int id = vocabulary.get(bytes, start[i], size[i]);
                if (id >= 0) {
                    out.add(id);
                    continue;
                }
                for (int b = start[i]; b < start[i] + size[i]; b++) {
                    int byteToken = byteTokens[bytes[b] & 0xFF];
                    if (byteToken < 0) {
                        throw new TokenizerException(
                                "SentencePiece vocabulary has no byte-fallback token <0x%02X> for text it cannot piece"
                                        .formatted(bytes[b] & 0xFF));
                    }
                    out.add(byteToken);
                }
            }
        }

        private void offer(int left, int right) {
            int id = vocabulary.get(bytes, start[left], size[left] + size[right]);
            if (id >= 0) {
                queue.push(-scores[id], left, right, size[left] + size[right]);
            }
        }
    }
}
