package io.webllm.engine.template;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/** Python's {@code %} formatting, {@code str.format} and {@code strftime}, for the directives templates use. */
final class PyFormat {

    private PyFormat() {
    }

    /** {@code format % args}: %s %r %d %i %f %x %% with optional width and precision, {@code %(key)s} for a dict. */
    static String percent(String format, @Nullable Object args) {
        List<@Nullable Object> values = args instanceof PyTuple t ? t.items() : java.util.Collections.singletonList(args);
        Map<?, ?> named = args instanceof Map<?, ?> m ? m : null;
        StringBuilder out = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            int j = i + 1;
            Object key = null;
            if (named != null && j < format.length() && format.charAt(j) == '(') {
                int close = format.indexOf(')', j);
                if (close < 0) {
                    throw new PyException("ValueError: incomplete format key");
                }
                key = format.substring(j + 1, close);
                j = close + 1;
            }
            while (j < format.length() && "-+ 0#.0123456789".indexOf(format.charAt(j)) >= 0) {
                j++;
            }
            if (j >= format.length()) {
                throw new PyException("ValueError: incomplete format");
            }
            String spec = format.substring(key == null ? i + 1 : format.indexOf(')', i) + 1, j);
            char conv = format.charAt(j);
            i = j;
            if (conv == '%') {
                out.append('%');
                continue;
            }
            Object v;
            if (key != null) {
                if (!named.containsKey(key)) {
                    throw new PyException("KeyError: " + PyStrings.repr((String) key));
                }
                v = named.get(key);
            } else {
                if (next >= values.size()) {
                    throw new PyException("TypeError: not enough arguments for format string");
                }
                v = values.get(next++);
            }
            String text = switch (conv) {
                case 's' -> PyValues.str(v);
                case 'r' -> PyValues.repr(v);
                case 'd', 'i' -> Long.toString((long) Math.floor(PyValues.toDouble(number(v))));
                case 'f', 'F', 'e', 'g' -> String.format(Locale.ROOT, "%" + (spec.contains(".") ? spec : spec + ".6")
                        + conv, PyValues.toDouble(number(v)));
                case 'x' -> Long.toHexString(PyValues.toLong(number(v)));
                default -> throw new PyException("ValueError: unsupported format character '" + conv + "'");
            };
            if (conv != 'f' && conv != 'F' && conv != 'e' && conv != 'g' && !spec.isEmpty()) {
                String widthDigits = spec.replaceAll("\\..*", "").replaceAll("[^0-9]", "");
                int width = widthDigits.isEmpty() ? 0 : Integer.parseInt(widthDigits);
                String pad = " ".repeat(Math.max(0, width - text.length()));
                text = spec.startsWith("-") ? text + pad : pad + text;
            }
            out.append(text);
        }
        if (next < values.size() && args instanceof PyTuple) {
            throw new PyException("TypeError: not all arguments converted during string formatting");
        }
        return out.toString();
    }

    private static Object number(@Nullable Object v) {
        if (!PyValues.isNumber(v)) {
            throw new PyException("TypeError: a real number is required, not " + PyValues.typeName(v));
        }
        return v;
    }

    /** {@code str.format(*args, **kwargs)} with {@code {}}, {@code {0}}, {@code {name}} and {@code {{ }}}. */
    static String format(String format, List<@Nullable Object> args, Map<String, @Nullable Object> kwargs) {
        StringBuilder out = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c == '{' && i + 1 < format.length() && format.charAt(i + 1) == '{') {
                out.append('{');
                i++;
            } else if (c == '}' && i + 1 < format.length() && format.charAt(i + 1) == '}') {
                out.append('}');
                i++;
            } else if (c == '{') {
                int close = format.indexOf('}', i);
                if (close < 0) {
                    throw new PyException("ValueError: Single '{' encountered in format string");
                }
                String field = format.substring(i + 1, close);
                int colon = field.indexOf(':');
                if (colon >= 0) {
                    field = field.substring(0, colon);
                }
                Object value;
                if (field.isEmpty()) {
                    value = arg(args, auto++);
                } else if (field.chars().allMatch(Character::isDigit)) {
                    value = arg(args, Integer.parseInt(field));
                } else if (kwargs.containsKey(field)) {
                    value = kwargs.get(field);
                } else {
                    throw new PyException("KeyError: " + PyStrings.repr(field));
                }
                out.append(PyValues.str(value));
                i = close;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static @Nullable Object arg(List<@Nullable Object> args, int index) {
        if (index >= args.size()) {
            throw new PyException("IndexError: Replacement index " + index + " out of range for positional args tuple");
        }
        return args.get(index);
    }

    /** C/Python {@code strftime} in the C locale, with glibc's {@code %-d} style unpadded fields. */
    static String strftime(ZonedDateTime t, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            boolean unpadded = false;
            if (d == '-' && i + 1 < format.length()) {
                unpadded = true;
                d = format.charAt(++i);
            }
            String field = switch (d) {
                case 'Y' -> Integer.toString(t.getYear());
                case 'y' -> two(t.getYear() % 100);
                case 'm' -> two(t.getMonthValue());
                case 'd' -> two(t.getDayOfMonth());
                case 'e' -> String.format("%2d", t.getDayOfMonth());
                case 'H' -> two(t.getHour());
                case 'I' -> two(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12);
                case 'M' -> two(t.getMinute());
                case 'S' -> two(t.getSecond());
                case 'p' -> t.getHour() < 12 ? "AM" : "PM";
                case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.US);
                case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.US);
                case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.US);
                case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.US);
                case 'j' -> String.format("%03d", t.getDayOfYear());
                case 'f' -> String.format("%06d", t.getNano() / 1000);
                case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
                case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
                case 'Z' -> t.getZone().getId();
                case 'z' -> t.getOffset().getId().equals("Z") ? "+0000" : t.getOffset().getId().replace(":", "");
                case '%' -> "%";
                default -> "%" + (unpadded ? "-" : "") + d;
            };
            if (unpadded && field.length() > 1 && (field.startsWith("0") || field.startsWith(" "))) {
                field = field.substring(1);
            }
            out.append(field);
        }
        return out.toString();
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }
}
