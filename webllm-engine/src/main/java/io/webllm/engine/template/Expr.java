package io.webllm.engine.template;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/** Expression nodes; {@code start}/{@code end} locate the construct in the source for error messages. */
sealed interface Expr {

    int start();

    int end();

    /** Positional and keyword arguments of a call, filter or test. */
    record Args(List<Expr> positional, Map<String, Expr> keywords) {
        static final Args NONE = new Args(List.of(), Map.of());
    }

    record Const(@Nullable Object value, int start, int end) implements Expr { }

    record Name(String name, int start, int end) implements Expr { }

    record ListLit(List<Expr> items, int start, int end) implements Expr { }

    record TupleLit(List<Expr> items, int start, int end) implements Expr { }

    record DictLit(List<Expr> keys, List<Expr> values, int start, int end) implements Expr { }

    /** {@code obj.attr}: Python attribute first, then item. */
    record GetAttr(Expr target, String attribute, int start, int end) implements Expr { }

    /** {@code obj[key]}: item first, then attribute. */
    record GetItem(Expr target, Expr key, int start, int end) implements Expr { }

    record Slice(Expr target, @Nullable Expr lower, @Nullable Expr upper, @Nullable Expr step, int start, int end)
            implements Expr { }

    record Call(Expr function, Args args, int start, int end) implements Expr { }

    /** {@code value | name(args)}; value is null inside filter blocks and set blocks, where the body is piped in. */
    record Filter(@Nullable Expr value, String name, Args args, int start, int end) implements Expr { }

    record Test(Expr value, String name, Args args, boolean negated, int start, int end) implements Expr { }

    /** {@code -x}, {@code +x}, {@code not x}. */
    record Unary(String operator, Expr operand, int start, int end) implements Expr { }

    /** Arithmetic, {@code ~}, {@code and}, {@code or}. */
    record Binary(String operator, Expr left, Expr right, int start, int end) implements Expr { }

    /** A comparison chain {@code a < b <= c} as Python evaluates it. */
    record Compare(Expr first, List<String> operators, List<Expr> operands, int start, int end) implements Expr { }

    record Conditional(Expr test, Expr then, @Nullable Expr otherwise, int start, int end) implements Expr { }
}
