package io.webllm.engine.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.webllm.engine.template.Token.Kind;

/**
 * Builds the statement tree from tokens, with Jinja2's grammar and operator precedence (filters and tests bind
 * tighter than arithmetic; {@code not} looser than comparisons; {@code -x ** 2} is {@code (-x) ** 2}).
 */
final class TemplateParser {

    private static final Set<String> COMPARE_OPS = Set.of("==", "!=", "<", "<=", ">", ">=");

    private final SourceText source;
    private final List<Token> tokens;
    private int index;

    TemplateParser(SourceText source, List<Token> tokens) {
        this.source = source;
        this.tokens = tokens;
    }

    List<Stmt> parseTemplate() {
        List<Stmt> body = subparse(Set.of());
        if (current().kind() != Kind.EOF) {
            throw error(current(), "unexpected '" + current().text() + "'");
        }
        return body;
    }

    // ---- statements ----

    /** Parses until EOF or a block tag whose name is in {@code endNames}, left as the current token. */
    private List<Stmt> subparse(Set<String> endNames) {
        List<Stmt> body = new ArrayList<>();
        while (true) {
            Token t = current();
            switch (t.kind()) {
                case DATA -> {
                    next();
                    body.add(new Stmt.Data(t.text(), t.start(), t.end()));
                }
                case VAR_BEGIN -> {
                    next();
                    Expr value = parseTuple(true, Set.of(), false);
                    expect(Kind.VAR_END, "}}");
                    body.add(new Stmt.Print(value, value.start(), value.end()));
                }
                case BLOCK_BEGIN -> {
                    Token name = peek(1);
                    if (name.kind() == Kind.NAME && endNames.contains(name.text())) {
                        next();
                        return body;
                    }
                    next();
                    body.add(parseStatement(t));
                }
                case EOF -> {
                    if (!endNames.isEmpty()) {
                        throw error(t, "unexpected end of template, expected one of " + endNames);
                    }
                    return body;
                }
                default -> throw error(t, "unexpected '" + t.text() + "'");
            }
        }
    }

    private Stmt parseStatement(Token begin) {
        Token name = current();
        if (name.kind() != Kind.NAME) {
            throw error(name, "tag name expected, found '" + name.text() + "'");
        }
        next();
        return switch (name.text()) {
            case "if" -> parseIf(begin);
            case "for" -> parseFor(begin);
            case "set" -> parseSet(begin);
            case "macro" -> parseMacro(begin);
            case "call" -> parseCallBlock(begin);
            case "filter" -> parseFilterBlock(begin);
            case "with" -> parseWith(begin);
            case "generation" -> {
                endTag();
                List<Stmt> body = subparse(Set.of("endgeneration"));
                closeTag("endgeneration");
                yield new Stmt.Scoped(body, begin.start(), previous().end());
            }
            case "break" -> {
                endTag();
                yield new Stmt.Break(begin.start(), previous().end());
            }
            case "continue" -> {
                endTag();
                yield new Stmt.Continue(begin.start(), previous().end());
            }
            default -> throw error(name, "unknown tag '" + name.text() + "'");
        };
    }

    private Stmt parseIf(Token begin) {
        List<Expr> tests = new ArrayList<>();
        List<List<Stmt>> bodies = new ArrayList<>();
        List<Stmt> otherwise = List.of();
        tests.add(parseTuple(false, Set.of(), false));
        endTag();
        while (true) {
            bodies.add(subparse(Set.of("elif", "else", "endif")));
            Token tag = current();
            next();
            if (tag.text().equals("elif")) {
                tests.add(parseTuple(false, Set.of(), false));
                endTag();
            } else if (tag.text().equals("else")) {
                endTag();
                otherwise = subparse(Set.of("endif"));
                closeTag("endif");
                break;
            } else {
                endTag();
                break;
            }
        }
        return new Stmt.If(tests, bodies, otherwise, begin.start(), previous().end());
    }

    private Stmt parseFor(Token begin) {
        Stmt.Target target = parseAssignTarget(false);
        expectName("in");
        Expr iterable = parseTuple(false, Set.of("recursive"), false);
        Expr filter = null;
        if (current().isName("if")) {
            next();
            filter = parseExpression(true);
        }
        boolean recursive = false;
        if (current().isName("recursive")) {
            next();
            recursive = true;
        }
        endTag();
        List<Stmt> body = subparse(Set.of("endfor", "else"));
        List<Stmt> otherwise = List.of();
        if (current().isName("else")) {
            next();
            endTag();
            otherwise = subparse(Set.of("endfor"));
        }
        closeTag("endfor");
        return new Stmt.For(target, iterable, filter, recursive, body, otherwise, begin.start(), previous().end());
    }

