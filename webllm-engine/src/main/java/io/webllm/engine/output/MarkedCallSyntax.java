package io.webllm.engine.output;

/**
 * A format whose calls each begin at a marker in the text ({@code <tool_call>}, {@code [TOOL_CALLS]}): text before
 * the marker is content, released as soon as it cannot be the marker's beginning; a call region starting with the
 * marker is read by the format; whitespace after a call is dropped.
 */
abstract sealed class MarkedCallSyntax extends ToolCallSyntax permits HermesSyntax, MistralSyntax {

    private final String marker;
    private boolean afterCall;

    MarkedCallSyntax(String marker) {
        this.marker = marker;
    }

    @Override
    final boolean step(StreamingToolCallParser parser, boolean end) {
        StringBuilder text = parser.pending;
        if (text.isEmpty()) {
            return false;
        }
        if (afterCall) {
            int whitespace = skipWhitespace(text, 0);
            if (whitespace > 0) {
                parser.drop(whitespace);
                return true;
            }
            afterCall = false;
            return true;
        }
        int at = text.indexOf(marker);
        if (at != 0) {
            int release = at > 0 ? at : releasableBefore(text, marker, end);
            if (release == 0) {
                return false;
            }
            parser.content(release, false);
            return true;
        }
        return call(parser, end);
    }

    /**
     * Reads the call region that starts with the marker at index 0 of the held text: releases it (as calls, or as
     * content where it is malformed) and then calls {@link #callRead}, or waits for more text.
     *
     * @return whether anything was consumed (as {@link #step})
     */
    abstract boolean call(StreamingToolCallParser parser, boolean end);

    /** A call region was released: whitespace after it is dropped. */
    final void callRead() {
        afterCall = true;
    }
}
