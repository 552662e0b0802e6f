package io.webllm.engine.grammar;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * All stacks the matcher can be in after some input (the grammar may be ambiguous until later bytes decide),
 * with every top at a terminal. {@code complete} says a path has finished the root rule; {@code leftContext}
 * says a path ran past {@link Frame#CONTEXT} (only in context-free analysis).
 */
record StackSet(Frame[] tops, boolean complete, boolean leftContext) {

    static final StackSet DEAD = new StackSet(new Frame[0], false, false);

    boolean isDead() {
        return tops.length == 0 && !complete && !leftContext;
    }

    boolean canContinue() {
        return tops.length > 0;
    }

    /** Starting point: the root rule's alternatives with nothing beneath them. */
    static StackSet initial(Grammar grammar) {
        Collector out = new Collector();
        for (int start : grammar.alternatives(grammar.rootRule())) {
            out.expand(grammar, start, null);
        }
        return out.toStackSet();
    }

    /** A single stack whose top is the terminal at {@code position}. */
    static StackSet single(Frame top) {
        return new StackSet(new Frame[] {top}, false, false);
    }

    /** The stacks after one more byte; {@link #isDead()} when the byte is not allowed. */
    StackSet advance(Grammar grammar, int b) {
        if (tops.length == 1) {
            Frame top = tops[0];
            if (!grammar.terminalAccepts(top.position, b)) {
                return DEAD;
            }
            Collector out = new Collector();
            out.expand(grammar, top.position + 1, top.parent);
            return out.toStackSet();
        }
        @Nullable Collector out = null;
        for (Frame top : tops) {
            if (grammar.terminalAccepts(top.position, b)) {
                if (out == null) {
                    out = new Collector();
                }
                out.expand(grammar, top.position + 1, top.parent);
            }
        }
        return out == null ? DEAD : out.toStackSet();
    }

    /** The stacks after all of {@code bytes}, or {@link #DEAD} if one is not allowed on the way. */
    StackSet advance(Grammar grammar, byte[] bytes, int from) {
        StackSet state = this;
        for (int i = from; i < bytes.length; i++) {
            if (!state.canContinue()) {
                return DEAD;
            }
            state = state.advance(grammar, bytes[i]);
        }
        return state;
    }

    /** Gathers the stacks produced by expanding positions until their tops are terminals, without duplicates. */
    static final class Collector {
        private Frame[] frames = new Frame[4];
        private int size;
        private @Nullable Set<Frame> seen;
        private boolean complete;
        private boolean leftContext;

        void expand(Grammar grammar, int position, @Nullable Frame parent) {
            int element = grammar.element(position);
            if (element == Grammar.END) {
                if (parent == null) {
                    complete = true;
                } else if (parent == Frame.CONTEXT) {
                    leftContext = true;
                } else {
                    expand(grammar, parent.position, parent.parent);
                }
            } else if (element >= 0) {
                add(new Frame(position, parent));
            } else {
                int rule = -2 - element;
                // a reference in tail position needs no frame of its own: right recursion stays flat
                Frame continuation = grammar.element(position + 1) == Grammar.END
                        ? parent
                        : new Frame(position + 1, parent);
                for (int start : grammar.alternatives(rule)) {
                    expand(grammar, start, continuation);
                }
            }
        }

        private void add(Frame frame) {
            if (size >= 8) {
                if (seen == null) {
                    seen = new HashSet<>(Arrays.asList(frames).subList(0, size));
                }
                if (!seen.add(frame)) {
                    return;
                }
            } else {
                for (int i = 0; i < size; i++) {
                    if (frames[i].equals(frame)) {
                        return;
                    }
                }
            }
            if (size == frames.length) {
                frames = Arrays.copyOf(frames, size * 2);
            }
            frames[size++] = frame;
        }

        StackSet toStackSet() {
            if (size == 0 && !complete && !leftContext) {
                return DEAD;
            }
            return new StackSet(Arrays.copyOf(frames, size), complete, leftContext);
        }
    }
}
