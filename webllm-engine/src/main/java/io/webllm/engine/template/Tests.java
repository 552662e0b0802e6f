package io.webllm.engine.template;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/** Jinja2's built-in tests ({@code x is defined}, {@code x is string}...), with Python's type rules. */
final class Tests {

    static final Set<String> NAMES = Set.of("defined", "undefined", "none", "string", "mapping", "iterable",
            "sequence", "number", "integer", "float", "boolean", "true", "false", "callable", "equalto", "eq", "==",
            "ne", "!=", "lt", "<", "lessthan", "le", "<=", "gt", ">", "greaterthan", "ge", ">=", "in", "odd", "even",
            "divisibleby", "sameas", "lower", "upper", "escaped", "filter", "test");

    private Tests() {
    }

    static boolean apply(String name, @Nullable Object v, Arguments a) {
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "mapping" -> v instanceof Map;
            case "iterable" -> v instanceof String || v instanceof Collection || v instanceof PyTuple
                    || v instanceof Map || v instanceof Undefined;
            case "sequence" -> v instanceof String || v instanceof Collection || v instanceof PyTuple
                    || v instanceof Map || v instanceof Undefined;
            case "number" -> PyValues.isNumber(v);
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "callable" -> v instanceof PyCallable;
            case "equalto", "eq", "==" -> PyValues.equal(v, a.get(0, "other", Arguments.REQUIRED));
            case "ne", "!=" -> !PyValues.equal(v, a.get(0, "other", Arguments.REQUIRED));
            case "lt", "<", "lessthan" -> PyValues.compare(v, a.get(0, "other", Arguments.REQUIRED), "<") < 0;
            case "le", "<=" -> PyValues.compare(v, a.get(0, "other", Arguments.REQUIRED), "<=") <= 0;
            case "gt", ">", "greaterthan" -> PyValues.compare(v, a.get(0, "other", Arguments.REQUIRED), ">") > 0;
            case "ge", ">=" -> PyValues.compare(v, a.get(0, "other", Arguments.REQUIRED), ">=") >= 0;
            case "in" -> PyOperators.contains(a.get(0, "seq", Arguments.REQUIRED), v);
            case "odd" -> integer(v, name) % 2 != 0;
            case "even" -> integer(v, name) % 2 == 0;
            case "divisibleby" -> integer(v, name) % a.integer(0, "num", 1) == 0;
            case "sameas" -> sameAs(v, a.get(0, "other", Arguments.REQUIRED));
            case "lower" -> PyValues.str(v).equals(PyStrings.lower(PyValues.str(v)));
            case "upper" -> PyValues.str(v).equals(PyStrings.upper(PyValues.str(v)));
            case "escaped" -> false;
            case "filter" -> v instanceof String s && Filters.NAMES.contains(s);
            case "test" -> v instanceof String s && NAMES.contains(s);
            default -> throw new PyException("no test named '" + name + "'");
        };
    }

    private static long integer(@Nullable Object v, String test) {
        if (v instanceof Undefined u) {
            throw u.error();
        }
        if (!PyValues.isInteger(v)) {
            throw new PyException("TypeError: test '" + test + "' needs an integer, got " + PyValues.typeName(v));
        }
        return PyValues.toLong(v);
    }

    private static boolean sameAs(@Nullable Object a, @Nullable Object b) {
        if (a == null || b == null || a instanceof Boolean || b instanceof Boolean) {
            return a == b || (a != null && a.equals(b) && a instanceof Boolean);
        }
        return a == b;
    }
}
