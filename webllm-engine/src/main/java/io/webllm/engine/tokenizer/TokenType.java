package io.webllm.engine.tokenizer;

/** The type of a vocabulary entry, as stored in {@code tokenizer.ggml.token_type}. */
public enum TokenType {
    /** Type 0: written by old converters; treated like an unsupported type (decodes to nothing). */
    UNDEFINED,
    /** Type 1: an ordinary piece of text, produced by the merge procedure. */
    NORMAL,
    /** Type 2: the unknown token ({@code <unk>}). */
    UNKNOWN,
    /** Type 3: a control token such as BOS, EOS or {@code <|im_end|>}; only template text may produce it. */
    CONTROL,
    /** Type 4: a word added by the model authors; recognised in any text, as Hugging Face does. */
    USER_DEFINED,
    /** Type 5: a placeholder that is never produced. */
    UNUSED,
    /** Type 6: a byte-fallback token {@code <0xNN>}. */
    BYTE;

    static TokenType fromGguf(int value) {
        return switch (value) {
            case 1 -> NORMAL;
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> UNDEFINED;
        };
    }
}
