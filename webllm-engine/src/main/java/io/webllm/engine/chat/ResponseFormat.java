package io.webllm.engine.chat;

import org.jspecify.annotations.Nullable;

/** Plain text, any JSON object, or JSON valid against a schema (JSON text); the JSON kinds are enforced while decoding. */
public record ResponseFormat(Type type, @Nullable String schema) {

    public enum Type { TEXT, JSON_OBJECT, JSON_SCHEMA }

    public static final ResponseFormat TEXT = new ResponseFormat(Type.TEXT, null);
    public static final ResponseFormat JSON_OBJECT = new ResponseFormat(Type.JSON_OBJECT, null);

    public static ResponseFormat jsonSchema(String schema) {
        return new ResponseFormat(Type.JSON_SCHEMA, schema);
    }
}
