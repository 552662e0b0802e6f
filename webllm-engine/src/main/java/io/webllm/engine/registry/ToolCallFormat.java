package io.webllm.engine.registry;

/**
 * How a model writes tool calls in its output, which decides how the engine parses them.
 */
public enum ToolCallFormat {
    /** {@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>}: Hermes, Qwen2.5, Qwen3. */
    HERMES,
    /** A bare JSON object {@code {"name": ..., "parameters": {...}}}: Llama 3.1 and 3.2. */
    LLAMA3_JSON,
    /** {@code [TOOL_CALLS] [{"name": ..., "arguments": {...}}]}: Mistral v0.3 and later. */
    MISTRAL,
    /** The model was not trained for tool calls; tools are not offered to it. */
    NONE
}
