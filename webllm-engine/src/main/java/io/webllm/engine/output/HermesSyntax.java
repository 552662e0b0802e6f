package io.webllm.engine.output;

/**
 * {@code <tool_call>{json}</tool_call>}, repeated; whitespace between and after calls is dropped. A call left
 * unclosed at the end of the stream is still accepted if its JSON is complete.
 */
final class HermesSyntax extends MarkedCallSyntax {

    static final String OPEN = "<tool_call>";
    static final String CLOSE = "</tool_call>";

    HermesSyntax() {
        super(OPEN);
    }

    /**
     * Where the call that opens at index 0 ends (past its closing tag), or -1 to wait for more text. A JSON body is
     * followed bracket by bracket, so a closing tag inside a string argument does not end the call.
     */
    private static int regionEnd(StringBuilder text, boolean end) {
        int valueStart = skipWhitespace(text, OPEN.length());
        if (valueStart < text.length() && text.charAt(valueStart) == '{') {
            int valueEnd = JsonValueScanner.valueEnd(text, valueStart);
            if (valueEnd == JsonValueScanner.INCOMPLETE) {
                return end ? text.length() : -1;
            }
            if (valueEnd > 0) {
                int close = skipWhitespace(text, valueEnd);
                if (startsWith(text, close, CLOSE)) {
                    return close + CLOSE.length();
                }
                if (close == text.length() || isPartial(text, close, CLOSE)) {
                    return end ? text.length() : -1;
                }
            }
        }
        // not a JSON object, or something after it: up to the first closing tag, to be reported as malformed
        int close = text.indexOf(CLOSE, OPEN.length());
        if (close >= 0) {
            return close + CLOSE.length();
        }
        return end ? text.length() : -1;
    }

    @Override
    boolean call(StreamingToolCallParser parser, boolean end) {
        StringBuilder text = parser.pending;
        int regionEnd = regionEnd(text, end);
        if (regionEnd < 0) {
            return false;
        }
        boolean closed = regionEnd >= OPEN.length() + CLOSE.length()
                && startsWith(text, regionEnd - CLOSE.length(), CLOSE);
        String body = text.substring(OPEN.length(), closed ? regionEnd - CLOSE.length() : regionEnd).strip();
        parser.callOrMalformed(ToolCallJson.toCall(ToolCallJson.parse(body), parser::nextId), regionEnd);
        callRead();
        return true;
    }
}
