package io.webllm.engine.grammar;

import io.webllm.engine.grammar.GrammarBuilder.Seq;
import java.util.ArrayList;
import java.util.List;

/**
 * The building blocks of JSON grammars: whitespace, strings, numbers, any value, string formats and integer
 * ranges. Shared rules are created once per grammar, so their cached token masks are shared too.
 *
 * <p>Bounds that keep a model from looping forever: whitespace between tokens is at most one space, or a
 * newline and {@value #MAX_INDENT} spaces/tabs; integers without bounds have at most {@value #MAX_INT_DIGITS}
 * digits, fractions at most {@value #MAX_FRACTION_DIGITS}, exponents at most {@value #MAX_EXPONENT_DIGITS}.
 */
final class JsonGrammarParts {

    static final int MAX_INDENT = 20;
    static final int MAX_INT_DIGITS = 18;
    static final int MAX_FRACTION_DIGITS = 15;
    static final int MAX_EXPONENT_DIGITS = 2; // 1e99 still fits a double

    private final GrammarBuilder b;
    private int whitespace = -1;
    private int stringBody = -1;
    private int string = -1;
    private int character = -1;
    private int integer = -1;
    private int number = -1;
    private int anyValue = -1;
    private int anyObject = -1;
    private int optionalFraction = -1;
    private int optionalZeroFraction = -1;

    JsonGrammarParts(GrammarBuilder builder) {
        this.b = builder;
    }

    /** Optional whitespace: nothing, one space, or a newline with up to {@value #MAX_INDENT} spaces or tabs. */
    int whitespace() {
        if (whitespace < 0) {
            int indent = b.rule("indent_end", b.seq());
            for (int k = 0; k < MAX_INDENT; k++) {
                indent = b.rule("indent", b.seq(), b.seq().add(b.anyOf(" \t")).ref(indent));
            }
            whitespace = b.rule("ws", b.seq(), b.seq().literal(" "), b.seq().literal("\n").ref(indent));
        }
        return whitespace;
    }

    /** Adds one alternative per way to write a single string character, each followed by {@code tail}. */
    private void characterAlternatives(int rule, Seq tail) {
        // printable ASCII except '"' and '\\' (0x7F is left out on purpose: models never need it)
        b.alternative(rule, b.seq().add(b.ranges(0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7E)).then(tail));
        b.alternative(rule, b.seq().literal("\\").add(b.anyOf("\"\\/bfnrt")).then(tail));
        // \\uXXXX outside the surrogate range, so every escape is exactly one code point
        int hex = b.ranges('0', '9', 'A', 'F', 'a', 'f');
        b.alternative(rule, b.seq().literal("\\u").add(b.ranges('0', '9', 'A', 'C', 'a', 'c'))
                .add(hex).add(hex).add(hex).then(tail));
        b.alternative(rule, b.seq().literal("\\u").add(b.anyOf("Dd")).add(b.ranges('0', '7'))
                .add(hex).add(hex).then(tail));
        b.alternative(rule, b.seq().literal("\\u").add(b.ranges('E', 'F', 'e', 'f'))
                .add(hex).add(hex).add(hex).then(tail));
        // well-formed UTF-8 sequences (no overlongs, no surrogates, at most U+10FFFF)
        int cont = b.ranges(0x80, 0xBF);
        b.alternative(rule, b.seq().add(b.ranges(0xC2, 0xDF)).add(cont).then(tail));
        b.alternative(rule, b.seq().add(b.single(0xE0)).add(b.ranges(0xA0, 0xBF)).add(cont).then(tail));
        b.alternative(rule, b.seq().add(b.ranges(0xE1, 0xEC, 0xEE, 0xEF)).add(cont).add(cont).then(tail));
        b.alternative(rule, b.seq().add(b.single(0xED)).add(b.ranges(0x80, 0x9F)).add(cont).then(tail));
        b.alternative(rule, b.seq().add(b.single(0xF0)).add(b.ranges(0x90, 0xBF)).add(cont).add(cont)
                .then(tail));
        b.alternative(rule, b.seq().add(b.ranges(0xF1, 0xF3)).add(cont).add(cont).add(cont).then(tail));
        b.alternative(rule, b.seq().add(b.single(0xF4)).add(b.ranges(0x80, 0x8F)).add(cont).add(cont)
                .then(tail));
    }

