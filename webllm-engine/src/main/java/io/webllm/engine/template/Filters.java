package io.webllm.engine.template;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Jinja2's built-in filters with their Python results, and Hugging Face's {@code tojson} (json.dumps with
 * ensure_ascii off, optional indent, separators and sort_keys).
 */
final class Filters {

    static final Set<String> NAMES = Set.of("tojson", "trim", "length", "count", "upper", "lower", "title",
            "capitalize", "replace", "join", "first", "last", "default", "d", "string", "int", "float", "list",
            "items", "selectattr", "rejectattr", "map", "select", "reject", "safe", "escape", "e", "indent", "round",
            "abs", "unique", "dictsort", "sort", "reverse", "sum", "min", "max", "attr", "format", "center",
            "wordcount", "batch", "striptags", "truncate", "pprint", "forceescape", "mark_safe");

    private Filters() {
    }

    static @Nullable Object apply(String name, @Nullable Object v, Arguments a, Renderer r) {
        return switch (name) {
            case "tojson" -> tojson(v, a);
            case "trim" -> PyStrings.strip(PyValues.str(v), a.optionalString(0, "chars"));
            case "length", "count" -> PyValues.length(v);
            case "upper" -> PyStrings.upper(PyValues.str(v));
            case "lower" -> PyStrings.lower(PyValues.str(v));
            case "title" -> title(PyValues.str(v));
            case "capitalize" -> PyStrings.capitalize(PyValues.str(v));
            case "replace" -> PyStringMethods.replace(PyValues.str(v), PyValues.str(a.get(0, "old", Arguments.REQUIRED)),
                    PyValues.str(a.get(1, "new", Arguments.REQUIRED)), a.integer(2, "count", -1));
            case "join" -> join(v, a);
            case "first" -> {
                List<@Nullable Object> items = PyValues.iterate(v);
                yield items.isEmpty() ? new Undefined("No first item, sequence was empty.") : items.getFirst();
            }
            case "last" -> {
                List<@Nullable Object> items = PyValues.iterate(v);
                yield items.isEmpty() ? new Undefined("No last item, sequence was empty.") : items.getLast();
            }
            case "default", "d" -> {
                boolean useForFalsy = a.bool(1, "boolean", false);
                yield v instanceof Undefined || (useForFalsy && !PyValues.truth(v)) ? a.get(0, "default_value", "") : v;
            }
            case "string" -> PyValues.str(v);
            case "int" -> toInt(v, a);
            case "float" -> toFloat(v, a);
            case "list" -> new ArrayList<>(PyValues.iterate(v));
            case "items" -> {
                if (v instanceof Undefined) {
                    yield new ArrayList<>();
                }
                if (!(v instanceof Map<?, ?> map)) {
                    throw new PyException("TypeError: Can only get item pairs from a mapping.");
                }
                List<@Nullable Object> pairs = new ArrayList<>();
                map.forEach((k, x) -> pairs.add(new PyTuple(Arrays.asList(k, x))));
                yield pairs;
            }
            case "selectattr", "rejectattr" -> selectOrReject(v, a, r, true, name.equals("selectattr"));
            case "select", "reject" -> selectOrReject(v, a, r, false, name.equals("select"));
            case "map" -> map(v, a, r);
            case "safe", "mark_safe", "pprint" -> name.equals("pprint") ? PyValues.repr(v) : v;
            case "escape", "e", "forceescape" -> escape(PyValues.str(v));
            case "indent" -> indent(PyValues.str(v), a);
            case "round" -> round(v, a);
            case "abs" -> {
                Object n = number(v, name);
                yield n instanceof Double d ? (Object) Math.abs(d) : (Object) Math.abs(PyValues.toLong(n));
            }
            case "unique" -> unique(v, a);
            case "dictsort" -> dictsort(v, a);
            case "sort" -> sort(v, a);
            case "reverse" -> {
                if (v instanceof String s) {
                    yield new StringBuilder(s).reverse().toString();
                }
                List<@Nullable Object> items = new ArrayList<>(PyValues.iterate(v));
                java.util.Collections.reverse(items);
                yield items;
            }
            case "sum" -> sum(v, a);
            case "min", "max" -> minMax(v, a, name.equals("max"));
            case "attr" -> PyAttributes.getattr(v, PyValues.str(a.get(0, "name", Arguments.REQUIRED)));
            case "format" -> {
                if (a.size() > 0 && !a.keywords().isEmpty()) {
                    throw new PyException("FilterArgumentError: can't handle positional and keyword arguments at the"
                            + " same time");
                }
                yield PyFormat.percent(PyValues.str(v), a.keywords().isEmpty() ? new PyTuple(a.positional())
                        : new java.util.LinkedHashMap<Object, @Nullable Object>(a.keywords()));
            }
            case "center" -> PyStringMethods.call(PyValues.str(v), "center",
                    new Arguments("center", List.of(a.integer(0, "width", 80)), Map.of()));
            case "wordcount" -> (long) PyStrings.split(PyValues.str(v), null, -1).size();
            case "striptags" -> PyStrings.strip(PyValues.str(v).replaceAll("<[^>]*>", "").replaceAll("\\s+", " "),
                    null);
            case "truncate" -> truncate(PyValues.str(v), a);
            case "batch" -> batch(v, a);
            default -> throw new PyException("no filter named '" + name + "'");
        };
    }

