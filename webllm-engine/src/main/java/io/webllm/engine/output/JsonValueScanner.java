package io.webllm.engine.output;

/**
 * Finds where a JSON object or array that starts at a given index ends, by bracket depth and string state alone.
 * Streaming parsers use it to tell "the call is still being written" from "the call is complete" before handing the
 * text to Jackson, which then does the real validation.
 */
final class JsonValueScanner {

    /** More text is needed: the value is not closed yet. */
    static final int INCOMPLETE = -1;
    /** The brackets cannot balance any more (a closer that does not match its opener). */
    static final int INVALID = -2;

    private JsonValueScanner() {
    }

    /**
     * @param text  the text
     * @param start index of the value's {@code '{'} or {@code '['}
     * @return the index just past the value's closing bracket, {@link #INCOMPLETE} or {@link #INVALID}
     */
    static int valueEnd(CharSequence text, int start) {
        char first = text.charAt(start);
        if (first != '{' && first != '[') {
            return INVALID;
        }
        char[] closers = new char[16];
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> inString = true;
                case '{', '[' -> {
                    if (depth == closers.length) {
                        closers = java.util.Arrays.copyOf(closers, depth * 2);
                    }
                    closers[depth++] = c == '{' ? '}' : ']';
                }
                case '}', ']' -> {
                    if (closers[--depth] != c) {
                        return INVALID;
                    }
                    if (depth == 0) {
                        return i + 1;
                    }
                }
                default -> {
                }
            }
        }
        return INCOMPLETE;
    }
}