    private Stmt parseSet(Token begin) {
        Stmt.Target target = parseAssignTarget(true);
        if (current().isOp("=")) {
            next();
            Expr value = parseTuple(true, Set.of(), false);
            endTag();
            return new Stmt.Set(target, value, begin.start(), previous().end());
        }
        List<Expr.Filter> filters = parseFilterChain();
        endTag();
        List<Stmt> body = subparse(Set.of("endset"));
        closeTag("endset");
        return new Stmt.SetBlock(target, filters, body, begin.start(), previous().end());
    }

    private List<Expr.Filter> parseFilterChain() {
        List<Expr.Filter> filters = new ArrayList<>();
        while (current().isOp("|") || (filters.isEmpty() && current().kind() == Kind.NAME)) {
            if (current().isOp("|")) {
                next();
            }
            filters.add(parseFilter(null, current().start()));
        }
        return filters;
    }

    private Stmt parseMacro(Token begin) {
        String name = expect(Kind.NAME, "macro name").text();
        List<String> params = new ArrayList<>();
        List<@Nullable Expr> defaults = new ArrayList<>();
        parseSignature(params, defaults);
        endTag();
        List<Stmt> body = subparse(Set.of("endmacro"));
        closeTag("endmacro");
        return new Stmt.Macro(name, params, defaults, body, begin.start(), previous().end());
    }

    private void parseSignature(List<String> params, List<@Nullable Expr> defaults) {
        expectOp("(");
        while (!current().isOp(")")) {
            if (!params.isEmpty()) {
                expectOp(",");
            }
            params.add(expect(Kind.NAME, "parameter name").text());
            if (current().isOp("=")) {
                next();
                defaults.add(parseExpression(true));
            } else {
                defaults.add(null);
            }
        }
        expectOp(")");
    }

    private Stmt parseCallBlock(Token begin) {
        List<String> params = new ArrayList<>();
        List<@Nullable Expr> defaults = new ArrayList<>();
        if (current().isOp("(")) {
            parseSignature(params, defaults);
        }
        Expr call = parseExpression(true);
        if (!(call instanceof Expr.Call c)) {
            throw error(current(), "expected a call after 'call'");
        }
        endTag();
        List<Stmt> body = subparse(Set.of("endcall"));
        closeTag("endcall");
        return new Stmt.CallBlock(c, params, defaults, body, begin.start(), previous().end());
    }

    private Stmt parseFilterBlock(Token begin) {
        List<Expr.Filter> filters = parseFilterChain();
        endTag();
        List<Stmt> body = subparse(Set.of("endfilter"));
        closeTag("endfilter");
        return new Stmt.FilterBlock(filters, body, begin.start(), previous().end());
    }

    private Stmt parseWith(Token begin) {
        List<Stmt.Target> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (current().kind() != Kind.BLOCK_END) {
            if (!targets.isEmpty()) {
                expectOp(",");
            }
            targets.add(parseAssignTarget(false));
            expectOp("=");
            values.add(parseExpression(true));
        }
        endTag();
        List<Stmt> body = subparse(Set.of("endwith"));
        closeTag("endwith");
        return new Stmt.With(targets, values, body, begin.start(), previous().end());
    }

    private Stmt.Target parseAssignTarget(boolean allowNamespace) {
        if (allowNamespace && current().kind() == Kind.NAME && peek(1).isOp(".")) {
            String ns = current().text();
            next();
            next();
            String attribute = expect(Kind.NAME, "attribute name").text();
            return new Stmt.Target(List.of(ns), false, attribute);
        }
        boolean parenthesized = current().isOp("(");
        if (parenthesized) {
            next();
        }
        List<String> names = new ArrayList<>();
        boolean unpack = parenthesized;
        names.add(expect(Kind.NAME, "variable name").text());
        while (current().isOp(",")) {
            next();
            unpack = true;
            if (current().kind() != Kind.NAME) {
                break;
            }
            names.add(expect(Kind.NAME, "variable name").text());
        }
        if (parenthesized) {
            expectOp(")");
        }
        return new Stmt.Target(names, unpack, null);
    }

