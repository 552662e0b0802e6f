package io.webllm.engine.template;

import java.util.List;

import org.jspecify.annotations.Nullable;

/** Statement nodes of a compiled template. */
sealed interface Stmt {

    int start();

    int end();

    record Data(String text, int start, int end) implements Stmt { }

    record Print(Expr value, int start, int end) implements Stmt { }

    record If(List<Expr> tests, List<List<Stmt>> bodies, List<Stmt> otherwise, int start, int end) implements Stmt { }

    /** {@code for target in iterable [if filter] [recursive]}; target is a name or names to unpack. */
    record For(Target target, Expr iterable, @Nullable Expr filter, boolean recursive, List<Stmt> body,
            List<Stmt> otherwise, int start, int end) implements Stmt { }

    record Set(Target target, Expr value, int start, int end) implements Stmt { }

    /** {@code {% set x | filters %}body{% endset %}}: the rendered body, piped through the filters. */
    record SetBlock(Target target, List<Expr.Filter> filters, List<Stmt> body, int start, int end) implements Stmt { }

    record Macro(String name, List<String> parameters, List<@Nullable Expr> defaults, List<Stmt> body, int start,
            int end) implements Stmt { }

    /** {@code {% call(params) macro(args) %}body{% endcall %}}: the body becomes the macro's {@code caller}. */
    record CallBlock(Expr.Call call, List<String> parameters, List<@Nullable Expr> defaults, List<Stmt> body,
            int start, int end) implements Stmt { }

    record FilterBlock(List<Expr.Filter> filters, List<Stmt> body, int start, int end) implements Stmt { }

    record With(List<Target> targets, List<Expr> values, List<Stmt> body, int start, int end) implements Stmt { }

    /** A transparent block such as Hugging Face's {@code {% generation %}}. */
    record Scoped(List<Stmt> body, int start, int end) implements Stmt { }

    record Break(int start, int end) implements Stmt { }

    record Continue(int start, int end) implements Stmt { }

    /** Where an assignment goes: one name, several names to unpack, or a namespace attribute. */
    record Target(List<String> names, boolean unpack, @Nullable String attribute) {

        static Target name(String name) {
            return new Target(List.of(name), false, null);
        }
    }
}
