package io.webllm.engine.grammar;

import java.util.Arrays;

/** A growable list of ints without boxing. */
final class IntList {
    private int[] items = new int[16];
    private int size;

    void add(int value) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size++] = value;
    }

    void addRange(int from, int to) {
        for (int v = from; v < to; v++) {
            add(v);
        }
    }

    int size() {
        return size;
    }

    int[] toArray() {
        return Arrays.copyOf(items, size);
    }
}
