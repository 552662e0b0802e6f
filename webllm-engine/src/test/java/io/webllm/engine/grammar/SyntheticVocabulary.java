package io.webllm.engine.grammar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded vocabulary for tests: every single byte, then multi-byte pieces shaped like a byte-level BPE
 * vocabulary (words with and without a leading space, JSON punctuation runs, digits, escapes, whitespace runs,
 * UTF-8 characters cut at arbitrary byte boundaries), one control token without bytes and one end token last.
 */
final class SyntheticVocabulary implements TokenVocabulary {

    private static final String[] FRAGMENTS = {"{", "}", "[", "]", "\"", ":", ",", "\":", "\",", "\"}", "{\"",
        "\":\"", "\": \"", "\",\"", "\", \"", "},", "}]", "]}", "[{", "[\"", "\"]", "true", "false", "null", "0",
        "1", "-", ".", "e", "E", "+", "\\", "\\\"", "\\n", "\\u", "\\u00", "\\\\", "\\/", "\\t", "00", "12", "2024",
        "-01", "-02", "-12", "-28", "T", "Z", ":00", "+01", "@", ".com", "\n", "\n  ", "\n    ", "  ", " ", "\t",
        ",\n", ",\n  ", "{\n", "{\n  ", "\n}", "é", "ü", "€", "😀", "中文", "ß", "a", "ab", "abc", "name", "id",
        "type", "value", "items", "ok", " the", " a"};

    private final List<byte[]> tokens = new ArrayList<>();
    private final int controlToken;
    private final int endToken;

    SyntheticVocabulary(long seed, int pieces) {
        Random random = new Random(seed);
        Set<String> seen = new LinkedHashSet<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(new byte[] {(byte) b});
        }
        for (String fragment : FRAGMENTS) {
            addPiece(fragment.getBytes(StandardCharsets.UTF_8), seen);
        }
        String letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
        while (tokens.size() < 256 + FRAGMENTS.length + pieces) {
            ByteArrayOutputStream piece = new ByteArrayOutputStream();
            switch (random.nextInt(8)) {
                case 0, 1, 2 -> { // word, maybe with a leading space
                    if (random.nextBoolean()) {
                        piece.write(' ');
                    }
                    int length = 1 + random.nextInt(8);
                    for (int i = 0; i < length; i++) {
                        piece.write(letters.charAt(random.nextInt(letters.length())));
                    }
                }
                case 3 -> { // digits
                    int length = 1 + random.nextInt(4);
                    for (int i = 0; i < length; i++) {
                        piece.write('0' + random.nextInt(10));
                    }
                }
                case 4 -> { // punctuation runs as JSON has them
                    int length = 1 + random.nextInt(4);
                    String punctuation = "{}[]\":, \n.-+\\";
                    for (int i = 0; i < length; i++) {
                        piece.write(punctuation.charAt(random.nextInt(punctuation.length())));
                    }
                }
                case 5 -> { // non-ASCII text cut anywhere
                    String text = new String(Character.toChars(0xA0 + random.nextInt(0x3000)))
                            + new String(Character.toChars(0x1F300 + random.nextInt(0x200)));
                    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                    int from = random.nextInt(bytes.length);
                    int to = from + 1 + random.nextInt(bytes.length - from);
                    piece.write(bytes, from, to - from);
                }
                case 6 -> { // mixes of the fragments
                    int count = 2 + random.nextInt(2);
                    for (int i = 0; i < count; i++) {
                        piece.writeBytes(FRAGMENTS[random.nextInt(FRAGMENTS.length)].getBytes(StandardCharsets.UTF_8));
                    }
                }
                default -> { // arbitrary bytes
                    int length = 2 + random.nextInt(3);
                    for (int i = 0; i < length; i++) {
                        piece.write(random.nextInt(256));
                    }
                }
            }
            addPiece(piece.toByteArray(), seen);
            if (random.nextInt(500) == 0 && tokens.size() > 300) {
                tokens.add(tokens.get(300 + random.nextInt(tokens.size() - 300)).clone()); // a duplicate piece
            }
        }
        controlToken = tokens.size();
        tokens.add(new byte[0]);
        endToken = tokens.size();
        tokens.add(new byte[0]);
    }

    private void addPiece(byte[] piece, Set<String> seen) {
        if (piece.length > 1 && seen.add(new String(piece, StandardCharsets.ISO_8859_1))) {
            tokens.add(piece);
        }
    }

    int endToken() {
        return endToken;
    }

    int controlToken() {
        return controlToken;
    }

    @Override
    public int size() {
        return tokens.size();
    }

    @Override
    public byte[] tokenBytes(int tokenId) {
        return tokens.get(tokenId).clone();
    }

    @Override
    public boolean isEndOfGeneration(int tokenId) {
        return tokenId == endToken;
    }
}
