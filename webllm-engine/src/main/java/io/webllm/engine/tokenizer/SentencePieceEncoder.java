package io.webllm.engine.tokenizer;

/**
 * SentencePiece-style vocabularies ({@code tokenizer.ggml.model = llama}), encoded the way llama.cpp's
 * {@code llm_tokenizer_spm} does: spaces become {@code ▁} (with a leading one when the dummy prefix applies), the
 * text starts as one symbol per UTF-8 character, and the neighbouring pair whose concatenation is the
 * highest-scoring vocabulary piece is merged first (leftmost on ties) until no pair forms a piece. A symbol that
 * is not a piece falls back to its bytes as {@code <0xNN>} tokens.
 */
final class SentencePieceEncoder implements TextEncoder {

    private static final char SPACE_MARKER = '\u2581';

    private final BytesToIdMap vocabulary;
    private final float[] scores;
    private final int[] byteTokens;
    private final boolean addSpacePrefix;

    /**
     * @param vocabulary UTF-8 bytes of the pieces that merging may produce
     * @param byteTokens the {@code <0xNN>} token of each byte (or the single-byte piece), -1 where there is none
     */
    SentencePieceEncoder(BytesToIdMap vocabulary, float[] scores, int[] byteTokens, boolean addSpacePrefix) {
        this.vocabulary = vocabulary;
        this.scores = scores;
        this.byteTokens = byteTokens;
        this.addSpacePrefix = addSpacePrefix;
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
        int[] length = new int[1];
        byte[] bytes = Utf8.encode(escaped, 0, escaped.length(), new byte[0], length);
        int n = length[0];
        if (n == 0) {
            return;
        }

        // one symbol per UTF-8 character, linked so merges are O(1)
        int[] start = new int[n];
        int[] size = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
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

        BigramQueue queue = new BigramQueue();
        for (int i = 0; i + 1 < symbols; i++) {
            offer(queue, bytes, start, size, i, i + 1);
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
                offer(queue, bytes, start, size, prev[left], left);
            }
            if (next[left] >= 0) {
                offer(queue, bytes, start, size, left, next[left]);
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

    private void offer(BigramQueue queue, byte[] bytes, int[] start, int[] size, int left, int right) {
        int id = vocabulary.get(bytes, start[left], size[left] + size[right]);
        if (id >= 0) {
            queue.push(-scores[id], left, right, size[left] + size[right]);
        }
    }
}
