package io.webllm.engine.template;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Evaluates a compiled template against a context. Python errors ({@link PyException}) are caught at the
 * innermost expression or statement and rethrown as a {@link TemplateException} that names the construct.
 */
final class Renderer {

    private static final int MAX_CALL_DEPTH = 400;
    private static final long MAX_RANGE = 100_000;

    private enum Flow { NEXT, BREAK, CONTINUE }

    private final SourceText source;
    private final Clock clock;
    private int callDepth;

    Renderer(SourceText source, Clock clock) {
        this.source = source;
        this.clock = clock;
    }

    String render(List<Stmt> body, Map<String, @Nullable Object> context) {
        Scope globals = new Scope(null);
        globals.set("range", (PyCallable) this::range);
        globals.set("namespace", (PyCallable) Renderer::namespace);
        globals.set("dict", (PyCallable) (args, kwargs) -> new LinkedHashMap<Object, @Nullable Object>(kwargs));
        globals.set("raise_exception", (PyCallable) (args, kwargs) -> {
            throw new PyException(args.isEmpty() ? "" : PyValues.str(args.getFirst()));
        });
        globals.set("strftime_now", (PyCallable) (args, kwargs) -> PyFormat.strftime(ZonedDateTime.now(clock),
                new Arguments("strftime_now", args, kwargs).string(0, "format", null)));
        Scope scope = new Scope(globals);
        context.forEach(scope::set);
        StringBuilder out = new StringBuilder();
        executeAll(body, scope, out);
        return out.toString();
    }

    // ---- statements ----

    private Flow executeAll(List<Stmt> body, Scope scope, StringBuilder out) {
        for (Stmt stmt : body) {
            Flow flow = execute(stmt, scope, out);
            if (flow != Flow.NEXT) {
                return flow;
            }
        }
        return Flow.NEXT;
    }

    private Flow execute(Stmt stmt, Scope scope, StringBuilder out) {
        try {
            return switch (stmt) {
                case Stmt.Data d -> {
                    out.append(d.text());
                    yield Flow.NEXT;
                }
                case Stmt.Print p -> {
                    out.append(PyValues.str(eval(p.value(), scope)));
                    yield Flow.NEXT;
                }
                case Stmt.If s -> {
                    for (int i = 0; i < s.tests().size(); i++) {
                        if (PyValues.truth(eval(s.tests().get(i), scope))) {
                            yield executeAll(s.bodies().get(i), scope, out);
                        }
                    }
                    yield executeAll(s.otherwise(), scope, out);
                }
                case Stmt.For f -> {
                    executeFor(f, eval(f.iterable(), scope), 0, scope, out);
                    yield Flow.NEXT;
                }
                case Stmt.Set s -> {
                    assign(s.target(), eval(s.value(), scope), scope);
                    yield Flow.NEXT;
                }
                case Stmt.SetBlock s -> {
                    StringBuilder captured = new StringBuilder();
                    executeAll(s.body(), scope, captured);
                    assign(s.target(), applyFilters(s.filters(), captured.toString(), scope), scope);
                    yield Flow.NEXT;
                }
                case Stmt.Macro m -> {
                    scope.set(m.name(), macro(m.name(), m.parameters(), m.defaults(), m.body(), scope));
                    yield Flow.NEXT;
                }
                case Stmt.CallBlock c -> {
                    PyCallable caller = macro("caller", c.parameters(), c.defaults(), c.body(), scope);
                    Map<String, @Nullable Object> kwargs = new LinkedHashMap<>(evalKeywords(c.call().args(), scope));
                    kwargs.put("caller", caller);
                    Object result = call(eval(c.call().function(), scope), evalPositional(c.call().args(), scope),
                            kwargs);
                    out.append(PyValues.str(result));
                    yield Flow.NEXT;
                }
                case Stmt.FilterBlock f -> {
                    StringBuilder captured = new StringBuilder();
                    executeAll(f.body(), scope, captured);
                    out.append(PyValues.str(applyFilters(f.filters(), captured.toString(), scope)));
                    yield Flow.NEXT;
                }
                case Stmt.With w -> {
                    Scope inner = new Scope(scope);
                    for (int i = 0; i < w.targets().size(); i++) {
                        assign(w.targets().get(i), eval(w.values().get(i), scope), inner);
                    }
                    yield executeAll(w.body(), inner, out);
                }
                case Stmt.Scoped s -> executeAll(s.body(), scope, out);
                case Stmt.Break b -> Flow.BREAK;
                case Stmt.Continue c -> Flow.CONTINUE;
            };
        } catch (PyException e) {
            throw source.error(stmt.start(), stmt.end(), e.getMessage());
        }
    }

