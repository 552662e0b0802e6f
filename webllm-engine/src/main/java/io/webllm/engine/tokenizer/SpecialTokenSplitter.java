package io.webllm.engine.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Cuts special tokens out of text before the text encoder sees it, the way llama.cpp's
 * {@code tokenizer_st_partition} does: special tokens are taken longest first, and each one splits every remaining
 * run of text at all of its occurrences, left to right.
 *
 * <p>Control (and unknown) tokens are recognised only when the caller asks for it (template text). User-defined
 * tokens are always recognised: they are vocabulary words that Hugging Face matches in any text (deepseek's 'ü',
 * Qwen's {@code <think>}), and the reference token ids depend on it.
 *
 * <p>Before splitting, one pass over the text finds which special tokens occur at all, so a vocabulary with hundreds
 * of special tokens does not cost hundreds of scans of a long text.
 */
final class SpecialTokenSplitter {

    /** A run of text {@code [start, end)} when {@code token} is -1, otherwise a special token. */
    record Fragment(int token, int start, int end) {

        boolean isText() {
            return token < 0;
        }
    }

    private final String[] texts;   // by candidate index, longest first
    private final int[] ids;        // by candidate index
    private final boolean[] control; // needs parseSpecial
    private final int @Nullable [][] candidatesByFirstChar = new int[Character.MAX_VALUE + 1][];

    SpecialTokenSplitter(String[] pieces, TokenType[] types) {
        List<Integer> special = new ArrayList<>();
        for (int id = 0; id < pieces.length; id++) {
            TokenType type = types[id];
            if ((type == TokenType.CONTROL || type == TokenType.USER_DEFINED || type == TokenType.UNKNOWN)
                    && !pieces[id].isEmpty()) {
                special.add(id);
            }
        }
        special.sort(Comparator.comparingInt((Integer id) -> -pieces[id].length()).thenComparingInt(id -> id));
        int n = special.size();
        texts = new String[n];
        ids = new int[n];
        control = new boolean[n];
        Map<Character, List<Integer>> byFirst = new HashMap<>();
        for (int i = 0; i < n; i++) {
            int id = special.get(i);
            texts[i] = pieces[id];
            ids[i] = id;
            control[i] = types[id] != TokenType.USER_DEFINED;
            byFirst.computeIfAbsent(texts[i].charAt(0), c -> new ArrayList<>()).add(i);
        }
        byFirst.forEach((c, list) -> candidatesByFirstChar[c] = list.stream().mapToInt(Integer::intValue).toArray());
    }

    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(new Fragment(-1, 0, text.length()));
        if (texts.length == 0) {
            return fragments;
        }
        boolean[] present = occurring(text, parseSpecial);
        for (int candidate = 0; candidate < texts.length; candidate++) {
            if (present[candidate]) {
                fragments = splitAt(fragments, text, candidate);
            }
        }
        return fragments;
    }

    private boolean[] occurring(String text, boolean parseSpecial) {
        boolean[] present = new boolean[texts.length];
        for (int i = 0; i < text.length(); i++) {
            int[] candidates = candidatesByFirstChar[text.charAt(i)];
            if (candidates == null) {
                continue;
            }
            for (int candidate : candidates) {
                if (!present[candidate] && (parseSpecial || !control[candidate])
                        && text.startsWith(texts[candidate], i)) {
                    present[candidate] = true;
                }
            }
        }
        return present;
    }

    private List<Fragment> splitAt(List<Fragment> fragments, String text, int candidate) {
        String needle = texts[candidate];
        List<Fragment> result = new ArrayList<>(fragments.size() + 4);
        for (Fragment fragment : fragments) {
            if (!fragment.isText()) {
                result.add(fragment);
                continue;
            }
            int position = fragment.start();
            int end = fragment.end();
            int match;
            while (position < end && (match = text.indexOf(needle, position, end)) >= 0) {
                if (match > position) {
                    result.add(new Fragment(-1, position, match));
                }
                result.add(new Fragment(ids[candidate], match, match + needle.length()));
                position = match + needle.length();
            }
            if (position < end) {
                result.add(new Fragment(-1, position, end));
            }
        }
        return result;
    }

    @Override
    public String toString() {
        return "SpecialTokenSplitter" + Arrays.toString(texts);
    }
}
