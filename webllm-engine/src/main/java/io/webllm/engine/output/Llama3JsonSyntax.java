package io.webllm.engine.output;

import io.webllm.engine.chat.ToolCall;
import tools.jackson.databind.JsonNode;

/**
 * Llama 3.1 / 3.2: the message is a call object, optionally after {@code <|python_tag|>}, several joined by
 * {@code ;}. A message that starts with {@code {} is held until its object closes, since only then is it known to be
 * a call; a complete JSON object that is not a call is ordinary content (the user may have asked for JSON). Text
 * after the calls is content.
 */
final class Llama3JsonSyntax extends ToolCallSyntax {

    static final String PYTHON_TAG = "<|python_tag|>";

    private enum Phase { START, BEFORE_CALL, AFTER_CALL, PLAIN, MALFORMED }

    private Phase phase = Phase.START;

    @Override
    boolean step(StreamingToolCallParser parser, boolean end) {
        StringBuilder text = parser.pending;
        if (text.isEmpty()) {
            return false;
        }
        int first = skipWhitespace(text, 0);
        return switch (phase) {
            case PLAIN, MALFORMED -> {
                parser.content(text.length(), phase == Phase.MALFORMED);
                yield true;
            }
            case START -> start(parser, first, end);
            case BEFORE_CALL -> {
                if (first == text.length()) {
                    yield dropAtEnd(parser, end);
                }
                if (first > 0) {
                    parser.drop(first);
                    yield true;
                }
                if (text.charAt(first) == '{') {
                    yield value(parser, first, end, true);
                }
                phase = Phase.MALFORMED;
                yield true;
            }
            case AFTER_CALL -> {
                if (first == text.length()) {
                    yield dropAtEnd(parser, end);
                }
                if (text.charAt(first) == ';') {
                    parser.drop(first + 1);
                    phase = Phase.BEFORE_CALL;
                } else {
                    parser.drop(first);
                    phase = Phase.PLAIN;
                }
                yield true;
            }
        };
    }

    private boolean start(StreamingToolCallParser parser, int first, boolean end) {
        StringBuilder text = parser.pending;
        if (first == text.length()) {
            if (!end) {
                return false;
            }
            phase = Phase.PLAIN;
            return true;
        }
        if (startsWith(text, first, PYTHON_TAG)) {
            int valueStart = skipWhitespace(text, first + PYTHON_TAG.length());
            if (valueStart == text.length()) {
                if (!end) {
                    return false;
                }
                phase = Phase.MALFORMED;
                return true;
            }
            if (text.charAt(valueStart) == '{') {
                return value(parser, valueStart, end, true);
            }
            // a built-in tool call in Python syntax (brave_search.call(...)) is not supported: keep it as content
            phase = Phase.MALFORMED;
            return true;
        }
        if (!end && isPartial(text, first, PYTHON_TAG)) {
            return false;
        }
        if (text.charAt(first) == '{') {
            return value(parser, first, end, false);
        }
        phase = Phase.PLAIN;
        return true;
    }

    /** The object starting at {@code start}: a call, ordinary JSON content, or (broken) malformed content. */
    private boolean value(StreamingToolCallParser parser, int start, boolean end, boolean callExpected) {
        StringBuilder text = parser.pending;
        int valueEnd = JsonValueScanner.valueEnd(text, start);
        if (valueEnd < 0) {
            if (!end) {
                return false;
            }
            phase = Phase.MALFORMED;
            return true;
        }
        JsonNode node = ToolCallJson.parse(text.substring(start, valueEnd));
        ToolCall call = ToolCallJson.toCall(node, parser::nextId);
        if (call != null) {
            parser.callOrMalformed(call, valueEnd);
            phase = Phase.AFTER_CALL;
        } else {
            parser.content(valueEnd, callExpected || node == null);
            phase = callExpected || node == null ? Phase.MALFORMED : Phase.PLAIN;
        }
        return true;
    }

    private static boolean dropAtEnd(StreamingToolCallParser parser, boolean end) {
        if (!end) {
            return false;
        }
        parser.drop(parser.pending.length());
        return true;
    }
}
