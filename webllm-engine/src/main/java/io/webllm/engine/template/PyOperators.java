package io.webllm.engine.template;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/** Python 3 operators: arithmetic with int/float promotion, floor division and modulo, {@code in}, slicing. */
final class PyOperators {

    private PyOperators() {
    }

    static @Nullable Object binary(String op, @Nullable Object a, @Nullable Object b) {
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        if (PyValues.isNumber(a) && PyValues.isNumber(b)) {
            return numeric(op, a, b);
        }
        switch (op) {
            case "+" -> {
                if (a instanceof String x && b instanceof String y) {
                    return x + y;
                }
                if (a instanceof List<?> x && b instanceof List<?> y) {
                    List<@Nullable Object> out = new ArrayList<>(x);
                    out.addAll(y);
                    return out;
                }
                if (a instanceof PyTuple x && b instanceof PyTuple y) {
                    List<@Nullable Object> out = new ArrayList<>(x.items());
                    out.addAll(y.items());
                    return new PyTuple(out);
                }
                if (a instanceof String || a instanceof List || a instanceof PyTuple) {
                    throw new PyException("TypeError: can only concatenate " + PyValues.typeName(a) + " (not \""
                            + PyValues.typeName(b) + "\") to " + PyValues.typeName(a));
                }
            }
            case "*" -> {
                if (PyValues.isInteger(b) && !(a instanceof Boolean)) {
                    Object repeated = repeat(a, PyValues.toLong(b));
                    if (repeated != null) {
                        return repeated;
                    }
                }
                if (PyValues.isInteger(a)) {
                    Object repeated = repeat(b, PyValues.toLong(a));
                    if (repeated != null) {
                        return repeated;
                    }
                }
            }
            case "%" -> {
                if (a instanceof String format) {
                    return PyFormat.percent(format, b);
                }
            }
            default -> { }
        }
        throw new PyException("TypeError: unsupported operand type(s) for " + op + ": '" + PyValues.typeName(a)
                + "' and '" + PyValues.typeName(b) + "'");
    }

    private static @Nullable Object repeat(@Nullable Object seq, long times) {
        if (seq instanceof String s) {
            return times <= 0 ? "" : s.repeat((int) times);
        }
        if (seq instanceof List<?> list) {
            List<@Nullable Object> out = new ArrayList<>();
            for (long i = 0; i < times; i++) {
                out.addAll(list);
            }
            return out;
        }
        return null;
    }

    private static Object numeric(String op, Object a, Object b) {
        boolean floating = a instanceof Double || b instanceof Double;
        if (op.equals("/")) {
            double divisor = PyValues.toDouble(b);
            if (divisor == 0) {
                throw new PyException("ZeroDivisionError: division by zero");
            }
            return PyValues.toDouble(a) / divisor;
        }
        if (floating) {
            double x = PyValues.toDouble(a);
            double y = PyValues.toDouble(b);
            return switch (op) {
                case "+" -> x + y;
                case "-" -> x - y;
                case "*" -> x * y;
                case "**" -> Math.pow(x, y);
                case "//" -> {
                    zeroCheck(y == 0, "float floor division by zero");
                    yield Math.floor(x / y);
                }
                case "%" -> {
                    zeroCheck(y == 0, "float modulo");
                    double r = x % y;
                    yield r != 0 && (r < 0) != (y < 0) ? r + y : r;
                }
                default -> throw new PyException("unknown operator " + op);
            };
        }
        long x = PyValues.toLong(a);
        long y = PyValues.toLong(b);
        return switch (op) {
            case "+" -> Math.addExact(x, y);
            case "-" -> Math.subtractExact(x, y);
            case "*" -> Math.multiplyExact(x, y);
            case "**" -> {
                // Python: int ** negative int is a float; otherwise an exact int.
                if (y < 0) {
                    yield (Object) Math.pow(x, y);
                }
                yield (Object) BigDecimal.valueOf(x).pow((int) y).longValueExact();
            }
            case "//" -> {
                zeroCheck(y == 0, "integer division or modulo by zero");
                yield Math.floorDiv(x, y);
            }
            case "%" -> {
                zeroCheck(y == 0, "integer modulo by zero");
                yield Math.floorMod(x, y);
            }
            default -> throw new PyException("unknown operator " + op);
        };
    }

    private static void zeroCheck(boolean zero, String message) {
        if (zero) {
            throw new PyException("ZeroDivisionError: " + message);
        }
    }

