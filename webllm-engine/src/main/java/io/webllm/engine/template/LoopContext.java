package io.webllm.engine.template;

import java.util.List;

import org.jspecify.annotations.Nullable;

/** Jinja's {@code loop} variable for one iteration. */
final class LoopContext {

    private final List<@Nullable Object> items;
    private final int index0;
    private final int depth0;
    private final @Nullable PyCallable recurse;
    private final Object[] lastChanged;

    LoopContext(List<@Nullable Object> items, int index0, int depth0, @Nullable PyCallable recurse,
            Object[] lastChanged) {
        this.items = items;
        this.index0 = index0;
        this.depth0 = depth0;
        this.recurse = recurse;
        this.lastChanged = lastChanged;
    }

    int index() {
        return index0 + 1;
    }

    int length() {
        return items.size();
    }

    @Nullable PyCallable recurse() {
        return recurse;
    }

    /** The value of {@code loop.<name>}, or an undefined for an unknown attribute. */
    @Nullable Object attribute(String name) {
        int n = items.size();
        return switch (name) {
            case "index" -> (long) index0 + 1;
            case "index0" -> (long) index0;
            case "revindex" -> (long) (n - index0);
            case "revindex0" -> (long) (n - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == n - 1;
            case "length" -> (long) n;
            case "depth" -> (long) depth0 + 1;
            case "depth0" -> (long) depth0;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : new Undefined("there is no previous item");
            case "nextitem" -> index0 + 1 < n ? items.get(index0 + 1) : new Undefined("there is no next item");
            case "cycle" -> (PyCallable) (args, kwargs) -> {
                if (args.isEmpty()) {
                    throw new PyException("TypeError: no items for cycling given");
                }
                return args.get(index0 % args.size());
            };
            case "changed" -> (PyCallable) (args, kwargs) -> {
                PyTuple value = new PyTuple(args);
                if (lastChanged[0] == null || !PyValues.equal(lastChanged[0], value)) {
                    lastChanged[0] = value;
                    return true;
                }
                return false;
            };
            default -> Undefined.attribute(this, name);
        };
    }
}
