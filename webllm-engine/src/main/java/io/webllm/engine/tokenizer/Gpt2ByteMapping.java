package io.webllm.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * GPT-2's reversible byte-to-character mapping: byte-level BPE vocabularies store every byte as a printable
 * character so that merges can be written as text. Printable Latin-1 bytes (33-126, 161-172, 174-255) stand for
 * themselves; the other 68 bytes are shifted to U+0100 onwards in byte order (so the space 0x20 becomes 'Ġ').
 */
final class Gpt2ByteMapping {

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
            char c = printable ? (char) b : (char) (256 + shifted++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private Gpt2ByteMapping() {
    }

    /** The byte a mapped character stands for, or -1 where the character is outside the mapping. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The raw bytes a vocabulary entry stands for, or null when it holds a character outside the mapping. */
    static byte @Nullable [] decodeOrNull(String mapped) {
        byte[] bytes = new byte[mapped.length()];
        for (int i = 0; i < mapped.length(); i++) {
            int b = byteOf(mapped.charAt(i));
            if (b < 0) {
                return null;
            }
            bytes[i] = (byte) b;
        }
        return bytes;
    }

    /** Like {@link #decodeOrNull} but keeps characters outside the mapping as their own UTF-8 bytes. */
    static byte[] decodeLenient(String mapped) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(mapped.length());
        for (int i = 0; i < mapped.length(); ) {
            int cp = mapped.codePointAt(i);
            int b = cp < 0x10000 ? byteOf((char) cp) : -1;
            if (b >= 0) {
                out.write(b);
            } else {
                out.writeBytes(Character.toString(cp).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            i += Character.charCount(cp);
        }
        return out.toByteArray();
    }
}