    private void endTag() {
        expect(Kind.BLOCK_END, "%}");
    }

    /** After subparse stopped at an end tag's name: consume the name and the tag end. */
    private void closeTag(String name) {
        expectName(name);
        endTag();
    }

    // ---- expressions ----

    private Expr parseTuple(boolean withConditional, Set<String> extraEnd, boolean explicitParentheses) {
        int start = current().start();
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) {
                expectOp(",");
            }
            if (isTupleEnd(extraEnd)) {
                break;
            }
            items.add(parseExpression(withConditional));
            if (current().isOp(",")) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (!isTuple) {
            if (!items.isEmpty()) {
                return items.getFirst();
            }
            if (!explicitParentheses) {
                throw error(current(), "expected an expression, found '" + current().text() + "'");
            }
        }
        return new Expr.TupleLit(items, start, previous().end());
    }

    private boolean isTupleEnd(Set<String> extraEnd) {
        Token t = current();
        return t.kind() == Kind.VAR_END || t.kind() == Kind.BLOCK_END || t.isOp(")")
                || (t.kind() == Kind.NAME && extraEnd.contains(t.text()));
    }

    private Expr parseExpression(boolean withConditional) {
        return withConditional ? parseConditional() : parseOr();
    }

    private Expr parseConditional() {
        Expr expr = parseOr();
        while (current().isName("if")) {
            next();
            Expr test = parseOr();
            Expr otherwise = null;
            if (current().isName("else")) {
                next();
                otherwise = parseConditional();
            }
            expr = new Expr.Conditional(test, expr, otherwise, expr.start(), previous().end());
        }
        return expr;
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (current().isName("or")) {
            next();
            Expr right = parseAnd();
            left = new Expr.Binary("or", left, right, left.start(), right.end());
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (current().isName("and")) {
            next();
            Expr right = parseNot();
            left = new Expr.Binary("and", left, right, left.start(), right.end());
        }
        return left;
    }

    private Expr parseNot() {
        if (current().isName("not")) {
            Token not = current();
            next();
            Expr operand = parseNot();
            return new Expr.Unary("not", operand, not.start(), operand.end());
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        Expr first = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expr> operands = new ArrayList<>();
        while (true) {
            Token t = current();
            if (t.kind() == Kind.OPERATOR && COMPARE_OPS.contains(t.text())) {
                next();
                ops.add(t.text());
            } else if (t.isName("in")) {
                next();
                ops.add("in");
            } else if (t.isName("not") && peek(1).isName("in")) {
                next();
                next();
                ops.add("not in");
            } else {
                break;
            }
            operands.add(parseMath1());
        }
        if (ops.isEmpty()) {
            return first;
        }
        return new Expr.Compare(first, ops, operands, first.start(), previous().end());
    }

    private Expr parseMath1() {
        Expr left = parseConcat();
        while (current().isOp("+") || current().isOp("-")) {
            String op = current().text();
            next();
            Expr right = parseConcat();
            left = new Expr.Binary(op, left, right, left.start(), right.end());
        }
        return left;
    }

    private Expr parseConcat() {
        Expr left = parseMath2();
        while (current().isOp("~")) {
            next();
            Expr right = parseMath2();
            left = new Expr.Binary("~", left, right, left.start(), right.end());
        }
        return left;
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        while (current().isOp("*") || current().isOp("/") || current().isOp("//") || current().isOp("%")) {
            String op = current().text();
            next();
            Expr right = parsePow();
            left = new Expr.Binary(op, left, right, left.start(), right.end());
        }
        return left;
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        while (current().isOp("**")) {
            next();
            Expr right = parseUnary(true);
            left = new Expr.Binary("**", left, right, left.start(), right.end());
        }
        return left;
    }

    private Expr parseUnary(boolean withFilter) {
        Token t = current();
        Expr node;
        if (t.isOp("-") || t.isOp("+")) {
            next();
            Expr operand = parseUnary(false);
            node = new Expr.Unary(t.text(), operand, t.start(), operand.end());
        } else {
            node = parsePrimary();
        }
        node = parsePostfix(node);
        if (withFilter) {
            node = parseFilterExpr(node);
        }
        return node;
    }

    private Expr parsePrimary() {
        Token t = current();
        switch (t.kind()) {
            case NAME -> {
                next();
                return switch (t.text()) {
                    case "true", "True" -> new Expr.Const(Boolean.TRUE, t.start(), t.end());
                    case "false", "False" -> new Expr.Const(Boolean.FALSE, t.start(), t.end());
                    case "none", "None" -> new Expr.Const(null, t.start(), t.end());
                    default -> new Expr.Name(t.text(), t.start(), t.end());
                };
            }
            case STRING -> {
                next();
                StringBuilder text = new StringBuilder(t.text());
                while (current().kind() == Kind.STRING) {
                    text.append(current().text());
                    next();
                }
                return new Expr.Const(text.toString(), t.start(), previous().end());
            }
            case INTEGER -> {
                next();
                return new Expr.Const(Long.parseLong(t.text()), t.start(), t.end());
            }
            case FLOAT -> {
                next();
                return new Expr.Const(Double.parseDouble(t.text()), t.start(), t.end());
            }
            case OPERATOR -> {
                switch (t.text()) {
                    case "(" -> {
                        next();
                        Expr inner = parseTuple(true, Set.of(), true);
                        expectOp(")");
                        return inner;
                    }
                    case "[" -> {
                        next();
                        List<Expr> items = new ArrayList<>();
                        while (!current().isOp("]")) {
                            if (!items.isEmpty()) {
                                expectOp(",");
                                if (current().isOp("]")) {
                                    break;
                                }
                            }
                            items.add(parseExpression(true));
                        }
                        expectOp("]");
                        return new Expr.ListLit(items, t.start(), previous().end());
                    }
                    case "{" -> {
                        next();
                        List<Expr> keys = new ArrayList<>();
                        List<Expr> values = new ArrayList<>();
                        while (!current().isOp("}")) {
                            if (!keys.isEmpty()) {
                                expectOp(",");
                                if (current().isOp("}")) {
                                    break;
                                }
                            }
                            keys.add(parseExpression(true));
                            expectOp(":");
                            values.add(parseExpression(true));
                        }
                        expectOp("}");
                        return new Expr.DictLit(keys, values, t.start(), previous().end());
                    }
                    default -> { }
                }
            }
            default -> { }
        }
        throw error(t, "unexpected '" + (t.kind() == Kind.EOF ? "end of template" : t.text()) + "'");
    }

    private Expr parsePostfix(Expr node) {
        while (true) {
            Token t = current();
            if (t.isOp(".")) {
                next();
                Token attr = current();
                if (attr.kind() == Kind.NAME) {
                    next();
                    node = new Expr.GetAttr(node, attr.text(), node.start(), attr.end());
                } else if (attr.kind() == Kind.INTEGER) {
                    next();
                    Expr key = new Expr.Const(Long.parseLong(attr.text()), attr.start(), attr.end());
                    node = new Expr.GetItem(node, key, node.start(), attr.end());
                } else {
                    throw error(attr, "expected name or number after '.', found '" + attr.text() + "'");
                }
            } else if (t.isOp("[")) {
                next();
                node = parseSubscript(node);
            } else if (t.isOp("(")) {
                node = parseCall(node);
            } else {
                return node;
            }
        }
    }

    private Expr parseSubscript(Expr node) {
        List<@Nullable Expr> parts = new ArrayList<>();
        boolean slice = false;
        @Nullable Expr part = null;
        while (!current().isOp("]")) {
            if (current().isOp(":")) {
                next();
                parts.add(part);
                part = null;
                slice = true;
            } else if (current().isOp(",")) {
                throw error(current(), "tuple subscripts are not supported");
            } else {
                part = parseExpression(true);
            }
        }
        parts.add(part);
        expectOp("]");
        int end = previous().end();
        if (!slice) {
            Expr key = parts.getFirst();
            if (key == null) {
                throw error(previous(), "expected a subscript");
            }
            return new Expr.GetItem(node, key, node.start(), end);
        }
        if (parts.size() > 3) {
            throw error(previous(), "too many ':' in slice");
        }
        return new Expr.Slice(node, parts.get(0), parts.size() > 1 ? parts.get(1) : null,
                parts.size() > 2 ? parts.get(2) : null, node.start(), end);
    }

    private Expr.Call parseCall(Expr node) {
        Expr.Args args = parseArgs();
        return new Expr.Call(node, args, node.start(), previous().end());
    }

    private Expr.Args parseArgs() {
        expectOp("(");
        List<Expr> positional = new ArrayList<>();
        Map<String, Expr> keywords = new LinkedHashMap<>();
        boolean first = true;
        while (!current().isOp(")")) {
            if (!first) {
                expectOp(",");
                if (current().isOp(")")) {
                    break;
                }
            }
            first = false;
            if (current().kind() == Kind.NAME && peek(1).isOp("=")) {
                String key = current().text();
                next();
                next();
                keywords.put(key, parseExpression(true));
            } else {
                if (!keywords.isEmpty()) {
                    throw error(current(), "positional argument after keyword argument");
                }
                positional.add(parseExpression(true));
            }
        }
        expectOp(")");
        return new Expr.Args(positional, keywords);
    }

    private Expr parseFilterExpr(Expr node) {
        while (true) {
            if (current().isOp("|")) {
                next();
                node = parseFilter(node, node.start());
            } else if (current().isName("is")) {
                next();
                node = parseTest(node);
            } else if (current().isOp("(")) {
                node = parseCall(node);
            } else {
                return node;
            }
        }
    }

    private Expr.Filter parseFilter(@Nullable Expr value, int start) {
        StringBuilder name = new StringBuilder(expect(Kind.NAME, "filter name").text());
        while (current().isOp(".")) {
            next();
            name.append('.').append(expect(Kind.NAME, "filter name").text());
        }
        if (!Filters.NAMES.contains(name.toString())) {
            // Jinja2 rejects unknown filters when compiling, even in branches never taken.
            throw source.error(start, previous().end(), "no filter named '" + name + "'");
        }
        Expr.Args args = current().isOp("(") ? parseArgs() : Expr.Args.NONE;
        return new Expr.Filter(value, name.toString(), args, start, previous().end());
    }

    private Expr parseTest(Expr value) {
        boolean negated = false;
        if (current().isName("not")) {
            next();
            negated = true;
        }
        StringBuilder name = new StringBuilder(expect(Kind.NAME, "test name").text());
        while (current().isOp(".")) {
            next();
            name.append('.').append(expect(Kind.NAME, "test name").text());
        }
        if (!Tests.NAMES.contains(name.toString())) {
            throw source.error(value.start(), previous().end(), "no test named '" + name + "'");
        }
        Expr.Args args = Expr.Args.NONE;
        Token t = current();
        if (t.isOp("(")) {
            args = parseArgs();
        } else if ((t.kind() == Kind.NAME && !Set.of("else", "or", "and").contains(t.text()))
                || t.kind() == Kind.STRING || t.kind() == Kind.INTEGER || t.kind() == Kind.FLOAT
                || t.isOp("(") || t.isOp("[") || t.isOp("{")) {
            if (t.isName("is")) {
                throw error(t, "you cannot chain multiple tests with 'is'");
            }
            Expr arg = parsePostfix(parsePrimary());
            args = new Expr.Args(List.of(arg), Map.of());
        }
        return new Expr.Test(value, name.toString(), args, negated, value.start(), previous().end());
    }

    // ---- token stream ----

    private Token current() {
        return tokens.get(index);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(index + ahead, tokens.size() - 1));
    }

    private Token previous() {
        return tokens.get(Math.max(0, index - 1));
    }

    private void next() {
        if (index < tokens.size() - 1) {
            index++;
        }
    }

    private Token expect(Kind kind, String what) {
        Token t = current();
        if (t.kind() != kind) {
            throw error(t, "expected " + what + ", found '" + (t.kind() == Kind.EOF ? "end of template" : t.text())
                    + "'");
        }
        next();
        return t;
    }

    private void expectOp(String op) {
        if (!current().isOp(op)) {
            Token t = current();
            throw error(t, "expected '" + op + "', found '" + (t.kind() == Kind.EOF ? "end of template" : t.text())
                    + "'");
        }
        next();
    }

    private void expectName(String name) {
        if (!current().isName(name)) {
            throw error(current(), "expected '" + name + "', found '" + current().text() + "'");
        }
        next();
    }

    private TemplateException error(Token at, String reason) {
        return source.error(at.start(), Math.max(at.end(), at.start() + 1), reason);
    }
}
