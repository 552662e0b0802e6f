package io.webllm.engine.sampling;

import java.util.Arrays;

/**
 * Candidates are packed as one {@code long} each, so that ordering them is a primitive sort with no comparator and
 * no boxing: the high half is the logit turned into an int whose ascending order is the logit's descending order,
 * the low half the token id. Ascending keys therefore mean "most likely first, lower id first on ties", which makes
 * every truncation deterministic.
 */
final class CandidateKeys {

    private CandidateKeys() {
    }

    static long key(float logit, int token) {
        int bits = Float.floatToRawIntBits(logit);
        int ascending = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) ~ascending << 32) | (token & 0xffffffffL);
    }

    static int token(long key) {
        return (int) key;
    }

    /** Sorts {@code keys[0, size)}: most likely first. */
    static void sort(long[] keys, int size) {
        Arrays.sort(keys, 0, size);
    }

    /**
     * Puts the {@code k} most likely tokens with a logit above -infinity into {@code keys[0, k)}, most likely first,
     * and returns how many there were (fewer than {@code k} if fewer are finite). A bounded heap: one comparison per
     * token against the worst kept logit, so a 150k vocabulary costs a single cheap pass.
     */
    static int top(float[] logits, int vocabulary, int k, long[] keys) {
        int size = 0;
        float worst = Float.NEGATIVE_INFINITY;
        for (int token = 0; token < vocabulary; token++) {
            float logit = logits[token];
            if (!(logit > Float.NEGATIVE_INFINITY) || (size == k && logit < worst)) {
                continue;
            }
            long key = key(logit, token);
            if (size < k) {
                keys[size] = key;
                siftUp(keys, size++);
            } else if (key < keys[0]) {
                keys[0] = key;
                siftDown(keys, k);
            } else {
                continue;
            }
            if (size == k) {
                worst = logits[token(keys[0])];
            }
        }
        sort(keys, size);
        return size;
    }

    // a max-heap on the key: the root is the least likely of those kept

    private static void siftUp(long[] heap, int index) {
        long key = heap[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            if (heap[parent] >= key) {
                break;
            }
            heap[index] = heap[parent];
            index = parent;
        }
        heap[index] = key;
    }

    private static void siftDown(long[] heap, int size) {
        long key = heap[0];
        int index = 0;
        while (true) {
            int child = 2 * index + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] > heap[child]) {
                child++;
            }
            if (heap[child] <= key) {
                break;
            }
            heap[index] = heap[child];
            index = child;
        }
        heap[index] = key;
    }
}
