package io.webllm.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns generated tokens into text one token at a time without ever emitting a broken character: a byte token or
 * BPE piece may carry only part of a UTF-8 sequence (emoji, CJK, accents), so trailing bytes of an incomplete
 * character are held back until the rest arrives. {@link #finish()} releases whatever is left, with U+FFFD for
 * bytes that never became a character.
 *
 * <p>SentencePiece vocabularies with a dummy prefix put a space before the first word; as llama.cpp and Hugging
 * Face do, that space is dropped from the first text at the start of a text and right after BOS. Not thread-safe:
 * one decoder per sequence.
 */
public final class StreamingDecoder {

    private final Tokenizer tokenizer;
    private byte[] pending = new byte[16];
    private int pendingLength;
    private boolean dropLeadingSpace;

    StreamingDecoder(Tokenizer tokenizer, boolean atTextStart) {
        this.tokenizer = tokenizer;
        this.dropLeadingSpace = atTextStart && tokenizer.addSpacePrefix();
    }

    /** Feeds one token and returns the text it completes; often empty while a character is still incomplete. */
    public String accept(int token) {
        if (tokenizer.bos().orElse(-1) == token) {
            dropLeadingSpace = tokenizer.addSpacePrefix();
        }
        byte[] piece = tokenizer.pieceBytes(token);
        if (piece.length == 0) {
            return "";
        }
        int from = 0;
        if (dropLeadingSpace) {
            dropLeadingSpace = false;
            if (piece[0] == ' ') {
                from = 1;
            }
        }
        append(piece, from);
        int complete = completeLength();
        if (complete == 0) {
            return "";
        }
        String text = new String(pending, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(pending, complete, pending, 0, pendingLength - complete);
        pendingLength -= complete;
        return text;
    }

    /** Returns the held-back bytes, if any, as text (U+FFFD for incomplete characters) and resets the decoder. */
    public String finish() {
        String text = new String(pending, 0, pendingLength, StandardCharsets.UTF_8);
        pendingLength = 0;
        return text;
    }

    /** Whether bytes of an incomplete character are waiting for the next token. */
    public boolean hasPendingBytes() {
        return pendingLength > 0;
    }

    private void append(byte[] piece, int from) {
        int length = piece.length - from;
        if (pendingLength + length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + length));
        }
        System.arraycopy(piece, from, pending, pendingLength, length);
        pendingLength += length;
    }

    /**
     * The length of the prefix that ends on a character boundary: everything, unless the last lead byte (within the
     * last four bytes) announces more continuation bytes than have arrived.
     */
    private int completeLength() {
        for (int i = pendingLength - 1; i >= Math.max(0, pendingLength - 4); i--) {
            int b = pending[i] & 0xFF;
            if ((b & 0xC0) != 0x80) { // a lead byte or ASCII
                int expected = Utf8.sequenceLength(pending[i]);
                return i + expected > pendingLength ? i : pendingLength;
            }
        }
        return pendingLength;
    }
}
