package io.webllm.engine.template;

import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Variables visible at one point of rendering. As in Jinja2, each for-loop iteration, macro call and
 * {@code with} block gets a child scope, so assignments inside them do not leak out; {@code if} does not.
 */
final class Scope {

    /** Returned by {@link #lookup} for a name bound nowhere (distinct from a variable holding None). */
    static final Object MISSING = new Object();

    private final @Nullable Scope parent;
    private final Map<String, @Nullable Object> variables = new HashMap<>();

    Scope(@Nullable Scope parent) {
        this.parent = parent;
    }

    @Nullable Object lookup(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            if (s.variables.containsKey(name)) {
                return s.variables.get(name);
            }
        }
        return MISSING;
    }

    void set(String name, @Nullable Object value) {
        variables.put(name, value);
    }
}
