package io.webllm.engine.output;

import io.webllm.engine.chat.ToolCall;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Turns the JSON a model wrote for a call into a {@link ToolCall}, tolerating the variants models produce. */
final class ToolCallJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ToolCallJson() {
    }

    /** The parsed JSON, or {@code null} when the text is not exactly one JSON value. */
    static @Nullable JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JacksonException e) {
            return null;
        }
    }

    /**
     * A call from {@code {"name": "...", "arguments": {...}}}; {@code "parameters"} is accepted for
     * {@code "arguments"} (Llama's spelling), arguments written as a string holding a JSON object are unwrapped, and
     * missing arguments mean none, and an {@code "id"} the model wrote is kept. Anything else is not a call:
     * {@code null}. An id is taken from {@code ids} only for a valid call, so seeded ids do not depend on failures.
     */
    static @Nullable ToolCall toCall(@Nullable JsonNode node, Supplier<String> ids) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode name = node.get("name");
        if (name == null || !name.isString() || name.stringValue().isBlank()) {
            return null;
        }
        JsonNode arguments = node.has("arguments") ? node.get("arguments") : node.get("parameters");
        String argumentsJson = arguments == null ? "{}" : argumentsJson(arguments);
        if (argumentsJson == null) {
            return null;
        }
        JsonNode id = node.get("id");
        String callId = id != null && id.isString() && !id.stringValue().isBlank() ? id.stringValue() : ids.get();
        return new ToolCall(callId, name.stringValue(), argumentsJson);
    }

    /** A compact JSON object, or {@code null} if the arguments are not an object (or a string holding one). */
    static @Nullable String argumentsJson(JsonNode arguments) {
        JsonNode object = arguments;
        if (arguments.isString()) {
            object = parse(arguments.stringValue());
        }
        return object != null && object.isObject() ? MAPPER.writeValueAsString(object) : null;
    }
}
