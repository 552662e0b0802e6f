package io.webllm.engine.tokenizer;

/**
 * BPE merges keyed by the (left id, right id) pair: each entry holds the merge's rank (its line in
 * {@code tokenizer.ggml.merges}, lower merges first) and the id of the merged token. Primitive open addressing,
 * so the merge loop does no boxing.
 */
final class MergeTable {

    private static final long EMPTY = -1L;

    private final long[] keys;
    private final long[] values;
    private final int mask;

    MergeTable(int expectedEntries) {
        int capacity = Integer.highestOneBit(Math.max(4, expectedEntries * 2 - 1)) << 1;
        keys = new long[capacity];
        java.util.Arrays.fill(keys, EMPTY);
        values = new long[capacity];
        mask = capacity - 1;
    }

    /** Adds a merge unless the pair already has one (the first, lowest-ranked line wins, as in llama.cpp). */
    void putIfAbsent(int left, int right, int rank, int merged) {
        long key = key(left, right);
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = ((long) rank << 32) | (merged & 0xFFFF_FFFFL);
    }

    /** The packed (rank, merged id) of a pair, or -1 when the pair does not merge. */
    long get(int left, int right) {
        long key = key(left, right);
        int slot = slot(key);
        long k;
        while ((k = keys[slot]) != EMPTY) {
            if (k == key) {
                return values[slot];
            }
            slot = (slot + 1) & mask;
        }
        return -1L;
    }

    static int rank(long packed) {
        return (int) (packed >>> 32);
    }

    static int merged(long packed) {
        return (int) packed;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFF_FFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }
}
