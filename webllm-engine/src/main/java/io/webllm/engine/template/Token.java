package io.webllm.engine.template;

/** One lexical token; {@code start}/{@code end} are offsets into the normalized source. */
record Token(Kind kind, String text, int start, int end) {

    enum Kind {
        DATA, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF
    }

    boolean isOp(String t) {
        return kind == Kind.OPERATOR && text.equals(t);
    }

    boolean isName(String t) {
        return kind == Kind.NAME && text.equals(t);
    }
}