    /**
     * The characters of a string up to and including the closing quote, as one self-recursive rule: a token
     * of plain text stays inside it, so its mask is decided once for all contexts.
     */
    int stringBody() {
        if (stringBody < 0) {
            stringBody = b.declare("string_body");
            characterAlternatives(stringBody, b.seq().ref(stringBody));
            b.alternative(stringBody, b.seq().literal("\""));
        }
        return stringBody;
    }

    int string() {
        if (string < 0) {
            string = b.rule("string", b.seq().literal("\"").ref(stringBody()));
        }
        return string;
    }

    /** One string character (any escape or UTF-8 sequence). */
    int character() {
        if (character < 0) {
            character = b.declare("char");
            characterAlternatives(character, b.seq());
        }
        return character;
    }

    /** A string of {@code min..max} characters ({@code max < 0}: unbounded), counted in code points. */
    int boundedString(int min, int max) {
        // after[k] = the rest of the string once k characters are written
        int last = max < 0 ? stringBody() : b.rule("string_full", b.seq().literal("\""));
        int top = max < 0 ? min : max;
        int next = last;
        for (int k = top - 1; k >= 0; k--) {
            int rule = b.declare("string_" + k);
            b.alternative(rule, b.seq().ref(character()).ref(next));
            if (k >= min) {
                b.alternative(rule, b.seq().literal("\""));
            }
            next = rule;
        }
        return b.rule("string_" + min + "_" + max, b.seq().literal("\"").ref(next));
    }

    /** {@code min..max} repetitions of {@code element} as a chain of rules. */
    Seq repeat(Seq element, int min, int max) {
        Seq out = b.seq();
        for (int i = 0; i < min; i++) {
            out.then(element);
        }
        int optional = b.rule("repeat_end", b.seq());
        for (int i = min; i < max; i++) {
            optional = b.rule("repeat", b.seq(), b.seq().then(element).ref(optional));
        }
        return out.ref(optional);
    }

    private int digit() {
        return b.ranges('0', '9');
    }

    /** Integer without bounds: {@code -?(0|[1-9][0-9]{0,17})}. */
    int integer() {
        if (integer < 0) {
            integer = b.rule("integer", b.seq().ref(integerMagnitude()), b.seq().literal("-").ref(integerMagnitude()));
        }
        return integer;
    }

    private int integerMagnitudeRule = -1;

    private int integerMagnitude() {
        if (integerMagnitudeRule < 0) {
            integerMagnitudeRule = b.rule("int_magnitude", b.seq().literal("0"),
                    b.seq().add(b.ranges('1', '9')).then(repeat(b.seq().add(digit()), 0, MAX_INT_DIGITS - 1)));
        }
        return integerMagnitudeRule;
    }

    /** Number without bounds: integer, optional fraction, optional exponent. */
    int number() {
        if (number < 0) {
            int exponent = b.rule("exponent", b.seq(), b.seq().add(b.anyOf("eE")).add(b.anyOf("+-"))
                    .then(repeat(b.seq().add(digit()), 1, MAX_EXPONENT_DIGITS)),
                    b.seq().add(b.anyOf("eE")).then(repeat(b.seq().add(digit()), 1, MAX_EXPONENT_DIGITS)));
            number = b.rule("number", b.seq().ref(integer()).ref(optionalFraction()).ref(exponent));
        }
        return number;
    }

