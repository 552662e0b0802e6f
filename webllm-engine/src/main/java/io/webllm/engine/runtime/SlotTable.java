package io.webllm.engine.runtime;

import java.util.Arrays;

/**
 * The KV cache slots and which tokens each holds. A new sequence takes the free slot whose cached tokens share the
 * longest prefix with its prompt, so the next turn of a conversation prefills only what is new (WebLLM's prefix
 * reuse); ties go to the slot used least recently, so unrelated conversations keep their caches longest.
 */
final class SlotTable {

    private final int[][] tokens;
    private final int[] lengths;
    private final boolean[] busy;
    private final long[] lastUsed;
    private long clock;

    SlotTable(int slots) {
        tokens = new int[slots][0];
        lengths = new int[slots];
        busy = new boolean[slots];
        lastUsed = new long[slots];
    }

    int free() {
        int free = 0;
        for (boolean b : busy) {
            if (!b) {
                free++;
            }
        }
        return free;
    }

    /** A free slot for {@code prompt}, marked busy; {@link Lease#reused()} prompt tokens are already in its cache. */
    Lease acquire(int[] prompt) {
        int best = -1;
        int bestPrefix = -1;
        for (int slot = 0; slot < busy.length; slot++) {
            if (busy[slot]) {
                continue;
            }
            int prefix = commonPrefix(tokens[slot], lengths[slot], prompt);
            if (prefix > bestPrefix || (prefix == bestPrefix && lastUsed[slot] < lastUsed[best])) {
                best = slot;
                bestPrefix = prefix;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("no free slot");
        }
        busy[best] = true;
        lastUsed[best] = ++clock;
        // the last prompt token is always evaluated again: its logits start the generation
        return new Lease(best, Math.min(bestPrefix, prompt.length - 1));
    }

    /** Frees the slot, remembering the tokens its cache now holds (positions 0 .. cached.length - 1). */
    void release(int slot, int[] cached, int length) {
        tokens[slot] = Arrays.copyOf(cached, length);
        lengths[slot] = length;
        busy[slot] = false;
        lastUsed[slot] = ++clock;
    }

    private static int commonPrefix(int[] cached, int length, int[] prompt) {
        int n = Math.min(length, prompt.length);
        int i = 0;
        while (i < n && cached[i] == prompt[i]) {
            i++;
        }
        return i;
    }

    record Lease(int slot, int reused) {
    }
}
