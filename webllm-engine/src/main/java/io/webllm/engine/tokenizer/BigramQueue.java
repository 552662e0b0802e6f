package io.webllm.engine.tokenizer;

import java.util.Arrays;

/**
 * The priority queue of candidate merges between neighbouring symbols: lowest {@code priority} first, then the
 * leftmost pair, which is the order both llama.cpp merge loops use (BPE: merge rank; SentencePiece: minus the
 * score). Entries live in parallel primitive arrays and are reused from word to word.
 */
final class BigramQueue {

    private float[] priority = new float[64];
    private int[] left = new int[64];
    private int[] right = new int[64];
    private int[] size = new int[64];
    private int[] heap = new int[64];
    private int entries;
    private int heapSize;

    void clear() {
        entries = 0;
        heapSize = 0;
    }

    boolean isEmpty() {
        return heapSize == 0;
    }

    void push(float entryPriority, int leftSymbol, int rightSymbol, int byteSize) {
        if (entries == priority.length) {
            int grown = entries * 2;
            priority = Arrays.copyOf(priority, grown);
            left = Arrays.copyOf(left, grown);
            right = Arrays.copyOf(right, grown);
            size = Arrays.copyOf(size, grown);
            heap = Arrays.copyOf(heap, grown);
        }
        int entry = entries++;
        priority[entry] = entryPriority;
        left[entry] = leftSymbol;
        right[entry] = rightSymbol;
        size[entry] = byteSize;
        int i = heapSize++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(entry, heap[parent])) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = entry;
    }

    /** Removes the first entry and returns its handle for {@link #left}, {@link #right} and {@link #size}. */
    int pop() {
        int top = heap[0];
        int last = heap[--heapSize];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= heapSize) {
                break;
            }
            if (child + 1 < heapSize && before(heap[child + 1], heap[child])) {
                child++;
            }
            if (!before(heap[child], last)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        if (heapSize > 0) {
            heap[i] = last;
        }
        return top;
    }

    int left(int entry) {
        return left[entry];
    }

    int right(int entry) {
        return right[entry];
    }

    int size(int entry) {
        return size[entry];
    }

    private boolean before(int a, int b) {
        // plain float comparison, as the C++ comparators do (0.0 and -0.0 tie)
        float pa = priority[a];
        float pb = priority[b];
        return pa < pb || (pa == pb && left[a] < left[b]);
    }
}