    private int optionalFraction() {
        if (optionalFraction < 0) {
            optionalFraction = b.rule("fraction", b.seq(),
                    b.seq().literal(".").then(repeat(b.seq().add(digit()), 1, MAX_FRACTION_DIGITS)));
        }
        return optionalFraction;
    }

    private int optionalZeroFraction() {
        if (optionalZeroFraction < 0) {
            optionalZeroFraction = b.rule("zero_fraction", b.seq(),
                    b.seq().literal(".").then(repeat(b.seq().literal("0"), 1, MAX_FRACTION_DIGITS)));
        }
        return optionalZeroFraction;
    }

    /** Integers in {@code [lo, hi]}, written without leading zeros. */
    int integerRange(long lo, long hi) {
        int rule = b.declare("int_" + lo + "_" + hi);
        if (lo >= 0) {
            addMagnitudes(rule, b.seq(), lo, hi, b.seq());
        } else if (hi < 0) {
            addMagnitudes(rule, b.seq().literal("-"), -hi, -lo, b.seq());
        } else {
            addMagnitudes(rule, b.seq().literal("-"), 1, -lo, b.seq());
            addMagnitudes(rule, b.seq(), 0, hi, b.seq());
        }
        return rule;
    }

    /**
     * Numbers in {@code [lo, hi]} (integer bounds) without exponent: for magnitudes {@code [a, b]} the integer
     * part lies in {@code [a, b - 1]} with any fraction, or equals {@code b} with a fraction of zeros.
     */
    int numberRange(long lo, long hi) {
        int rule = b.declare("num_" + lo + "_" + hi);
        if (lo >= 0) {
            addNumberMagnitudes(rule, b.seq(), lo, hi);
        } else if (hi <= 0) {
            addNumberMagnitudes(rule, b.seq().literal("-"), -hi, -lo);
        } else {
            addNumberMagnitudes(rule, b.seq().literal("-"), 0, -lo);
            addNumberMagnitudes(rule, b.seq(), 0, hi);
        }
        return rule;
    }

    private void addNumberMagnitudes(int rule, Seq prefix, long a, long bound) {
        if (a < bound) {
            addMagnitudes(rule, prefix, a, bound - 1, b.seq().ref(optionalFraction()));
        }
        b.alternative(rule, b.seq().then(prefix).literal(Long.toString(bound)).ref(optionalZeroFraction()));
    }

    /** One alternative per digit-range sequence covering {@code [lo, hi]} ({@code 0 <= lo <= hi}). */
    private void addMagnitudes(int rule, Seq prefix, long lo, long hi, Seq suffix) {
        for (int[] ranges : digitRanges(lo, hi)) {
            Seq alternative = b.seq().then(prefix);
            for (int i = 0; i < ranges.length; i += 2) {
                alternative.add(b.ranges(ranges[i], ranges[i + 1]));
            }
            b.alternative(rule, alternative.then(suffix));
        }
    }

    /**
     * Decimal numbers {@code lo..hi} as sequences of digit ranges (each {@code int[]} holds lo/hi character
     * pairs, one pair per digit), split by length and then digit by digit.
     */
    static List<int[]> digitRanges(long lo, long hi) {
        List<int[]> out = new ArrayList<>();
        String low = Long.toString(lo);
        String high = Long.toString(hi);
        if (low.length() == high.length()) {
            sameLength(low, high, new int[0], out);
            return out;
        }
        sameLength(low, "9".repeat(low.length()), new int[0], out);
        for (int length = low.length() + 1; length < high.length(); length++) {
            sameLength("1" + "0".repeat(length - 1), "9".repeat(length), new int[0], out);
        }
        sameLength("1" + "0".repeat(high.length() - 1), high, new int[0], out);
        return out;
    }

