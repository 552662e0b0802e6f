package io.webllm.engine.chat;

/** A call of a tool the model asked for: {@code argumentsJson} is a JSON object as text, as OpenAI sends it. */
public record ToolCall(String id, String name, String argumentsJson) {
}
