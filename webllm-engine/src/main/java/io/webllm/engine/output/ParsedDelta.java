package io.webllm.engine.output;

import io.webllm.engine.chat.ToolCall;

/** What {@link StreamingToolCallParser} releases: ordinary text, or a tool call once it is complete. */
public sealed interface ParsedDelta {

    /**
     * Text for the message's content.
     *
     * @param text              the text
     * @param malformedToolCall whether this text looked like a tool call in the model's format but did not parse
     *                          (bad JSON, no name, unclosed at the end); it is handed on as content so nothing is
     *                          lost, and the flag lets the caller say why there is no call
     */
    record Content(String text, boolean malformedToolCall) implements ParsedDelta {
    }

    /**
     * A completed tool call, released once, as soon as its text is complete.
     *
     * @param index position among this message's calls, from 0 (OpenAI's {@code tool_calls[].index})
     * @param call  the call
     */
    record Call(int index, ToolCall call) implements ParsedDelta {
    }
}
