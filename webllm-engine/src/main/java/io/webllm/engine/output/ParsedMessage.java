package io.webllm.engine.output;

import io.webllm.engine.chat.ToolCall;
import java.util.List;

/**
 * A whole assistant message split into content and tool calls.
 *
 * @param content           the text that is not a tool call (including malformed calls)
 * @param toolCalls         the calls, in order
 * @param malformedToolCall whether some text looked like a tool call but did not parse
 */
public record ParsedMessage(String content, List<ToolCall> toolCalls, boolean malformedToolCall) {

    public ParsedMessage {
        toolCalls = List.copyOf(toolCalls);
    }
}
