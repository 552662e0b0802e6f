package io.webllm.engine.template;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/** The arguments of one call to a filter, test or method, read by position or keyword as Python binds them. */
final class Arguments {

    /** Marker default: the argument must be given. */
    static final Object REQUIRED = new Object();

    private final String function;
    private final List<@Nullable Object> positional;
    private final Map<String, @Nullable Object> keywords;

    Arguments(String function, List<@Nullable Object> positional, Map<String, @Nullable Object> keywords) {
        this.function = function;
        this.positional = positional;
        this.keywords = keywords;
    }

    int size() {
        return positional.size();
    }

    List<@Nullable Object> positional() {
        return positional;
    }

    Map<String, @Nullable Object> keywords() {
        return keywords;
    }

    @Nullable Object get(int index, String name, @Nullable Object defaultValue) {
        if (index < positional.size()) {
            return positional.get(index);
        }
        if (keywords.containsKey(name)) {
            return keywords.get(name);
        }
        if (defaultValue == REQUIRED) {
            throw new PyException("TypeError: " + function + "() missing required argument '" + name + "'");
        }
        return defaultValue;
    }

    boolean has(int index, String name) {
        return index < positional.size() || keywords.containsKey(name);
    }

    String string(int index, String name, @Nullable String defaultValue) {
        Object v = get(index, name, defaultValue == null ? REQUIRED : defaultValue);
        if (v instanceof String s) {
            return s;
        }
        throw new PyException("TypeError: " + function + "() argument '" + name + "' must be str, not "
                + PyValues.typeName(v));
    }

    @Nullable String optionalString(int index, String name) {
        Object v = get(index, name, null);
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        throw new PyException("TypeError: " + function + "() argument '" + name + "' must be str or None, not "
                + PyValues.typeName(v));
    }

    long integer(int index, String name, long defaultValue) {
        Object v = get(index, name, defaultValue);
        if (PyValues.isInteger(v)) {
            return PyValues.toLong(v);
        }
        throw new PyException("TypeError: " + function + "() argument '" + name + "' must be int, not "
                + PyValues.typeName(v));
    }

    boolean bool(int index, String name, boolean defaultValue) {
        return PyValues.truth(get(index, name, defaultValue));
    }

    /** Rejects more positional arguments than the function takes. */
    void done(int maxPositional) {
        if (positional.size() > maxPositional) {
            throw new PyException("TypeError: " + function + "() takes at most " + maxPositional
                    + " argument(s) (" + positional.size() + " given)");
        }
    }
}
