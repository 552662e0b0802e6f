package io.webllm.engine.output;

/**
 * A function call the model asked for, in OpenAI's shape.
 *
 * @param id            the call's id, which the tool result must quote back
 * @param name          the function's name
 * @param argumentsJson the arguments as a compact JSON object
 */
public record ToolCall(String id, String name, String argumentsJson) {
}