    private static void sameLength(String lo, String hi, int[] prefix, List<int[]> out) {
        if (lo.isEmpty()) {
            out.add(prefix);
            return;
        }
        char first = lo.charAt(0);
        char last = hi.charAt(0);
        String loRest = lo.substring(1);
        String hiRest = hi.substring(1);
        if (first == last) {
            sameLength(loRest, hiRest, append(prefix, first, first), out);
            return;
        }
        boolean loRestZeros = loRest.chars().allMatch(c -> c == '0');
        boolean hiRestNines = hiRest.chars().allMatch(c -> c == '9');
        char fullFrom = loRestZeros ? first : (char) (first + 1);
        char fullTo = hiRestNines ? last : (char) (last - 1);
        if (!loRestZeros) {
            sameLength(loRest, "9".repeat(loRest.length()), append(prefix, first, first), out);
        }
        if (fullFrom <= fullTo) {
            int[] full = append(prefix, fullFrom, fullTo);
            for (int i = 0; i < loRest.length(); i++) {
                full = append(full, '0', '9');
            }
            out.add(full);
        }
        if (!hiRestNines) {
            sameLength("0".repeat(hiRest.length()), hiRest, append(prefix, last, last), out);
        }
    }

    private static int[] append(int[] prefix, int lo, int hi) {
        int[] out = java.util.Arrays.copyOf(prefix, prefix.length + 2);
        out[prefix.length] = lo;
        out[prefix.length + 1] = hi;
        return out;
    }

    /** Any JSON value (objects with any keys, arrays of anything). */
    int anyValue() {
        if (anyValue < 0) {
            anyValue = b.declare("value");
            int ws = whitespace();
            int arrayRest = b.declare("array_rest");
            b.alternative(arrayRest, b.seq());
            b.alternative(arrayRest, b.seq().literal(",").ref(ws).ref(anyValue).ref(ws).ref(arrayRest));
            int array = b.rule("array",
                    b.seq().literal("[").ref(ws).literal("]"),
                    b.seq().literal("[").ref(ws).ref(anyValue).ref(ws).ref(arrayRest).literal("]"));
            b.alternative(anyValue, b.seq().ref(anyObject()));
            b.alternative(anyValue, b.seq().ref(array));
            b.alternative(anyValue, b.seq().ref(string()));
            b.alternative(anyValue, b.seq().ref(number()));
            b.alternative(anyValue, b.seq().literal("true"));
            b.alternative(anyValue, b.seq().literal("false"));
            b.alternative(anyValue, b.seq().literal("null"));
        }
        return anyValue;
    }

    /** Any JSON object: what JSON mode produces. */
    int anyObject() {
        if (anyObject < 0) {
            anyObject = b.declare("object");
            int ws = whitespace();
            int member = b.rule("member", b.seq().ref(string()).ref(ws).literal(":").ref(ws).ref(anyValue()).ref(ws));
            int rest = b.declare("object_rest");
            b.alternative(rest, b.seq());
            b.alternative(rest, b.seq().literal(",").ref(ws).ref(member).ref(rest));
            b.alternative(anyObject, b.seq().literal("{").ref(ws).literal("}"));
            b.alternative(anyObject, b.seq().literal("{").ref(ws).ref(member).ref(rest).literal("}"));
        }
        return anyObject;
    }

    // ---- string formats: the closing quote is part of each rule -------------------------------------------

    private Seq digits(int count) {
        Seq out = b.seq();
        for (int i = 0; i < count; i++) {
            out.add(digit());
        }
        return out;
    }

    /** {@code YYYY-MM-DD} with days valid for every year (February stops at 28). */
    private Seq date() {
        int day31 = b.rule("day31", b.seq().literal("0").add(b.ranges('1', '9')),
                b.seq().add(b.ranges('1', '2')).add(digit()), b.seq().literal("3").add(b.ranges('0', '1')));
        int day30 = b.rule("day30", b.seq().literal("0").add(b.ranges('1', '9')),
                b.seq().add(b.ranges('1', '2')).add(digit()), b.seq().literal("30"));
        int day28 = b.rule("day28", b.seq().literal("0").add(b.ranges('1', '9')),
                b.seq().literal("1").add(digit()), b.seq().literal("2").add(b.ranges('0', '8')));
        int monthDay = b.rule("month_day",
                b.seq().literal("0").add(b.anyOf("13578")).literal("-").ref(day31),
                b.seq().literal("1").add(b.anyOf("02")).literal("-").ref(day31),
                b.seq().literal("0").add(b.anyOf("469")).literal("-").ref(day30),
                b.seq().literal("11-").ref(day30),
                b.seq().literal("02-").ref(day28));
        return b.seq().then(digits(4)).literal("-").ref(monthDay);
    }

