package io.webllm.engine.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects rules while a schema is compiled and flattens them into a {@link Grammar}.
 *
 * <p>Rules are declared first and given alternatives later, so recursive schemas ({@code $ref} cycles) can
 * refer to a rule before its body exists.
 */
final class GrammarBuilder {

    private final List<String> names = new ArrayList<>();
    private final List<List<int[]>> rules = new ArrayList<>();
    private final List<long[]> byteSets = new ArrayList<>();
    private final Map<ByteSetKey, Integer> byteSetIds = new HashMap<>();

    private record ByteSetKey(long w0, long w1, long w2, long w3) {
    }

    /** Declares a rule without alternatives yet; returns its id. */
    int declare(String name) {
        names.add(name + "#" + names.size());
        rules.add(new ArrayList<>());
        return rules.size() - 1;
    }

    /** Adds an alternative to a rule: a sequence of elements made by {@link Seq}. */
    void alternative(int rule, Seq sequence) {
        rules.get(rule).add(sequence.toArray());
    }

    boolean hasAlternatives(int rule) {
        return !rules.get(rule).isEmpty();
    }

    /** A rule with the given alternatives, declared and filled in one step. */
    int rule(String name, Seq... alternatives) {
        int id = declare(name);
        for (Seq alternative : alternatives) {
            alternative(id, alternative);
        }
        return id;
    }

    /** Element id of a byte set (deduplicated). */
    int byteSet(long[] words) {
        ByteSetKey key = new ByteSetKey(words[0], words[1], words[2], words[3]);
        return byteSetIds.computeIfAbsent(key, k -> {
            byteSets.add(words.clone());
            return byteSets.size() - 1;
        });
    }

    /** Element for a set of bytes given as inclusive ranges {@code lo0, hi0, lo1, hi1, ...}. */
    int ranges(int... bounds) {
        long[] words = new long[4];
        for (int i = 0; i < bounds.length; i += 2) {
            for (int b = bounds[i]; b <= bounds[i + 1]; b++) {
                words[b >>> 6] |= 1L << (b & 63);
            }
        }
        return byteSet(words);
    }

    /** Element for exactly one byte. */
    int single(int b) {
        return ranges(b & 0xFF, b & 0xFF);
    }

    /** Element for any byte among the characters of {@code chars} (ASCII only). */
    int anyOf(String chars) {
        int[] bounds = new int[chars.length() * 2];
        for (int i = 0; i < chars.length(); i++) {
            bounds[2 * i] = chars.charAt(i);
            bounds[2 * i + 1] = chars.charAt(i);
        }
        return ranges(bounds);
    }

    Seq seq() {
        return new Seq();
    }

    /** A sequence of grammar elements, built fluently. */
    final class Seq {
        private int[] items = new int[8];
        private int size;

        Seq add(int element) {
            if (size == items.length) {
                items = java.util.Arrays.copyOf(items, size * 2);
            }
            items[size++] = element;
            return this;
        }

        Seq ref(int rule) {
            return add(Grammar.ruleReference(rule));
        }

        Seq literal(String text) {
            return bytes(text.getBytes(StandardCharsets.UTF_8));
        }

        Seq bytes(byte[] bytes) {
            for (byte b : bytes) {
                add(single(b));
            }
            return this;
        }

        Seq then(Seq other) {
            for (int i = 0; i < other.size; i++) {
                add(other.items[i]);
            }
            return this;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(items, size);
        }
    }

    /** Flattens the rules; every declared rule must have at least one alternative. */
    Grammar build(int rootRule) {
        int total = 0;
        for (List<int[]> alternatives : rules) {
            for (int[] alternative : alternatives) {
                total += alternative.length + 1;
            }
        }
        int[] elements = new int[total];
        int[][] starts = new int[rules.size()][];
        int pos = 0;
        for (int r = 0; r < rules.size(); r++) {
            List<int[]> alternatives = rules.get(r);
            if (alternatives.isEmpty()) {
                throw new IllegalStateException("grammar rule " + names.get(r) + " has no alternatives");
            }
            starts[r] = new int[alternatives.size()];
            for (int a = 0; a < alternatives.size(); a++) {
                starts[r][a] = pos;
                int[] alternative = alternatives.get(a);
                System.arraycopy(alternative, 0, elements, pos, alternative.length);
                pos += alternative.length;
                elements[pos++] = Grammar.END;
            }
        }
        long[] sets = new long[byteSets.size() * 4];
        for (int i = 0; i < byteSets.size(); i++) {
            System.arraycopy(byteSets.get(i), 0, sets, i * 4, 4);
        }
        return new Grammar(elements, starts, sets, names.toArray(String[]::new), rootRule);
    }
}
