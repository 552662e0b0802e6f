package io.webllm.engine.tokenizer;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Token bytes to token id, looked up by a slice of a caller's buffer so the encoders never allocate to ask
 * "is this byte sequence a token?". Open addressing with linear probing over a power-of-two table.
 */
final class BytesToIdMap {

    private final byte @Nullable [][] keys;
    private final int[] ids;
    private final int mask;

    BytesToIdMap(byte @Nullable [][] entries) {
        int capacity = Integer.highestOneBit(Math.max(4, entries.length * 2 - 1)) << 1;
        keys = new byte[capacity][];
        ids = new int[capacity];
        mask = capacity - 1;
        for (int id = 0; id < entries.length; id++) {
            byte[] key = entries[id];
            if (key != null) {
                putIfAbsent(key, id);
            }
        }
    }

    private void putIfAbsent(byte[] key, int id) {
        int slot = hash(key, 0, key.length) & mask;
        while (keys[slot] != null) {
            if (Arrays.equals(keys[slot], key)) {
                return; // the lower id keeps the text, as a vocabulary lookup would find it first
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        ids[slot] = id;
    }

    /** The id of the token whose bytes are {@code buffer[offset, offset + length)}, or -1. */
    int get(byte[] buffer, int offset, int length) {
        int slot = hash(buffer, offset, length) & mask;
        byte[] key;
        while ((key = keys[slot]) != null) {
            if (key.length == length && Arrays.equals(key, 0, length, buffer, offset, offset + length)) {
                return ids[slot];
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private static int hash(byte[] buffer, int offset, int length) {
        int h = 0x811C9DC5;
        for (int i = offset; i < offset + length; i++) {
            h = (h ^ buffer[i]) * 0x01000193;
        }
        return h ^ (h >>> 15);
    }
}