    static Object negate(@Nullable Object v) {
        return switch (v) {
            case Long l -> -l;
            case Double d -> -d;
            case Boolean b -> b ? -1L : 0L;
            case Undefined u -> throw u.error();
            case null, default -> throw new PyException("TypeError: bad operand type for unary -: '"
                    + PyValues.typeName(v) + "'");
        };
    }

    static Object plus(@Nullable Object v) {
        return switch (v) {
            case Long l -> l;
            case Double d -> d;
            case Boolean b -> b ? 1L : 0L;
            case Undefined u -> throw u.error();
            case null, default -> throw new PyException("TypeError: bad operand type for unary +: '"
                    + PyValues.typeName(v) + "'");
        };
    }

    /** Python {@code item in container}. */
    static boolean contains(@Nullable Object container, @Nullable Object item) {
        return switch (container) {
            case String s -> {
                if (!(item instanceof String sub)) {
                    throw new PyException("TypeError: 'in <string>' requires string as left operand, not "
                            + PyValues.typeName(item));
                }
                yield s.contains(sub);
            }
            case Map<?, ?> m -> m.containsKey(item) || (item instanceof Long l && m.containsKey(l.doubleValue()));
            case Collection<?> c -> c.stream().anyMatch(x -> PyValues.equal(x, item));
            case PyTuple t -> t.items().stream().anyMatch(x -> PyValues.equal(x, item));
            case Undefined u -> false;
            case null, default -> throw new PyException("TypeError: argument of type '"
                    + PyValues.typeName(container) + "' is not iterable");
        };
    }

    /** {@code seq[lower:upper:step]} on strings (by code point), lists and tuples. */
    static Object slice(@Nullable Object seq, @Nullable Object lower, @Nullable Object upper, @Nullable Object step) {
        long st = step == null ? 1 : sliceIndex(step);
        if (st == 0) {
            throw new PyException("ValueError: slice step cannot be zero");
        }
        return switch (seq) {
            case String s -> {
                int[] cps = PyStrings.codePoints(s);
                StringBuilder out = new StringBuilder();
                for (int i : indices(cps.length, lower, upper, st)) {
                    out.appendCodePoint(cps[i]);
                }
                yield out.toString();
            }
            case List<?> list -> pick(list, lower, upper, st);
            case PyTuple t -> new PyTuple(pick(t.items(), lower, upper, st));
            case Undefined u -> throw u.error();
            case null, default -> throw new PyException("TypeError: '" + PyValues.typeName(seq)
                    + "' object is not subscriptable");
        };
    }

    private static List<@Nullable Object> pick(List<?> list, @Nullable Object lower, @Nullable Object upper,
            long step) {
        List<@Nullable Object> out = new ArrayList<>();
        for (int i : indices(list.size(), lower, upper, step)) {
            out.add(list.get(i));
        }
        return out;
    }

    private static long sliceIndex(Object v) {
        if (PyValues.isInteger(v)) {
            return PyValues.toLong(v);
        }
        throw new PyException("TypeError: slice indices must be integers or None, not " + PyValues.typeName(v));
    }

    /** Python's {@code slice.indices(length)} expanded into the positions it selects. */
    private static List<Integer> indices(int length, @Nullable Object lower, @Nullable Object upper, long step) {
        long start;
        long stop;
        if (step > 0) {
            start = lower == null ? 0 : clamp(sliceIndex(lower), length, 0, length);
            stop = upper == null ? length : clamp(sliceIndex(upper), length, 0, length);
        } else {
            start = lower == null ? length - 1 : clamp(sliceIndex(lower), length, -1, length - 1);
            stop = upper == null ? -1 : clamp(sliceIndex(upper), length, -1, length - 1);
        }
        List<Integer> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add((int) i);
        }
        return out;
    }

    private static long clamp(long index, int length, long low, long high) {
        if (index < 0) {
            index += length;
        }
        return Math.max(low, Math.min(high, index));
    }

    /** Item by Python index (negative from the end); null when out of range. */
    static boolean inRange(long index, int size) {
        return index >= -size && index < size;
    }

    static Map<?, ?> requireMap(@Nullable Object v, String what) {
        if (v instanceof Map<?, ?> m) {
            return m;
        }
        throw new PyException("TypeError: " + what + " expects a mapping, got " + PyValues.typeName(v));
    }
}
