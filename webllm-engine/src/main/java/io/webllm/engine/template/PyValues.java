package io.webllm.engine.template;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Python's view of the values a template handles: {@code null} is None, {@link Long} int, {@link Double} float,
 * {@link List} list, {@link Map} dict (insertion ordered), {@link PyTuple} tuple. Printing, truth, equality,
 * ordering, iteration and length follow Python 3.
 */
final class PyValues {

    private PyValues() {
    }

    /** Deep copy of caller data into the interpreter's types (ints to Long, floats to Double, maps ordered). */
    static @Nullable Object fromJava(@Nullable Object value, String path) {
        return switch (value) {
            case null -> null;
            case String s -> s;
            case CharSequence cs -> cs.toString();
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> i.longValue();
            case Short s -> s.longValue();
            case Byte b -> b.longValue();
            case Double d -> d;
            case Float f -> Double.parseDouble(f.toString());
            case java.math.BigInteger bi -> bi.longValueExact();
            case BigDecimal bd -> bd.doubleValue();
            case Map<?, ?> map -> {
                Map<Object, @Nullable Object> copy = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    Object key = fromJava(e.getKey(), path);
                    copy.put(key, fromJava(e.getValue(), path + "." + e.getKey()));
                }
                yield copy;
            }
            case Collection<?> items -> {
                List<@Nullable Object> copy = new ArrayList<>(items.size());
                int i = 0;
                for (Object item : items) {
                    copy.add(fromJava(item, path + "[" + i++ + "]"));
                }
                yield copy;
            }
            case Object[] items -> fromJava(List.of(items), path);
            default -> throw new IllegalArgumentException("template context value at " + path
                    + " must be a string, number, boolean, null, list or map, but was a "
                    + value.getClass().getName());
        };
    }

    static boolean isNumber(@Nullable Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static boolean isInteger(@Nullable Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static long toLong(@Nullable Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return (Long) v;
    }

    static double toDouble(@Nullable Object v) {
        if (v instanceof Double d) {
            return d;
        }
        return toLong(v);
    }

    static String typeName(@Nullable Object v) {
        return switch (v) {
            case null -> "NoneType";
            case Boolean b -> "bool";
            case Long l -> "int";
            case Double d -> "float";
            case String s -> "str";
            case List<?> l -> "list";
            case PyTuple t -> "tuple";
            case Map<?, ?> m -> "dict";
            case Undefined u -> "Undefined";
            case Namespace n -> "Namespace";
            case LoopContext l -> "LoopContext";
            case PyCallable c -> "function";
            default -> v.getClass().getSimpleName();
        };
    }

    /** How Jinja names an object in "has no attribute" messages: {@code 'dict object'}, {@code 'None'}. */
    static String objectTypeRepr(@Nullable Object v) {
        if (v == null) {
            return "'None'";
        }
        return "'" + typeName(v) + " object'";
    }

    static boolean truth(@Nullable Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0.0;
            case String s -> !s.isEmpty();
            case Collection<?> c -> !c.isEmpty();
            case PyTuple t -> !t.items().isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case Undefined u -> false;
            default -> true;
        };
    }

    /** {@code str(v)}. */
    static String str(@Nullable Object v) {
        return switch (v) {
            case null -> "None";
            case String s -> s;
            case Undefined u -> "";
            default -> repr(v);
        };
    }

    /** {@code repr(v)}, which is also how containers print their items. */
    static String repr(@Nullable Object v) {
        return switch (v) {
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case Long l -> l.toString();
            case Double d -> floatRepr(d);
            case String s -> PyStrings.repr(s);
            case List<?> list -> join(list, "[", "]", false);
            case PyTuple t -> join(t.items(), "(", ")", t.items().size() == 1);
            case Map<?, ?> map -> {
                StringBuilder out = new StringBuilder("{");
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!first) {
                        out.append(", ");
                    }
                    first = false;
                    out.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                }
                yield out.append('}').toString();
            }
            case Undefined u -> "Undefined";
            case Namespace n -> "<Namespace " + repr(n.attributes()) + ">";
            case LoopContext l -> "<LoopContext " + l.index() + "/" + l.length() + ">";
            case PyCallable c -> "<function>";
            default -> v.toString();
        };
    }

    private static String join(List<?> items, String open, String close, boolean trailingComma) {
        StringBuilder out = new StringBuilder(open);
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            out.append(repr(items.get(i)));
        }
        if (trailingComma) {
            out.append(',');
        }
        return out.append(close).toString();
    }

    /** Python's {@code repr(float)}: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = exact.unscaledValue().abs().toString();
        int exponent = digits.length() - exact.scale() - 1;
        String sign = d < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            String plain = exact.abs().toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
        String exp = String.format("%02d", Math.abs(exponent));
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exp;
    }

    /** Python {@code ==}: numbers by value across int/float/bool, containers deeply, undefined equals undefined. */
    static boolean equal(@Nullable Object a, @Nullable Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Double || b instanceof Double) {
                return toDouble(a) == toDouble(b);
            }
            return toLong(a) == toLong(b);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            return equalItems(x, y);
        }
        if (a instanceof PyTuple x && b instanceof PyTuple y) {
            return equalItems(x.items(), y.items());
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !equal(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Undefined && b instanceof Undefined) {
            return true;
        }
        return a.equals(b);
    }

    private static boolean equalItems(List<?> x, List<?> y) {
        if (x.size() != y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            if (!equal(x.get(i), y.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Python ordering ({@code <} and friends); mixing unorderable types is a TypeError as in Python. */
    static int compare(@Nullable Object a, @Nullable Object b, String operator) {
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Double || b instanceof Double) {
                return Double.compare(toDouble(a), toDouble(b));
            }
            return Long.compare(toLong(a), toLong(b));
        }
        if (a instanceof String x && b instanceof String y) {
            return Integer.signum(x.compareTo(y));
        }
        List<?> xs = a instanceof List<?> l ? l : a instanceof PyTuple t ? t.items() : null;
        List<?> ys = b instanceof List<?> l ? l : b instanceof PyTuple t ? t.items() : null;
        if (xs != null && ys != null && (a instanceof List) == (b instanceof List)) {
            for (int i = 0; i < Math.min(xs.size(), ys.size()); i++) {
                if (!equal(xs.get(i), ys.get(i))) {
                    return compare(xs.get(i), ys.get(i), operator);
                }
            }
            return Integer.compare(xs.size(), ys.size());
        }
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        throw new PyException("TypeError: '" + operator + "' not supported between instances of '" + typeName(a)
                + "' and '" + typeName(b) + "'");
    }

    /** {@code iter(v)} materialized: list items, dict keys, string characters; undefined iterates as empty. */
    static List<@Nullable Object> iterate(@Nullable Object v) {
        return switch (v) {
            case List<?> list -> castList(list);
            case PyTuple t -> t.items();
            case Map<?, ?> map -> new ArrayList<>(map.keySet());
            case String s -> {
                List<@Nullable Object> chars = new ArrayList<>();
                s.codePoints().forEach(cp -> chars.add(Character.toString(cp)));
                yield chars;
            }
            case Undefined u -> List.of();
            case null, default -> throw new PyException("TypeError: '" + typeName(v) + "' object is not iterable");
        };
    }

    @SuppressWarnings("unchecked")
    private static List<@Nullable Object> castList(List<?> list) {
        return (List<@Nullable Object>) list;
    }

    static long length(@Nullable Object v) {
        return switch (v) {
            case String s -> s.codePointCount(0, s.length());
            case Collection<?> c -> c.size();
            case PyTuple t -> t.items().size();
            case Map<?, ?> m -> m.size();
            case Undefined u -> 0;
            case null, default -> throw new PyException("TypeError: object of type '" + typeName(v)
                    + "' has no len()");
        };
    }
}
