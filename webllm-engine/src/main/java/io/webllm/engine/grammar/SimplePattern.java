package io.webllm.engine.grammar;

import io.webllm.engine.grammar.GrammarBuilder.Seq;
import java.nio.charset.StandardCharsets;

/**
 * Compiles a simple regular expression ({@code pattern}) into the grammar of a JSON string whose decoded text
 * matches it as a whole. JSON Schema only asks for a match somewhere in the string, so whole matches are a
 * subset of the valid strings: always valid, what schema authors mean, and, unlike a search with free text
 * around it, unambiguous enough to keep token masks cheap. Anchors {@code ^}/{@code $} at the ends are
 * therefore accepted and change nothing.
 *
 * <p>Supported: literals, {@code .}, classes {@code [a-z0-9_]} and {@code [^...]}, escapes {@code \d \w \s \D
 * \W \S \t \n \r \f \v \xHH \\uHHHH} and escaped punctuation, groups {@code (...)} and {@code (?:...)},
 * alternation, quantifiers {@code * + ? {n} {n,} {n,m}} (a lazy {@code ?} suffix is ignored), anchors at the
 * ends. Not supported (rejected): backreferences, lookaround, {@code \b}, anchors elsewhere, non-ASCII
 * characters inside classes. {@code .}, negated classes and {@code \D \W \S} generate ASCII characters only,
 * a subset of what they match, so generated strings always match.
 */
final class SimplePattern {

    private static final int MAX_REPEAT = 1000;

    private final GrammarBuilder b;
    private String source = "";
    private int at;

    SimplePattern(GrammarBuilder builder) {
        this.b = builder;
    }

    /** The rule of a whole JSON string (quotes included) matching {@code pattern}; throws IAE when unsupported. */
    int compile(String pattern) {
        String body = pattern;
        boolean anchoredStart = body.startsWith("^");
        if (anchoredStart) {
            body = body.substring(1);
        }
        boolean anchoredEnd = body.endsWith("$") && !body.endsWith("\\$");
        if (anchoredEnd) {
            body = body.substring(0, body.length() - 1);
        }
        source = body;
        at = 0;
        Seq match = alternation();
        if (at != source.length()) {
            throw new IllegalArgumentException("unexpected '" + source.charAt(at) + "' at " + at);
        }
        return b.rule("pattern", b.seq().literal("\"").then(match).literal("\""));
    }

    private boolean more() {
        return at < source.length();
    }

    private char peek() {
        return source.charAt(at);
    }

    private Seq alternation() {
        Seq first = concatenation();
        if (!more() || peek() != '|') {
            return first;
        }
        int rule = b.declare("pattern_alternatives");
        b.alternative(rule, first);
        while (more() && peek() == '|') {
            at++;
            b.alternative(rule, concatenation());
        }
        return b.seq().ref(rule);
    }

    private Seq concatenation() {
        Seq out = b.seq();
        while (more() && peek() != '|' && peek() != ')') {
            out.then(quantified());
        }
        return out;
    }