    /** {@code HH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)}, RFC 3339 full-time without leap seconds, offsets up to 14h. */
    private Seq time() {
        int hour = b.rule("hour", b.seq().add(b.ranges('0', '1')).add(digit()),
                b.seq().literal("2").add(b.ranges('0', '3')));
        Seq minute = b.seq().add(b.ranges('0', '5')).add(digit());
        int fraction = b.rule("time_fraction", b.seq(),
                b.seq().literal(".").then(repeat(b.seq().add(digit()), 1, 9)));
        // offsets of real time zones (-12:00 .. +14:00, widened to 14 both ways); java.time stops at 18
        int offsetHour = b.rule("offset_hour", b.seq().literal("0").add(digit()),
                b.seq().literal("1").add(b.ranges('0', '4')));
        int offset = b.rule("offset", b.seq().literal("Z"),
                b.seq().add(b.anyOf("+-")).ref(offsetHour).literal(":").then(minute));
        return b.seq().ref(hour).literal(":").then(minute).literal(":").then(minute).ref(fraction).ref(offset);
    }

    private Seq hex(int count) {
        Seq out = b.seq();
        int hex = b.ranges('0', '9', 'a', 'f', 'A', 'F');
        for (int i = 0; i < count; i++) {
            out.add(hex);
        }
        return out;
    }

    /** One or more of {@code element}: {@code R ::= element R | element}. */
    private int oneOrMore(String name, Seq element) {
        int rule = b.declare(name);
        b.alternative(rule, b.seq().then(element).ref(rule));
        b.alternative(rule, b.seq().then(element));
        return rule;
    }

    /** A quoted string in one of the supported formats, or -1 for a format this compiler does not know. */
    int formattedString(String format) {
        Seq body = switch (format) {
            case "date" -> date();
            case "time" -> time();
            case "date-time" -> date().literal("T").then(time());
            case "uuid" -> hex(8).literal("-").then(hex(4)).literal("-").then(hex(4)).literal("-")
                    .then(hex(4)).literal("-").then(hex(12));
            case "email" -> email();
            default -> null;
        };
        if (body == null) {
            return -1;
        }
        return b.rule("format_" + format, b.seq().literal("\"").then(body).literal("\""));
    }

    /** {@code atom(.atom)*@label(-label)*(.label(-label)*)+} with atoms of letters, digits and {@code _+-}. */
    private Seq email() {
        int atom = oneOrMore("email_atom", b.seq().add(b.ranges('a', 'z', 'A', 'Z', '0', '9', '_', '_', '+', '+',
                '-', '-')));
        int localRest = b.declare("email_local_rest");
        b.alternative(localRest, b.seq());
        b.alternative(localRest, b.seq().literal(".").ref(atom).ref(localRest));
        int alnum = oneOrMore("email_alnum", b.seq().add(b.ranges('a', 'z', 'A', 'Z', '0', '9')));
        int labelRest = b.declare("email_label_rest");
        b.alternative(labelRest, b.seq());
        b.alternative(labelRest, b.seq().literal("-").ref(alnum).ref(labelRest));
        int label = b.rule("email_label", b.seq().ref(alnum).ref(labelRest));
        int domainRest = oneOrMore("email_domain_rest", b.seq().literal(".").ref(label));
        return b.seq().ref(atom).ref(localRest).literal("@").ref(label).ref(domainRest);
    }
}
