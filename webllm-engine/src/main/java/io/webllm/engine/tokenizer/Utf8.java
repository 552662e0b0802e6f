package io.webllm.engine.tokenizer;

import java.util.Arrays;

/** UTF-8 helpers that write into reusable buffers instead of allocating a byte array per word. */
final class Utf8 {

    private Utf8() {
    }

    /**
     * Encodes {@code text[from, to)} into {@code buffer} (grown when needed) and returns the buffer; the encoded length
     * is returned through {@code length[0]}. Unpaired surrogates become U+FFFD, as {@code String.getBytes} would not.
     */
    static byte[] encode(CharSequence text, int from, int to, byte[] buffer, int[] length) {
        byte[] out = buffer.length >= (to - from) * 3 ? buffer : Arrays.copyOf(buffer, (to - from) * 3 + 16);
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                out[n++] = (byte) (0xF0 | (cp >> 18));
                out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                int cp = Character.isSurrogate(c) ? 0xFFFD : c;
                out[n++] = (byte) (0xE0 | (cp >> 12));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            }
        }
        length[0] = n;
        return out;
    }

    /** The length of the UTF-8 sequence that starts with {@code lead}; 1 for a stray continuation byte. */
    static int sequenceLength(byte lead) {
        int b = lead & 0xFF;
        if (b < 0x80) {
            return 1;
        }
        if (b >= 0xF0 && b < 0xF8) {
            return 4;
        }
        if (b >= 0xE0) {
            return b < 0xF0 ? 3 : 1;
        }
        return b >= 0xC0 ? 2 : 1;
    }
}