    private Seq quantified() {
        Seq atom = atom();
        while (more()) {
            char c = peek();
            int min;
            int max;
            if (c == '*') {
                min = 0;
                max = -1;
                at++;
            } else if (c == '+') {
                min = 1;
                max = -1;
                at++;
            } else if (c == '?') {
                min = 0;
                max = 1;
                at++;
            } else if (c == '{' && source.indexOf('}', at) > at && source.substring(at + 1, source.indexOf('}', at))
                    .matches("\\d+(,\\d*)?")) {
                String inside = source.substring(at + 1, source.indexOf('}', at));
                at = source.indexOf('}', at) + 1;
                int comma = inside.indexOf(',');
                min = Integer.parseInt(comma < 0 ? inside : inside.substring(0, comma));
                max = comma < 0 ? min : comma == inside.length() - 1 ? -1 : Integer.parseInt(inside.substring(comma + 1));
                if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && max < min)) {
                    throw new IllegalArgumentException("repetition {" + inside + "} out of range 0.." + MAX_REPEAT);
                }
            } else {
                return atom;
            }
            if (more() && peek() == '?') {
                at++; // lazy or greedy: the same set of strings
            }
            atom = repeat(atom, min, max);
        }
        return atom;
    }

    private Seq repeat(Seq atom, int min, int max) {
        int element = b.rule("pattern_element", atom);
        Seq out = b.seq();
        for (int i = 0; i < min; i++) {
            out.ref(element);
        }
        if (max < 0) {
            int star = b.declare("pattern_star");
            b.alternative(star, b.seq());
            b.alternative(star, b.seq().ref(element).ref(star));
            return out.ref(star);
        }
        int optional = b.rule("pattern_end", b.seq());
        for (int i = min; i < max; i++) {
            optional = b.rule("pattern_optional", b.seq(), b.seq().ref(element).ref(optional));
        }
        return out.ref(optional);
    }

    private Seq atom() {
        char c = peek();
        at++;
        switch (c) {
            case '(' -> {
                if (source.startsWith("?:", at)) {
                    at += 2;
                } else if (more() && peek() == '?') {
                    throw new IllegalArgumentException("lookaround and named groups are not supported");
                }
                Seq inner = alternation();
                if (!more() || peek() != ')') {
                    throw new IllegalArgumentException("unclosed group");
                }
                at++;
                return b.seq().ref(b.rule("pattern_group", inner));
            }
            case '[' -> {
                return characters(characterClass());
            }
            case '.' -> {
                boolean[] set = new boolean[128];
                for (int x = 0; x < 128; x++) {
                    set[x] = x != '\n' && x != '\r';
                }
                return characters(set);
            }
            case '\\' -> {
                boolean[] set = new boolean[128];
                int literal = escape(set);
                return literal < 0 ? characters(set) : character(literal);
            }
            case '^', '$' -> throw new IllegalArgumentException("anchor '" + c + "' inside the pattern");
            case ')', '*', '+', '?', '{' -> throw new IllegalArgumentException("unexpected '" + c + "' at "
                    + (at - 1));
            default -> {
                int codePoint = source.codePointAt(at - 1);
                at += Character.charCount(codePoint) - 1;
                return character(codePoint);
            }
        }
    }

    /** Reads an escape after the backslash: fills {@code set} for a class escape, or returns the literal. */
    private int escape(boolean[] set) {
        if (!more()) {
            throw new IllegalArgumentException("pattern ends with a backslash");
        }
        char c = peek();
        at++;
        switch (c) {
            case 'd', 'D', 'w', 'W', 's', 'S' -> {
                for (int x = 0; x < 128; x++) {
                    boolean digit = x >= '0' && x <= '9';
                    boolean word = digit || (x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z') || x == '_';
                    boolean space = x == ' ' || (x >= 9 && x <= 13);
                    boolean in = switch (c) {
                        case 'd' -> digit;
                        case 'D' -> !digit;
                        case 'w' -> word;
                        case 'W' -> !word;
                        case 's' -> space;
                        default -> !space;
                    };
                    set[x] |= in;
                }
                return -1;
            }
            case 't' -> {
                return '\t';
            }
            case 'n' -> {
                return '\n';
            }
            case 'r' -> {
                return '\r';
            }
            case 'f' -> {
                return '\f';
            }
            case 'v' -> {
                return 0x0B;
            }
            case 'x', 'u' -> {
                int digits = c == 'x' ? 2 : 4;
                if (at + digits > source.length()
                        || !source.substring(at, at + digits).matches("[0-9a-fA-F]+")) {
                    throw new IllegalArgumentException("malformed \\" + c + " escape");
                }
                int value = Integer.parseInt(source.substring(at, at + digits), 16);
                at += digits;
                return value;
            }
            default -> {
                if (Character.isLetterOrDigit(c)) {
                    throw new IllegalArgumentException("escape \\" + c + " is not supported");
                }
                return c;
            }
        }
    }

    private boolean[] characterClass() {
        boolean negated = more() && peek() == '^';
        if (negated) {
            at++;
        }
        boolean[] set = new boolean[128];
        boolean firstChar = true;
        while (true) {
            if (!more()) {
                throw new IllegalArgumentException("unclosed character class");
            }
            char c = peek();
            if (c == ']' && !firstChar) {
                at++;
                break;
            }
            firstChar = false;
            at++;
            int lo;
            if (c == '\\') {
                lo = escape(set);
                if (lo < 0) {
                    continue;
                }
            } else {
                lo = c;
            }
            int hi = lo;
            if (more() && peek() == '-' && at + 1 < source.length() && source.charAt(at + 1) != ']') {
                at++;
                char h = peek();
                at++;
                hi = h == '\\' ? escape(new boolean[128]) : h;
                if (hi < lo) {
                    throw new IllegalArgumentException("range out of order in class");
                }
            }
            if (hi >= 128) {
                throw new IllegalArgumentException("non-ASCII characters in a class are not supported");
            }
            for (int x = lo; x <= hi; x++) {
                set[x] = true;
            }
        }
        if (negated) {
            for (int x = 0; x < 128; x++) {
                set[x] = !set[x];
            }
        }
        return set;
    }

    /** One character from an ASCII set, written the way JSON needs it (quote, backslash and controls escaped). */
    private Seq characters(boolean[] set) {
        long[] plain = new long[4];
        int rule = b.declare("pattern_class");
        boolean any = false;
        for (int x = 0; x < 128; x++) {
            if (!set[x]) {
                continue;
            }
            if (x >= 0x20 && x < 0x7F && x != '"' && x != '\\') {
                plain[x >>> 6] |= 1L << (x & 63);
                any = true;
            } else {
                b.alternative(rule, b.seq().bytes(jsonEscaped(x)));
                any = true;
            }
        }
        if (!any) {
            throw new IllegalArgumentException("empty character class");
        }
        if ((plain[0] | plain[1]) != 0) {
            b.alternative(rule, b.seq().add(b.byteSet(plain)));
        }
        return b.seq().ref(rule);
    }

    private Seq character(int codePoint) {
        if (codePoint < 128) {
            return b.seq().bytes(jsonEscaped(codePoint));
        }
        return b.seq().bytes(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] jsonEscaped(int x) {
        String text = switch (x) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            default -> x < 0x20 || x == 0x7F ? String.format("\\u%04x", x) : String.valueOf((char) x);
        };
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
