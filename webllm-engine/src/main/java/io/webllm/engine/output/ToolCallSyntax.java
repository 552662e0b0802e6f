package io.webllm.engine.output;

/**
 * One format's reading of the text held by a {@link StreamingToolCallParser}. Each {@link #step} looks at the start
 * of the held text and either releases a unit (content, a call, dropped whitespace), changes phase, or waits for
 * more text. Decisions depend only on the text, never on where deltas were split.
 */
abstract sealed class ToolCallSyntax permits MarkedCallSyntax, Llama3JsonSyntax {

    /**
     * @param parser the parser, whose held text is {@link StreamingToolCallParser#pending}
     * @param end    whether the stream has ended: then everything must eventually be released
     * @return whether anything was consumed or the phase changed (the parser calls again until it was not)
     */
    abstract boolean step(StreamingToolCallParser parser, boolean end);

    static ToolCallSyntax of(ToolCallFormat format) {
        return switch (format) {
            case HERMES -> new HermesSyntax();
            case LLAMA3_JSON -> new Llama3JsonSyntax();
            case MISTRAL -> new MistralSyntax();
            case NONE -> throw new IllegalArgumentException("a model without tool-call training has no tool-call syntax to parse");
        };
    }

    static int skipWhitespace(CharSequence text, int from) {
        int i = from;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    static boolean startsWith(CharSequence text, int from, String prefix) {
        if (text.length() - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (text.charAt(from + i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the text from {@code from} to its end is a proper prefix of {@code marker}. */
    static boolean isPartial(CharSequence text, int from, String marker) {
        int length = text.length() - from;
        return length < marker.length() && startsWith(marker, 0, text.subSequence(from, text.length()).toString());
    }

    /**
     * How much of the text can be released as content when no marker has been found in it: everything but a tail
     * that may be the beginning of {@code marker}.
     */
    static int releasableBefore(CharSequence text, String marker, boolean end) {
        if (end) {
            return text.length();
        }
        for (int length = Math.min(marker.length() - 1, text.length()); length > 0; length--) {
            if (isPartial(text, text.length() - length, marker)) {
                return text.length() - length;
            }
        }
        return text.length();
    }
}
