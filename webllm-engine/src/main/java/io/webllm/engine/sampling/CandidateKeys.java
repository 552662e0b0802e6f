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
     * Rearranges {@code keys[0, size)} so that its first {@code k} entries are the {@code k} most likely (in no
     * particular order): a quickselect, O(size), instead of sorting a 150k vocabulary to keep a few tokens.
     */
    static void selectTop(long[] keys, int size, int k) {
        int lo = 0;
        int hi = size - 1;
        int target = k - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            // median of three as pivot keeps sorted and reverse-sorted inputs linear
            long a = keys[lo];
            long b = keys[mid];
            long c = keys[hi];
            long pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (keys[i] < pivot) {
                    i++;
                }
                while (keys[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long t = keys[i];
                    keys[i] = keys[j];
                    keys[j] = t;
                    i++;
                    j--;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }
}
