package io.webllm.engine.grammar;

import org.jspecify.annotations.Nullable;

/**
 * One stack of the pushdown matcher, as an immutable linked list: the top is the grammar position to match
 * next, the parents are the positions to continue at when the enclosing rules end. Stacks share their tails,
 * so copying a matcher state is free.
 */
final class Frame {

    /**
     * Stands for "whatever encloses this rule" when a position is analysed without context: reaching it
     * means the token left the rule, so its fate depends on the real stack.
     */
    static final Frame CONTEXT = new Frame(-1, null);

    final int position;
    final @Nullable Frame parent;
    private final int hash;

    Frame(int position, @Nullable Frame parent) {
        this.position = position;
        this.parent = parent;
        this.hash = 31 * (parent == null ? 7 : parent.hash) + position;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Frame that) || that.hash != hash) {
            return false;
        }
        Frame a = this;
        Frame b = that;
        while (a != b) {
            if (a == null || b == null || a.position != b.position || a.hash != b.hash) {
                return false;
            }
            a = a.parent;
            b = b.parent;
        }
        return true;
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
