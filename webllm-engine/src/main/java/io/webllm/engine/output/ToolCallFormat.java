package io.webllm.engine.output;

import java.util.Optional;

/** The ways model families are trained to write tool calls. */
public enum ToolCallFormat {
    /**
     * Hermes 2 Pro, Qwen2.5, Qwen3: each call is {@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>},
     * possibly several, possibly after some text.
     */
    HERMES,
    /**
     * Llama 3.1 / 3.2 with JSON tools: the whole message is {@code {"name": ..., "parameters": {...}}}, optionally
     * after {@code <|python_tag|>}, several separated by {@code ;}.
     */
    LLAMA3_JSON,
    /**
     * Mistral: {@code [TOOL_CALLS][{"name": ..., "arguments": {...}}, ...]}, or in newer templates
     * {@code [TOOL_CALLS]name[ARGS]{...}} (optionally {@code [CALL_ID]id} before {@code [ARGS]}), after optional
     * text. Ids are nine alphanumerics, which Mistral's templates require.
     */
    MISTRAL,
    /**
     * The model was not trained for tool calls (the registry's entries say so); tools are not offered to it and there
     * is nothing to parse.
     */
    NONE;

    /** Guesses the format from the markers a chat template writes, if any. */
    public static Optional<ToolCallFormat> fromChatTemplate(String template) {
        if (template.contains("<tool_call>")) {
            return Optional.of(HERMES);
        }
        if (template.contains("[TOOL_CALLS]")) {
            return Optional.of(MISTRAL);
        }
        if (template.contains("<|python_tag|>") || template.contains("<|start_header_id|>ipython")
                || (template.contains("<|start_header_id|>") && template.contains("\"parameters\""))) {
            return Optional.of(LLAMA3_JSON);
        }
        return Optional.empty();
    }
}
