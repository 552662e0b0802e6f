package io.webllm.engine.output;

import io.webllm.engine.chat.ToolCall;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Mistral: text, then {@code [TOOL_CALLS]} followed either by a JSON array of call objects (older templates) or by
 * {@code name[ARGS]{...}}, optionally {@code name[CALL_ID]id[ARGS]{...}} (newer ones), each further call again
 * after {@code [TOOL_CALLS]}. {@code [TOOL_CALLS]} is a special token: the detokenizer must render it as text.
 */
final class MistralSyntax extends MarkedCallSyntax {

    static final String MARKER = "[TOOL_CALLS]";
    static final String ARGS = "[ARGS]";
    static final String CALL_ID = "[CALL_ID]";

    MistralSyntax() {
        super(MARKER);
    }

    @Override
    boolean call(StreamingToolCallParser parser, boolean end) {
        StringBuilder text = parser.pending;
        int callStart = skipWhitespace(text, MARKER.length());
        if (callStart == text.length()) {
            return malformedAtEnd(parser, end);
        }
        return text.charAt(callStart) == '[' ? array(parser, callStart, end) : named(parser, callStart, end);
    }

    private boolean array(StreamingToolCallParser parser, int start, boolean end) {
        StringBuilder text = parser.pending;
        int valueEnd = JsonValueScanner.valueEnd(text, start);
        if (valueEnd < 0) {
            return malformedAtEnd(parser, end);
        }
        JsonNode array = ToolCallJson.parse(text.substring(start, valueEnd));
        List<ToolCall> calls = new ArrayList<>();
        boolean valid = array != null && array.isArray() && !array.isEmpty();
        if (valid) {
            // ids are drawn only once every element is known to be valid, so seeded ids never depend on a failure
            List<JsonNode> elements = new ArrayList<>();
            array.forEach(elements::add);
            valid = elements.stream().allMatch(element -> ToolCallJson.toCall(element, () -> "") != null);
            if (valid) {
                elements.forEach(element -> calls.add(ToolCallJson.toCall(element, parser::nextId)));
            }
        }
        if (valid) {
            parser.calls(calls, valueEnd);
        } else {
            parser.content(valueEnd, true);
        }
        callRead();
        return true;
    }

    private boolean named(StreamingToolCallParser parser, int start, boolean end) {
        StringBuilder text = parser.pending;
        int args = text.indexOf(ARGS, start);
        if (args < 0) {
            return malformedAtEnd(parser, end);
        }
        int callId = text.indexOf(CALL_ID, start);
        boolean hasId = callId >= 0 && callId < args;
        String name = text.substring(start, hasId ? callId : args).strip();
        String id = hasId ? text.substring(callId + CALL_ID.length(), args).strip() : "";
        int valueStart = skipWhitespace(text, args + ARGS.length());
        if (valueStart == text.length()) {
            return malformedAtEnd(parser, end);
        }
        if (text.charAt(valueStart) != '{') {
            parser.content(valueStart, true);
            return true;
        }
        int valueEnd = JsonValueScanner.valueEnd(text, valueStart);
        if (valueEnd < 0) {
            return malformedAtEnd(parser, end);
        }
        JsonNode arguments = ToolCallJson.parse(text.substring(valueStart, valueEnd));
        String argumentsJson = arguments == null ? null : ToolCallJson.argumentsJson(arguments);
        if (argumentsJson != null && isFunctionName(name)) {
            parser.calls(List.of(new ToolCall(id.isEmpty() ? parser.nextId() : id, name, argumentsJson)), valueEnd);
        } else {
            parser.content(valueEnd, true);
        }
        callRead();
        return true;
    }

    private static boolean isFunctionName(String name) {
        return !name.isEmpty() && name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == '-'
                || c == '.');
    }

    private static boolean malformedAtEnd(StreamingToolCallParser parser, boolean end) {
        if (!end) {
            return false;
        }
        parser.content(parser.pending.length(), true);
        return true;
    }
}
