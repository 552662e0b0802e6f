package io.webllm.engine.template;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/** The {@code str} methods templates call, with Python's results ({@code "a,b".split(",")} and so on). */
final class PyStringMethods {

    private PyStringMethods() {
    }

    static @Nullable Object call(String s, String name, Arguments a) {
        return switch (name) {
            case "strip" -> PyStrings.strip(s, a.optionalString(0, "chars"));
            case "lstrip" -> PyStrings.lstrip(s, a.optionalString(0, "chars"));
            case "rstrip" -> PyStrings.rstrip(s, a.optionalString(0, "chars"));
            case "split" -> PyStrings.split(s, a.optionalString(0, "sep"), a.integer(1, "maxsplit", -1));
            case "rsplit" -> PyStrings.rsplit(s, a.optionalString(0, "sep"), a.integer(1, "maxsplit", -1));
            case "splitlines" -> new ArrayList<@Nullable Object>(PyStrings.splitlines(s));
            case "startswith" -> affix(s, a.get(0, "prefix", Arguments.REQUIRED), true);
            case "endswith" -> affix(s, a.get(0, "suffix", Arguments.REQUIRED), false);
            case "upper" -> PyStrings.upper(s);
            case "lower", "casefold" -> PyStrings.lower(s);
            case "title" -> PyStrings.title(s);
            case "capitalize" -> PyStrings.capitalize(s);
            case "swapcase" -> swapcase(s);
            case "replace" -> replace(s, a.string(0, "old", null), a.string(1, "new", null), a.integer(2, "count", -1));
            case "find" -> (long) codePointIndex(s, s.indexOf(a.string(0, "sub", null)));
            case "rfind" -> (long) codePointIndex(s, s.lastIndexOf(a.string(0, "sub", null)));
            case "index", "rindex" -> {
                String sub = a.string(0, "sub", null);
                int at = name.equals("index") ? s.indexOf(sub) : s.lastIndexOf(sub);
                if (at < 0) {
                    throw new PyException("ValueError: substring not found");
                }
                yield (long) codePointIndex(s, at);
            }
            case "count" -> count(s, a.string(0, "sub", null));
            case "join" -> {
                StringBuilder out = new StringBuilder();
                List<@Nullable Object> items = PyValues.iterate(a.get(0, "iterable", Arguments.REQUIRED));
                for (int i = 0; i < items.size(); i++) {
                    if (!(items.get(i) instanceof String item)) {
                        throw new PyException("TypeError: sequence item " + i + ": expected str instance, "
                                + PyValues.typeName(items.get(i)) + " found");
                    }
                    out.append(i > 0 ? s : "").append(item);
                }
                yield out.toString();
            }
            case "format" -> PyFormat.format(s, a.positional(), a.keywords());
            case "isdigit", "isnumeric", "isdecimal" -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> !s.isEmpty() && PyStrings.isAllSpace(s, 0);
            case "islower" -> s.codePoints().anyMatch(Character::isLowerCase)
                    && s.codePoints().noneMatch(c -> Character.isUpperCase(c) || Character.isTitleCase(c));
            case "isupper" -> s.codePoints().anyMatch(Character::isUpperCase)
                    && s.codePoints().noneMatch(c -> Character.isLowerCase(c) || Character.isTitleCase(c));
            case "removeprefix" -> {
                String p = a.string(0, "prefix", null);
                yield s.startsWith(p) ? s.substring(p.length()) : s;
            }
            case "removesuffix" -> {
                String p = a.string(0, "suffix", null);
                yield !p.isEmpty() && s.endsWith(p) ? s.substring(0, s.length() - p.length()) : s;
            }
            case "partition", "rpartition" -> {
                String sep = a.string(0, "sep", null);
                int at = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                if (at < 0) {
                    yield name.equals("partition") ? tuple(s, "", "") : tuple("", "", s);
                }
                yield tuple(s.substring(0, at), sep, s.substring(at + sep.length()));
            }
            case "zfill" -> {
                long width = a.integer(0, "width", 0);
                int sign = !s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+') ? 1 : 0;
                int pad = (int) Math.max(0, width - s.length());
                yield s.substring(0, sign) + "0".repeat(pad) + s.substring(sign);
            }
            case "center", "ljust", "rjust" -> {
                long width = a.integer(0, "width", 0);
                String fill = a.string(1, "fillchar", " ");
                int pad = (int) Math.max(0, width - s.codePointCount(0, s.length()));
                int left = switch (name) {
                    case "ljust" -> 0;
                    case "rjust" -> pad;
                    default -> pad / 2 + (pad & (int) width & 1);
                };
                yield fill.repeat(left) + s + fill.repeat(pad - left);
            }
            default -> throw new PyException("AttributeError: 'str' object has no attribute '" + name + "'");
        };
    }

    private static PyTuple tuple(String a, String b, String c) {
        return new PyTuple(List.of(a, b, c));
    }

    private static boolean affix(String s, @Nullable Object affix, boolean prefix) {
        if (affix instanceof PyTuple t) {
            return t.items().stream().anyMatch(x -> affix(s, x, prefix));
        }
        if (!(affix instanceof String text)) {
            throw new PyException("TypeError: " + (prefix ? "startswith" : "endswith")
                    + " first arg must be str or a tuple of str, not " + PyValues.typeName(affix));
        }
        return prefix ? s.startsWith(text) : s.endsWith(text);
    }

    static String replace(String s, String old, String replacement, long count) {
        if (count < 0) {
            if (old.isEmpty()) {
                StringBuilder out = new StringBuilder(replacement);
                s.codePoints().forEach(cp -> out.appendCodePoint(cp).append(replacement));
                return out.toString();
            }
            return s.replace(old, replacement);
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (long n = 0; n < count; n++) {
            int at = s.indexOf(old, from);
            if (at < 0 || old.isEmpty()) {
                break;
            }
            out.append(s, from, at).append(replacement);
            from = at + old.length();
        }
        return out.append(s.substring(from)).toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.codePointCount(0, s.length()) + 1;
        }
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static int codePointIndex(String s, int charIndex) {
        return charIndex < 0 ? -1 : s.codePointCount(0, charIndex);
    }

    private static String swapcase(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(cp -> out.appendCodePoint(Character.isUpperCase(cp) ? Character.toLowerCase(cp)
                : Character.toUpperCase(cp)));
        return out.toString();
    }
}