    private static Object number(@Nullable Object v, String filter) {
        if (v instanceof Undefined u) {
            throw u.error();
        }
        if (!PyValues.isNumber(v)) {
            throw new PyException("TypeError: bad operand type for " + filter + "(): '" + PyValues.typeName(v) + "'");
        }
        return v;
    }

    private static String tojson(@Nullable Object v, Arguments a) {
        // Hugging Face: tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)
        boolean ensureAscii = a.bool(0, "ensure_ascii", false);
        Object indent = a.get(1, "indent", null);
        Object separators = a.get(2, "separators", null);
        boolean sortKeys = a.bool(3, "sort_keys", false);
        String indentText = switch (indent) {
            case null -> null;
            case String s -> s;
            case Long n -> " ".repeat((int) Math.max(0, n));
            default -> throw new PyException("TypeError: tojson indent must be an int or a string, not "
                    + PyValues.typeName(indent));
        };
        String itemSeparator = null;
        String keySeparator = null;
        if (separators != null) {
            List<@Nullable Object> parts = PyValues.iterate(separators);
            if (parts.size() != 2) {
                throw new PyException("ValueError: tojson separators must be a pair of strings");
            }
            itemSeparator = PyValues.str(parts.get(0));
            keySeparator = PyValues.str(parts.get(1));
        }
        return new PyJson(ensureAscii, indentText, itemSeparator, keySeparator, sortKeys).dumps(v);
    }

