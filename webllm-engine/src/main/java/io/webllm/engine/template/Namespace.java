package io.webllm.engine.template;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/** The mutable attribute bag of Jinja's {@code namespace()}, the one object templates may assign into. */
final class Namespace {

    private final Map<String, @Nullable Object> attributes = new LinkedHashMap<>();

    boolean has(String name) {
        return attributes.containsKey(name);
    }

    @Nullable Object get(String name) {
        return attributes.get(name);
    }

    void set(String name, @Nullable Object value) {
        attributes.put(name, value);
    }

    Map<String, @Nullable Object> attributes() {
        return attributes;
    }
}
