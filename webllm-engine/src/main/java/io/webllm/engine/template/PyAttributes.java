package io.webllm.engine.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Attribute and item access as Jinja's immutable sandbox does it: {@code obj.name} tries the Python attribute
 * (string and dict methods) before the item, {@code obj[key]} the item before the attribute; a miss is an
 * {@link Undefined}, and methods that would mutate a list or dict are refused.
 */
final class PyAttributes {

    private static final Set<String> STRING_METHODS = Set.of("strip", "lstrip", "rstrip", "split", "rsplit",
            "splitlines", "startswith", "endswith", "upper", "lower", "title", "capitalize", "replace", "find",
            "rfind", "index", "rindex", "count", "join", "format", "isdigit", "isalpha", "isalnum", "isspace",
            "islower", "isupper", "isnumeric", "isdecimal", "removeprefix", "removesuffix", "casefold", "swapcase",
            "partition", "rpartition", "zfill", "center", "ljust", "rjust");
    private static final Set<String> DICT_METHODS = Set.of("items", "keys", "values", "get", "copy");
    private static final Set<String> DICT_MUTATORS = Set.of("pop", "popitem", "setdefault", "update", "clear");
    private static final Set<String> LIST_METHODS = Set.of("index", "count", "copy");
    private static final Set<String> LIST_MUTATORS = Set.of("append", "extend", "insert", "pop", "remove", "clear",
            "reverse", "sort");

    private PyAttributes() {
    }

    static @Nullable Object getattr(@Nullable Object obj, String name) {
        if (obj instanceof Undefined u) {
            throw u.error();
        }
        if (name.startsWith("_")) {
            return unsafe(obj, name);
        }
        switch (obj) {
            case Map<?, ?> map -> {
                if (DICT_METHODS.contains(name)) {
                    return method(map, name);
                }
                if (DICT_MUTATORS.contains(name)) {
                    return unsafe(obj, name);
                }
                if (map.containsKey(name)) {
                    return map.get(name);
                }
            }
            case String s when STRING_METHODS.contains(name) -> {
                return method(s, name);
            }
            case List<?> list when LIST_METHODS.contains(name) -> {
                return method(list, name);
            }
            case List<?> list when LIST_MUTATORS.contains(name) -> {
                return unsafe(obj, name);
            }
            case Namespace ns when ns.has(name) -> {
                return ns.get(name);
            }
            case LoopContext loop -> {
                return loop.attribute(name);
            }
            case null, default -> { }
        }
        return Undefined.attribute(obj, name);
    }

    static @Nullable Object getitem(@Nullable Object obj, @Nullable Object key) {
        switch (obj) {
            case Undefined u -> throw u.error();
            case Map<?, ?> map -> {
                if (map.containsKey(key)) {
                    return map.get(key);
                }
            }
            case List<?> list when PyValues.isInteger(key) -> {
                return index(list, PyValues.toLong(key), obj);
            }
            case PyTuple t when PyValues.isInteger(key) -> {
                return index(t.items(), PyValues.toLong(key), obj);
            }
            case String s when PyValues.isInteger(key) -> {
                int[] cps = PyStrings.codePoints(s);
                long i = PyValues.toLong(key);
                if (!PyOperators.inRange(i, cps.length)) {
                    return Undefined.element(obj, key);
                }
                return Character.toString(cps[(int) (i < 0 ? i + cps.length : i)]);
            }
            case null, default -> { }
        }
        if (key instanceof String name) {
            return getattr(obj, name);
        }
        return Undefined.element(obj, key);
    }

    private static @Nullable Object index(List<?> list, long i, Object owner) {
        if (!PyOperators.inRange(i, list.size())) {
            return Undefined.element(owner, i);
        }
        return list.get((int) (i < 0 ? i + list.size() : i));
    }

    private static Undefined unsafe(@Nullable Object obj, String name) {
        return new Undefined("access to attribute " + PyStrings.repr(name) + " of " + PyStrings.repr(
                PyValues.typeName(obj)) + " object is unsafe.");
    }

    private static PyCallable method(Object self, String name) {
        return (args, kwargs) -> switch (self) {
            case String s -> PyStringMethods.call(s, name, new Arguments(name, args, kwargs));
            case Map<?, ?> m -> dictMethod(m, name, new Arguments(name, args, kwargs));
            case List<?> l -> listMethod(l, name, new Arguments(name, args, kwargs));
            default -> throw new PyException("no method " + name);
        };
    }

    private static @Nullable Object dictMethod(Map<?, ?> map, String name, Arguments a) {
        return switch (name) {
            case "items" -> {
                a.done(0);
                List<@Nullable Object> items = new ArrayList<>();
                map.forEach((k, v) -> items.add(new PyTuple(java.util.Arrays.asList(k, v))));
                yield items;
            }
            case "keys" -> {
                a.done(0);
                yield new ArrayList<@Nullable Object>(map.keySet());
            }
            case "values" -> {
                a.done(0);
                yield new ArrayList<@Nullable Object>(map.values());
            }
            case "get" -> {
                a.done(2);
                Object key = a.get(0, "key", Arguments.REQUIRED);
                yield map.containsKey(key) ? map.get(key) : a.get(1, "default", null);
            }
            case "copy" -> new java.util.LinkedHashMap<>(map);
            default -> throw new PyException("no dict method " + name);
        };
    }

    private static @Nullable Object listMethod(List<?> list, String name, Arguments a) {
        return switch (name) {
            case "index" -> {
                Object item = a.get(0, "value", Arguments.REQUIRED);
                for (int i = 0; i < list.size(); i++) {
                    if (PyValues.equal(list.get(i), item)) {
                        yield (long) i;
                    }
                }
                throw new PyException("ValueError: " + PyValues.repr(item) + " is not in list");
            }
            case "count" -> {
                Object item = a.get(0, "value", Arguments.REQUIRED);
                yield list.stream().filter(x -> PyValues.equal(x, item)).count();
            }
            case "copy" -> new ArrayList<>(list);
            default -> throw new PyException("no list method " + name);
        };
    }
}
