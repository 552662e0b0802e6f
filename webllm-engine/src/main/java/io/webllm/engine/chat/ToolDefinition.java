package io.webllm.engine.chat;

/**
 * A function the model may call.
 *
 * @param parametersSchema the JSON Schema of the arguments object, as JSON text
 */
public record ToolDefinition(String name, String description, String parametersSchema) {
}