    private void executeFor(Stmt.For f, @Nullable Object iterable, int depth, Scope scope, StringBuilder out) {
        List<@Nullable Object> items = PyValues.iterate(iterable);
        if (f.filter() != null) {
            List<@Nullable Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope probe = new Scope(scope);
                assign(f.target(), item, probe);
                if (PyValues.truth(eval(f.filter(), probe))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        if (items.isEmpty()) {
            executeAll(f.otherwise(), scope, out);
            return;
        }
        PyCallable recurse = f.recursive() ? (args, kwargs) -> {
            StringBuilder nested = new StringBuilder();
            executeFor(f, args.isEmpty() ? null : args.getFirst(), depth + 1, scope, nested);
            return nested.toString();
        } : null;
        Object[] lastChanged = new Object[1];
        for (int i = 0; i < items.size(); i++) {
            Scope iteration = new Scope(scope);
            assign(f.target(), items.get(i), iteration);
            iteration.set("loop", new LoopContext(items, i, depth, recurse, lastChanged));
            if (executeAll(f.body(), iteration, out) == Flow.BREAK) {
                break;
            }
        }
    }

    private void assign(Stmt.Target target, @Nullable Object value, Scope scope) {
        if (target.attribute() != null) {
            String name = target.names().getFirst();
            Object ns = scope.lookup(name);
            if (!(ns instanceof Namespace namespace)) {
                throw new PyException("cannot assign attribute on non-namespace object");
            }
            namespace.set(target.attribute(), value);
            return;
        }
        if (!target.unpack()) {
            scope.set(target.names().getFirst(), value);
            return;
        }
        List<@Nullable Object> parts = PyValues.iterate(value);
        int expected = target.names().size();
        if (parts.size() != expected) {
            throw new PyException("ValueError: " + (parts.size() > expected ? "too many values to unpack (expected "
                    + expected + ")" : "not enough values to unpack (expected " + expected + ", got " + parts.size()
                    + ")"));
        }
        for (int i = 0; i < expected; i++) {
            scope.set(target.names().get(i), parts.get(i));
        }
    }

    private @Nullable Object applyFilters(List<Expr.Filter> filters, @Nullable Object value, Scope scope) {
        Object current = value;
        for (Expr.Filter f : filters) {
            current = filter(f.name(), current, evalArgs(f.name(), f.args(), scope));
        }
        return current;
    }

    private PyCallable macro(String name, List<String> parameters, List<@Nullable Expr> defaults, List<Stmt> body,
            Scope definition) {
        return (args, kwargs) -> {
            Scope s = new Scope(definition);
            Map<String, @Nullable Object> extraKeywords = new LinkedHashMap<>(kwargs);
            for (int i = 0; i < parameters.size(); i++) {
                String p = parameters.get(i);
                if (i < args.size()) {
                    if (extraKeywords.containsKey(p)) {
                        throw new PyException("TypeError: macro '" + name + "' got multiple values for argument '"
                                + p + "'");
                    }
                    s.set(p, args.get(i));
                } else if (extraKeywords.containsKey(p)) {
                    s.set(p, extraKeywords.remove(p));
                } else {
                    Expr d = defaults.get(i);
                    s.set(p, d == null ? new Undefined("parameter '" + p + "' was not provided") : eval(d, s));
                }
            }
            s.set("varargs", new PyTuple(args.size() > parameters.size()
                    ? new ArrayList<>(args.subList(parameters.size(), args.size())) : List.of()));
            if (extraKeywords.containsKey("caller")) {
                s.set("caller", extraKeywords.remove("caller"));
            }
            s.set("kwargs", new LinkedHashMap<Object, @Nullable Object>(extraKeywords));
            if (++callDepth > MAX_CALL_DEPTH) {
                callDepth = 0;
                throw new PyException("RecursionError: macro '" + name + "' nested deeper than " + MAX_CALL_DEPTH);
            }
            try {
                StringBuilder out = new StringBuilder();
                executeAll(body, s, out);
                return out.toString();
            } finally {
                callDepth--;
            }
        };
    }

    // ---- expressions ----

    @Nullable Object eval(Expr expr, Scope scope) {
        try {
            return evalUnchecked(expr, scope);
        } catch (PyException e) {
            throw source.error(expr.start(), expr.end(), e.getMessage());
        } catch (ArithmeticException e) {
            throw source.error(expr.start(), expr.end(), "OverflowError: " + e.getMessage());
        }
    }

    private @Nullable Object evalUnchecked(Expr expr, Scope scope) {
        return switch (expr) {
            case Expr.Const c -> c.value();
            case Expr.Name n -> {
                Object v = scope.lookup(n.name());
                yield v == Scope.MISSING ? Undefined.name(n.name()) : v;
            }
            case Expr.ListLit l -> {
                List<@Nullable Object> items = new ArrayList<>();
                for (Expr e : l.items()) {
                    items.add(eval(e, scope));
                }
                yield items;
            }
            case Expr.TupleLit t -> {
                List<@Nullable Object> items = new ArrayList<>();
                for (Expr e : t.items()) {
                    items.add(eval(e, scope));
                }
                yield new PyTuple(items);
            }
            case Expr.DictLit d -> {
                Map<Object, @Nullable Object> map = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    map.put(eval(d.keys().get(i), scope), eval(d.values().get(i), scope));
                }
                yield map;
            }
            case Expr.GetAttr g -> PyAttributes.getattr(eval(g.target(), scope), g.attribute());
            case Expr.GetItem g -> PyAttributes.getitem(eval(g.target(), scope), eval(g.key(), scope));
            case Expr.Slice s -> PyOperators.slice(eval(s.target(), scope), optional(s.lower(), scope),
                    optional(s.upper(), scope), optional(s.step(), scope));
            case Expr.Call c -> call(eval(c.function(), scope), evalPositional(c.args(), scope),
                    evalKeywords(c.args(), scope));
            case Expr.Filter f -> filter(f.name(), f.value() == null ? null : eval(f.value(), scope),
                    evalArgs(f.name(), f.args(), scope));
            case Expr.Test t -> t.negated() != test(t.name(), eval(t.value(), scope), evalArgs(t.name(), t.args(), scope));
            case Expr.Unary u -> switch (u.operator()) {
                case "not" -> !PyValues.truth(eval(u.operand(), scope));
                case "-" -> PyOperators.negate(eval(u.operand(), scope));
                default -> PyOperators.plus(eval(u.operand(), scope));
            };
            case Expr.Binary b -> binary(b, scope);
            case Expr.Compare c -> compare(c, scope);
            case Expr.Conditional c -> {
                if (PyValues.truth(eval(c.test(), scope))) {
                    yield eval(c.then(), scope);
                }
                yield c.otherwise() == null ? new Undefined("the inline if-expression on line "
                        + source.line(c.start()) + " evaluated to false and no else section was defined.")
                        : eval(c.otherwise(), scope);
            }
        };
    }

    private @Nullable Object optional(@Nullable Expr e, Scope scope) {
        return e == null ? null : eval(e, scope);
    }

    private @Nullable Object binary(Expr.Binary b, Scope scope) {
        Object left = eval(b.left(), scope);
        return switch (b.operator()) {
            case "and" -> PyValues.truth(left) ? eval(b.right(), scope) : left;
            case "or" -> PyValues.truth(left) ? left : eval(b.right(), scope);
            case "~" -> PyValues.str(left) + PyValues.str(eval(b.right(), scope));
            default -> PyOperators.binary(b.operator(), left, eval(b.right(), scope));
        };
    }

    private boolean compare(Expr.Compare c, Scope scope) {
        Object left = eval(c.first(), scope);
        for (int i = 0; i < c.operators().size(); i++) {
            Object right = eval(c.operands().get(i), scope);
            String op = c.operators().get(i);
            boolean holds = switch (op) {
                case "==" -> PyValues.equal(left, right);
                case "!=" -> !PyValues.equal(left, right);
                case "in" -> PyOperators.contains(right, left);
                case "not in" -> !PyOperators.contains(right, left);
                case "<" -> PyValues.compare(left, right, op) < 0;
                case "<=" -> PyValues.compare(left, right, op) <= 0;
                case ">" -> PyValues.compare(left, right, op) > 0;
                default -> PyValues.compare(left, right, op) >= 0;
            };
            if (!holds) {
                return false;
            }
            left = right;
        }
        return true;
    }

    private List<@Nullable Object> evalPositional(Expr.Args args, Scope scope) {
        List<@Nullable Object> values = new ArrayList<>(args.positional().size());
        for (Expr e : args.positional()) {
            values.add(eval(e, scope));
        }
        return values;
    }

    private Map<String, @Nullable Object> evalKeywords(Expr.Args args, Scope scope) {
        Map<String, @Nullable Object> values = new LinkedHashMap<>();
        args.keywords().forEach((k, e) -> values.put(k, eval(e, scope)));
        return values;
    }

    private Arguments evalArgs(String function, Expr.Args args, Scope scope) {
        return new Arguments(function, evalPositional(args, scope), evalKeywords(args, scope));
    }

    private @Nullable Object call(@Nullable Object function, List<@Nullable Object> args,
            Map<String, @Nullable Object> kwargs) {
        return switch (function) {
            case PyCallable c -> c.call(args, kwargs);
            case LoopContext loop when loop.recurse() != null -> loop.recurse().call(args, kwargs);
            case Undefined u -> throw u.error();
            case null, default -> throw new PyException("TypeError: '" + PyValues.typeName(function)
                    + "' object is not callable");
        };
    }

    @Nullable Object filter(String name, @Nullable Object value, Arguments args) {
        if (!Filters.NAMES.contains(name)) {
            throw new PyException("no filter named '" + name + "'");
        }
        return Filters.apply(name, value, args, this);
    }

    boolean test(String name, @Nullable Object value, Arguments args) {
        if (!Tests.NAMES.contains(name)) {
            throw new PyException("no test named '" + name + "'");
        }
        return Tests.apply(name, value, args);
    }

    // ---- globals ----

    private @Nullable Object range(List<@Nullable Object> args, Map<String, @Nullable Object> kwargs) {
        Arguments a = new Arguments("range", args, kwargs);
        long start = 0;
        long stop;
        long step = 1;
        if (args.size() == 1) {
            stop = a.integer(0, "stop", 0);
        } else {
            start = a.integer(0, "start", 0);
            stop = a.integer(1, "stop", 0);
            step = a.integer(2, "step", 1);
        }
        if (step == 0) {
            throw new PyException("ValueError: range() arg 3 must not be zero");
        }
        List<@Nullable Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            if (out.size() >= MAX_RANGE) {
                throw new PyException("OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE ("
                        + MAX_RANGE + ").");
            }
            out.add(i);
        }
        return out;
    }

    private static Namespace namespace(List<@Nullable Object> args, Map<String, @Nullable Object> kwargs) {
        Namespace ns = new Namespace();
        for (Object arg : args) {
            PyOperators.requireMap(arg, "namespace").forEach((k, v) -> ns.set(PyValues.str(k), v));
        }
        kwargs.forEach(ns::set);
        return ns;
    }
}