    /** Jinja's title filter: upper-cases the first letter after spaces, dashes and brackets. */
    private static String title(String s) {
        StringBuilder out = new StringBuilder();
        boolean wordStart = true;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            boolean separator = PyStrings.isSpace((char) cp) || "-({[<".indexOf(cp) >= 0;
            if (separator) {
                out.appendCodePoint(cp);
                wordStart = true;
            } else {
                out.appendCodePoint(wordStart ? Character.toUpperCase(cp) : Character.toLowerCase(cp));
                wordStart = false;
            }
        }
        return out.toString();
    }

    private static String join(@Nullable Object v, Arguments a) {
        String separator = PyValues.str(a.get(0, "d", ""));
        Object attribute = a.get(1, "attribute", null);
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (Object item : PyValues.iterate(v)) {
            if (!first) {
                out.append(separator);
            }
            first = false;
            out.append(PyValues.str(attribute == null ? item : attributePath(item, attribute)));
        }
        return out.toString();
    }

    /** Jinja's attribute getter for filters: dotted path, integer parts as indexes, item lookup first. */
    static @Nullable Object attributePath(@Nullable Object item, Object attribute) {
        if (!(attribute instanceof String path)) {
            return PyAttributes.getitem(item, attribute);
        }
        Object current = item;
        for (String part : path.split("\\.")) {
            Object key = part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Long.parseLong(part)
                    : part;
            current = PyAttributes.getitem(current, key);
        }
        return current;
    }

    private static Object toInt(@Nullable Object v, Arguments a) {
        Object fallback = a.get(0, "default", 0L);
        long base = a.integer(1, "base", 10);
        return switch (v) {
            case Boolean b -> b ? 1L : 0L;
            case Long l -> l;
            case Double d -> Double.isFinite(d) ? (Object) (long) (double) d : fallback;
            case String s -> {
                String t = PyStrings.strip(s, null).replace("_", "");
                try {
                    yield parseInt(t, (int) base);
                } catch (NumberFormatException e) {
                    try {
                        double d = Double.parseDouble(t);
                        yield Double.isFinite(d) ? (Object) (long) d : fallback;
                    } catch (NumberFormatException e2) {
                        yield fallback;
                    }
                }
            }
            case null, default -> fallback;
        };
    }

    /** Python's {@code int(text, base)}: sign, and a 0x/0o/0b prefix matching the base (or base 0 to infer). */
    private static long parseInt(String text, int base) {
        String t = text;
        boolean negative = t.startsWith("-");
        if (negative || t.startsWith("+")) {
            t = t.substring(1);
        }
        String lower = PyStrings.lower(t);
        int radix = base;
        for (int[] prefix : new int[][] {{'x', 16}, {'o', 8}, {'b', 2}}) {
            if (lower.length() > 2 && lower.charAt(0) == '0' && lower.charAt(1) == prefix[0]
                    && (base == 0 || base == prefix[1])) {
                t = t.substring(2);
                radix = prefix[1];
            }
        }
        if (radix == 0) {
            radix = 10;
        }
        if (t.isEmpty() || t.startsWith("-") || t.startsWith("+")) {
            throw new NumberFormatException(text);
        }
        long value = Long.parseLong(t, radix);
        return negative ? -value : value;
    }

    private static Object toFloat(@Nullable Object v, Arguments a) {
        Object fallback = a.get(0, "default", 0.0);
        return switch (v) {
            case Boolean b -> b ? 1.0 : 0.0;
            case Long l -> l.doubleValue();
            case Double d -> d;
            case String s -> {
                try {
                    String t = PyStrings.strip(s, null);
                    yield switch (PyStrings.lower(t)) {
                        case "inf", "+inf", "infinity" -> Double.POSITIVE_INFINITY;
                        case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
                        case "nan" -> Double.NaN;
                        default -> t.matches("[+-]?(\\d[\\d_]*\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")
                                ? Double.parseDouble(t.replace("_", "")) : fallback;
                    };
                } catch (NumberFormatException e) {
                    yield fallback;
                }
            }
            case null, default -> fallback;
        };
    }

    private static List<@Nullable Object> selectOrReject(@Nullable Object v, Arguments a, Renderer r,
            boolean byAttribute, boolean select) {
        int next = 0;
        Object attribute = null;
        if (byAttribute) {
            attribute = a.get(0, "attribute", Arguments.REQUIRED);
            next = 1;
        }
        String test = a.size() > next ? PyValues.str(a.positional().get(next)) : null;
        List<@Nullable Object> testArgs = a.size() > next + 1 ? a.positional().subList(next + 1, a.size()) : List.of();
        List<@Nullable Object> out = new ArrayList<>();
        for (Object item : PyValues.iterate(v)) {
            Object subject = byAttribute ? attributePath(item, attribute) : item;
            boolean passed = test == null ? PyValues.truth(subject)
                    : r.test(test, subject, new Arguments(test, testArgs, Map.of()));
            if (passed == select) {
                out.add(item);
            }
        }
        return out;
    }

    private static List<@Nullable Object> map(@Nullable Object v, Arguments a, Renderer r) {
        List<@Nullable Object> out = new ArrayList<>();
        if (a.keywords().containsKey("attribute")) {
            Object attribute = a.keywords().get("attribute");
            boolean hasDefault = a.keywords().containsKey("default");
            for (Object item : PyValues.iterate(v)) {
                Object value = attributePath(item, attribute);
                out.add(hasDefault && value instanceof Undefined ? a.keywords().get("default") : value);
            }
            return out;
        }
        if (a.size() == 0) {
            throw new PyException("TypeError: map requires a filter argument");
        }
        String filter = PyValues.str(a.positional().getFirst());
        Arguments rest = new Arguments(filter, a.positional().subList(1, a.size()), a.keywords());
        for (Object item : PyValues.iterate(v)) {
            out.add(r.filter(filter, item, rest));
        }
        return out;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;")
                .replace("'", "&#39;");
    }

    private static String indent(String s, Arguments a) {
        Object width = a.get(0, "width", 4L);
        boolean first = a.bool(1, "first", false);
        boolean blank = a.bool(2, "blank", false);
        String indention = width instanceof String w ? w : " ".repeat((int) PyValues.toLong(width));
        List<String> lines = new ArrayList<>(PyStrings.splitlines(s + "\n"));
        String rv;
        if (blank) {
            rv = String.join("\n" + indention, lines);
        } else {
            StringBuilder out = new StringBuilder(lines.removeFirst());
            if (!lines.isEmpty()) {
                out.append('\n');
                for (int i = 0; i < lines.size(); i++) {
                    out.append(i > 0 ? "\n" : "").append(lines.get(i).isEmpty() ? "" : indention + lines.get(i));
                }
            }
            rv = out.toString();
        }
        return first ? indention + rv : rv;
    }

    private static Object round(@Nullable Object v, Arguments a) {
        long precision = a.integer(0, "precision", 0);
        String method = PyValues.str(a.get(1, "method", "common"));
        Object number = number(v, "round");
        if (method.equals("common")) {
            if (PyValues.isInteger(number)) {
                return PyValues.toLong(number);
            }
            double d = PyValues.toDouble(number);
            if (!Double.isFinite(d)) {
                return d;
            }
            return new BigDecimal(d).setScale((int) precision, RoundingMode.HALF_EVEN).doubleValue();
        }
        double scale = Math.pow(10, precision);
        double d = PyValues.toDouble(number) * scale;
        return switch (method) {
            case "ceil" -> Math.ceil(d) / scale;
            case "floor" -> Math.floor(d) / scale;
            default -> throw new PyException("FilterArgumentError: method must be common, ceil or floor");
        };
    }

    /** Sort key as Jinja builds it: strings lower-cased unless case_sensitive. */
    private static @Nullable Object sortKey(@Nullable Object v, boolean caseSensitive) {
        return !caseSensitive && v instanceof String s ? PyStrings.lower(s) : v;
    }

    private static List<@Nullable Object> unique(@Nullable Object v, Arguments a) {
        boolean caseSensitive = a.bool(0, "case_sensitive", false);
        Object attribute = a.get(1, "attribute", null);
        List<@Nullable Object> seen = new ArrayList<>();
        List<@Nullable Object> out = new ArrayList<>();
        for (Object item : PyValues.iterate(v)) {
            Object key = sortKey(attribute == null ? item : attributePath(item, attribute), caseSensitive);
            if (seen.stream().noneMatch(k -> PyValues.equal(k, key))) {
                seen.add(key);
                out.add(item);
            }
        }
        return out;
    }

    private static List<@Nullable Object> dictsort(@Nullable Object v, Arguments a) {
        boolean caseSensitive = a.bool(0, "case_sensitive", false);
        String by = PyValues.str(a.get(1, "by", "key"));
        boolean reverse = a.bool(2, "reverse", false);
        int position = switch (by) {
            case "key" -> 0;
            case "value" -> 1;
            default -> throw new PyException("FilterArgumentError: You can only sort by either \"key\" or \"value\"");
        };
        List<@Nullable Object> pairs = new ArrayList<>();
        PyOperators.requireMap(v, "dictsort").forEach((k, x) -> pairs.add(new PyTuple(Arrays.asList(k, x))));
        Comparator<@Nullable Object> order = (x, y) -> PyValues.compare(
                sortKey(((PyTuple) x).items().get(position), caseSensitive),
                sortKey(((PyTuple) y).items().get(position), caseSensitive), "<");
        pairs.sort(reverse ? order.reversed() : order);
        return pairs;
    }

    private static List<@Nullable Object> sort(@Nullable Object v, Arguments a) {
        boolean reverse = a.bool(0, "reverse", false);
        boolean caseSensitive = a.bool(1, "case_sensitive", false);
        Object attribute = a.get(2, "attribute", null);
        List<@Nullable Object> items = new ArrayList<>(PyValues.iterate(v));
        Comparator<@Nullable Object> order = (x, y) -> PyValues.compare(
                sortKey(attribute == null ? x : attributePath(x, attribute), caseSensitive),
                sortKey(attribute == null ? y : attributePath(y, attribute), caseSensitive), "<");
        items.sort(reverse ? order.reversed() : order);
        return items;
    }

    private static @Nullable Object sum(@Nullable Object v, Arguments a) {
        Object attribute = a.get(0, "attribute", null);
        Object total = a.get(1, "start", 0L);
        for (Object item : PyValues.iterate(v)) {
            total = PyOperators.binary("+", total, attribute == null ? item : attributePath(item, attribute));
        }
        return total;
    }

    private static @Nullable Object minMax(@Nullable Object v, Arguments a, boolean max) {
        boolean caseSensitive = a.bool(0, "case_sensitive", false);
        Object attribute = a.get(1, "attribute", null);
        List<@Nullable Object> items = PyValues.iterate(v);
        if (items.isEmpty()) {
            return new Undefined("No aggregated item, sequence was empty.");
        }
        Object best = items.getFirst();
        for (Object item : items.subList(1, items.size())) {
            int c = PyValues.compare(sortKey(attribute == null ? item : attributePath(item, attribute), caseSensitive),
                    sortKey(attribute == null ? best : attributePath(best, attribute), caseSensitive), "<");
            if (max ? c > 0 : c < 0) {
                best = item;
            }
        }
        return best;
    }

    private static String truncate(String s, Arguments a) {
        long length = a.integer(0, "length", 255);
        boolean killwords = a.bool(1, "killwords", false);
        String end = PyValues.str(a.get(2, "end", "..."));
        long leeway = a.integer(3, "leeway", 5);
        if (s.length() <= length + leeway) {
            return s;
        }
        if (killwords) {
            return s.substring(0, (int) Math.max(0, length - end.length())) + end;
        }
        String cut = s.substring(0, (int) Math.max(0, length - end.length()));
        int space = cut.lastIndexOf(' ');
        return (space >= 0 ? cut.substring(0, space) : cut) + end;
    }

    private static List<@Nullable Object> batch(@Nullable Object v, Arguments a) {
        long size = a.integer(0, "linecount", 1);
        Object fill = a.get(1, "fill_with", null);
        boolean pad = a.has(1, "fill_with");
        List<@Nullable Object> out = new ArrayList<>();
        List<@Nullable Object> current = new ArrayList<>();
        for (Object item : PyValues.iterate(v)) {
            current.add(item);
            if (current.size() == size) {
                out.add(current);
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) {
            while (pad && current.size() < size) {
                current.add(fill);
            }
            out.add(current);
        }
        return out;
    }
}
