package io.webllm.engine.template;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Python's {@code json.dumps} as Hugging Face's {@code tojson} filter calls it: separators {@code ", "} and
 * {@code ": "} (or {@code ","} between items once indented), non-ASCII kept unless ensure_ascii, floats as
 * {@code repr}.
 */
final class PyJson {

    private final boolean ensureAscii;
    private final @Nullable String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;

    PyJson(boolean ensureAscii, @Nullable String indent, @Nullable String itemSeparator,
            @Nullable String keySeparator, boolean sortKeys) {
        this.ensureAscii = ensureAscii;
        this.indent = indent;
        this.itemSeparator = itemSeparator != null ? itemSeparator : indent != null ? "," : ", ";
        this.keySeparator = keySeparator != null ? keySeparator : ": ";
        this.sortKeys = sortKeys;
    }

    String dumps(@Nullable Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, 0);
        return out.toString();
    }

    private void write(@Nullable Object value, StringBuilder out, int level) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case Long l -> out.append(l);
            case Double d -> out.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d)
                    ? (d > 0 ? "Infinity" : "-Infinity") : PyValues.floatRepr(d));
            case String s -> string(s, out);
            case Map<?, ?> map -> object(map, out, level);
            case Collection<?> items -> array(items, out, level);
            case PyTuple t -> array(t.items(), out, level);
            default -> throw new PyException("TypeError: Object of type " + PyValues.typeName(value)
                    + " is not JSON serializable");
        }
    }

    private void array(Collection<?> items, StringBuilder out, int level) {
        if (items.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        boolean first = true;
        for (Object item : items) {
            if (!first) {
                out.append(itemSeparator);
            }
            first = false;
            newline(out, level + 1);
            write(item, out, level + 1);
        }
        newline(out, level);
        out.append(']');
    }

    private void object(Map<?, ?> map, StringBuilder out, int level) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        List<Map.Entry<String, Object>> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            entries.add(new java.util.AbstractMap.SimpleEntry<>(key(e.getKey()), e.getValue()));
        }
        if (sortKeys) {
            entries.sort(Map.Entry.comparingByKey());
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : entries) {
            if (!first) {
                out.append(itemSeparator);
            }
            first = false;
            newline(out, level + 1);
            string(e.getKey(), out);
            out.append(keySeparator);
            write(e.getValue(), out, level + 1);
        }
        newline(out, level);
        out.append('}');
    }

    private static String key(@Nullable Object key) {
        return switch (key) {
            case String s -> s;
            case null -> "null";
            case Boolean b -> b ? "true" : "false";
            case Long l -> l.toString();
            case Double d -> PyValues.floatRepr(d);
            default -> throw new PyException("TypeError: keys must be str, int, float, bool or None, not "
                    + PyValues.typeName(key));
        };
    }

    private void newline(StringBuilder out, int level) {
        if (indent != null) {
            out.append('\n').append(indent.repeat(level));
        }
    }

    private void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
