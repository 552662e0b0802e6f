package io.webllm.engine.template;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.webllm.engine.template.Token.Kind;

/**
 * Splits template source into tokens exactly as Jinja2's lexer does with {@code trim_blocks=True} and
 * {@code lstrip_blocks=True}: whitespace control ({@code -}/{@code +}), the newline after a block or comment
 * tag dropped, and the indentation before a block or comment tag that starts a line removed.
 */
final class TemplateLexer {

    private static final Pattern RAW_BEGIN = Pattern.compile("\\{%([-+]?)\\s*raw\\s*([-+]?)%}");
    private static final Pattern RAW_END = Pattern.compile("\\{%([-+]?)\\s*endraw\\s*([-+]?)%}");
    private static final String[] TWO_CHAR_OPS = {"//", "**", "==", "!=", ">=", "<="};
    private static final String ONE_CHAR_OPS = "+-/*%~[](){}><=.:|,;";

    private final SourceText source;
    private final String s;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    /** Whether the previous token ended with a newline: the condition Jinja's lstrip_blocks checks. */
    private boolean lineStarting = true;

    TemplateLexer(SourceText source) {
        this.source = source;
        this.s = source.text();
    }

    List<Token> tokenize() {
        int n = s.length();
        while (pos < n) {
            int tag = nextTagStart(pos);
            if (tag < 0) {
                addData(s.substring(pos), pos);
                pos = n;
                break;
            }
            String text = s.substring(pos, tag);
            char type = s.charAt(tag + 1);
            Matcher raw = RAW_BEGIN.matcher(s).region(tag, n);
            if (type == '%' && raw.lookingAt()) {
                addData(stripBefore(text, raw.group(1), true), pos);
                lexRaw(raw);
                continue;
            }
            char modifier = tag + 2 < n ? s.charAt(tag + 2) : 0;
            String mod = modifier == '-' || modifier == '+' ? String.valueOf(modifier) : "";
            addData(stripBefore(text, mod, type != '{'), pos);
            pos = tag + 2 + mod.length();
            switch (type) {
                case '#' -> lexComment(tag);
                case '{' -> {
                    tokens.add(new Token(Kind.VAR_BEGIN, "{{", tag, pos));
                    lexInsideTag(false, tag);
                }
                default -> {
                    tokens.add(new Token(Kind.BLOCK_BEGIN, "{%", tag, pos));
                    lexInsideTag(true, tag);
                }
            }
        }
        tokens.add(new Token(Kind.EOF, "", n, n));
        return tokens;
    }

    private int nextTagStart(int from) {
        int i = s.indexOf('{', from);
        while (i >= 0 && i + 1 < s.length()) {
            char c = s.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
            i = s.indexOf('{', i + 1);
        }
        return -1;
    }

    /** The text before a tag after '-' stripping or lstrip_blocks (which applies to block and comment tags). */
    private String stripBefore(String text, String modifier, boolean lstripApplies) {
        if (modifier.equals("-")) {
            return PyStrings.rstrip(text, null);
        }
        if (!modifier.equals("+") && lstripApplies) {
            int lineStart = text.lastIndexOf('\n') + 1;
            if ((lineStart > 0 || lineStarting) && PyStrings.isAllSpace(text, lineStart)) {
                return text.substring(0, lineStart);
            }
        }
        return text;
    }

    private void addData(String text, int at) {
        if (!text.isEmpty()) {
            tokens.add(new Token(Kind.DATA, text, at, at + text.length()));
        }
    }

    private void lexComment(int tag) {
        int close = s.indexOf("#}", pos);
        if (close < 0) {
            throw source.error(tag, tag + 2, "missing end of comment tag");
        }
        int end = close + 2;
        if (close > pos && s.charAt(close - 1) == '-') {
            end = skipSpace(end);
        } else if (!(close > pos && s.charAt(close - 1) == '+') && end < s.length() && s.charAt(end) == '\n') {
            end++; // trim_blocks
        }
        finishTag(end);
    }

    private void lexRaw(Matcher begin) {
        int afterBegin = endOfTag(begin.end(), begin.group(2));
        Matcher end = RAW_END.matcher(s).region(afterBegin, s.length());
        if (!end.find()) {
            throw source.error(begin.start(), begin.end(), "missing end of raw directive");
        }
        lineStarting = afterBegin > 0 && s.charAt(afterBegin - 1) == '\n';
        String text = s.substring(afterBegin, end.start());
        addData(stripBefore(text, end.group(1), true), afterBegin);
        finishTag(endOfTag(end.end(), end.group(2)));
    }

    private int endOfTag(int end, String modifier) {
        if (modifier.equals("-")) {
            return skipSpace(end);
        }
        if (!modifier.equals("+") && end < s.length() && s.charAt(end) == '\n') {
            return end + 1;
        }
        return end;
    }

    private void finishTag(int end) {
        lineStarting = end > 0 && s.charAt(end - 1) == '\n';
        pos = end;
    }

