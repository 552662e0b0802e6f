package io.webllm.engine.grammar;

import java.util.Arrays;

/**
 * A compiled context-free grammar over bytes, flattened for the matcher.
 *
 * <p>Each rule is a list of alternatives; each alternative is a run of {@link #element(int) elements} in one
 * flat array, ended by {@link #END}. An element is either a byte set (a terminal, id {@code >= 0}) or a
 * reference to a rule (encoded {@code -2 - ruleId}). A position is an index into that array; the matcher keeps
 * positions on its stacks. Grammars are immutable and safe to share between threads.
 */
public final class Grammar {

    /** Marks the end of an alternative. */
    static final int END = -1;

    private final int[] elements;
    private final int[][] alternatives; // (rule) -> start positions of its alternatives
    private final long[] byteSets; // (byte set id * 4 + word) 256-bit membership
    private final String[] ruleNames;
    private final int rootRule;

    Grammar(int[] elements, int[][] alternatives, long[] byteSets, String[] ruleNames, int rootRule) {
        this.elements = elements;
        this.alternatives = alternatives;
        this.byteSets = byteSets;
        this.ruleNames = ruleNames;
        this.rootRule = rootRule;
    }

    static int ruleReference(int ruleId) {
        return -2 - ruleId;
    }

    int element(int position) {
        return elements[position];
    }

    int positionCount() {
        return elements.length;
    }

    int[] alternatives(int ruleId) {
        return alternatives[ruleId];
    }

    int rootRule() {
        return rootRule;
    }

    /** Whether the terminal at {@code position} accepts byte {@code b}. */
    boolean terminalAccepts(int position, int b) {
        int set = elements[position];
        return (byteSets[set * 4 + ((b & 0xFF) >>> 6)] & (1L << (b & 63))) != 0;
    }

    /** Number of rules, for diagnostics and tests. */
    public int ruleCount() {
        return alternatives.length;
    }

    /** A readable dump in a BNF-like notation, for debugging a schema's compilation. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (int rule = 0; rule < alternatives.length; rule++) {
            out.append(ruleNames[rule]).append(rule == rootRule ? " (root)" : "").append(" ::=");
            for (int a = 0; a < alternatives[rule].length; a++) {
                out.append(a == 0 ? " " : " | ");
                int pos = alternatives[rule][a];
                if (elements[pos] == END) {
                    out.append("\"\"");
                }
                for (; elements[pos] != END; pos++) {
                    int e = elements[pos];
                    out.append(e >= 0 ? describeByteSet(e) : ruleNames[-2 - e]).append(' ');
                }
            }
            out.append('\n');
        }
        return out.toString();
    }

    private String describeByteSet(int set) {
        long[] words = Arrays.copyOfRange(byteSets, set * 4, set * 4 + 4);
        int count = 0;
        int single = -1;
        for (int b = 0; b < 256; b++) {
            if ((words[b >>> 6] & (1L << (b & 63))) != 0) {
                count++;
                single = b;
            }
        }
        if (count == 1) {
            return single >= 0x21 && single < 0x7F ? "'" + (char) single + "'" : String.format("x%02X", single);
        }
        return "[" + count + " bytes]";
    }
}
