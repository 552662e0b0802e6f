package io.webllm.engine.tokenizer;

/** A vocabulary that cannot be used: an unknown tokenizer model or pre-tokenizer, or inconsistent metadata. */
public class TokenizerException extends RuntimeException {

    public TokenizerException(String message) {
        super(message);
    }
}