    private int skipSpace(int i) {
        while (i < s.length() && PyStrings.isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private void lexInsideTag(boolean block, int tagStart) {
        Deque<Character> open = new ArrayDeque<>();
        String close = block ? "%}" : "}}";
        while (true) {
            pos = skipSpace(pos);
            if (pos >= s.length()) {
                throw source.error(tagStart, pos, "unexpected end of template, expected '" + close + "'");
            }
            if (open.isEmpty()) {
                int end = -1;
                if (s.startsWith("-" + close, pos)) {
                    end = skipSpace(pos + 3);
                } else if (s.startsWith("+" + close, pos) && block) {
                    end = pos + 3;
                } else if (s.startsWith(close, pos)) {
                    end = pos + 2;
                    if (block && end < s.length() && s.charAt(end) == '\n') {
                        end++; // trim_blocks
                    }
                }
                if (end >= 0) {
                    tokens.add(new Token(block ? Kind.BLOCK_END : Kind.VAR_END, close, pos, end));
                    finishTag(end);
                    return;
                }
            }
            lexExpressionToken(open);
        }
    }

    private void lexExpressionToken(Deque<Character> open) {
        int start = pos;
        char c = s.charAt(pos);
        if (Character.isDigit(c)) {
            lexNumber();
            return;
        }
        if (Character.isLetter(c) || c == '_') {
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
                pos++;
            }
            tokens.add(new Token(Kind.NAME, s.substring(start, pos), start, pos));
            return;
        }
        if (c == '\'' || c == '"') {
            lexString(c);
            return;
        }
        for (String op : TWO_CHAR_OPS) {
            if (s.startsWith(op, pos)) {
                pos += 2;
                tokens.add(new Token(Kind.OPERATOR, op, start, pos));
                return;
            }
        }
        if (ONE_CHAR_OPS.indexOf(c) >= 0) {
            switch (c) {
                case '(', '[', '{' -> open.push(c);
                case ')', ']', '}' -> {
                    char expected = c == ')' ? '(' : c == ']' ? '[' : '{';
                    if (open.isEmpty() || open.peek() != expected) {
                        throw source.error(start, start + 1, "unexpected '" + c + "'");
                    }
                    open.pop();
                }
                default -> { }
            }
            pos++;
            tokens.add(new Token(Kind.OPERATOR, String.valueOf(c), start, pos));
            return;
        }
        throw source.error(start, start + 1, "unexpected char '" + c + "'");
    }

    private void lexNumber() {
        int start = pos;
        pos = digits(pos);
        boolean isFloat = false;
        boolean afterDot = start > 0 && s.charAt(start - 1) == '.';
        if (!afterDot) {
            if (pos + 1 < s.length() && s.charAt(pos) == '.' && Character.isDigit(s.charAt(pos + 1))) {
                pos = digits(pos + 1);
                isFloat = true;
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                int e = pos + 1;
                if (e < s.length() && (s.charAt(e) == '+' || s.charAt(e) == '-')) {
                    e++;
                }
                if (e < s.length() && Character.isDigit(s.charAt(e))) {
                    pos = digits(e);
                    isFloat = true;
                }
            }
        }
        String text = s.substring(start, pos).replace("_", "");
        tokens.add(new Token(isFloat ? Kind.FLOAT : Kind.INTEGER, text, start, pos));
    }

    private int digits(int i) {
        while (i < s.length() && (Character.isDigit(s.charAt(i))
                || (s.charAt(i) == '_' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1))))) {
            i++;
        }
        return i;
    }

    private void lexString(char quote) {
        int start = pos;
        int i = pos + 1;
        while (i < s.length() && s.charAt(i) != quote) {
            i += s.charAt(i) == '\\' ? 2 : 1;
        }
        if (i >= s.length()) {
            throw source.error(start, start + 1, "unterminated string literal");
        }
        pos = i + 1;
        tokens.add(new Token(Kind.STRING, unescape(s.substring(start + 1, i)), start, pos));
    }

    /** Python's "unicode-escape" decoding, which Jinja applies to string literals. */
    private static String unescape(String body) {
        if (body.indexOf('\\') < 0) {
            return body;
        }
        StringBuilder out = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 >= body.length()) {
                out.append(c);
                continue;
            }
            char e = body.charAt(++i);
            switch (e) {
                case '\n' -> { } // line continuation
                case '\\' -> out.append('\\');
                case '\'' -> out.append('\'');
                case '"' -> out.append('"');
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case 'x', 'u', 'U' -> {
                    int len = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (isHex(body, i + 1, len)) {
                        out.appendCodePoint(Integer.parseInt(body.substring(i + 1, i + 1 + len), 16));
                        i += len;
                    } else {
                        out.append('\\').append(e);
                    }
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int j = i;
                        while (j < body.length() && j < i + 3 && body.charAt(j) >= '0' && body.charAt(j) <= '7') {
                            j++;
                        }
                        out.append((char) Integer.parseInt(body.substring(i, j), 8));
                        i = j - 1;
                    } else {
                        out.append('\\').append(e);
                    }
                }
            }
        }
        return out.toString();
    }

    private static boolean isHex(String s, int from, int len) {
        if (from + len > s.length()) {
            return false;
        }
        for (int i = from; i < from + len; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
