package io.webllm.engine.chat;

/** A request the engine refuses before doing any work; {@link #field()} names the offending field as OpenAI spells it. */
public class InvalidRequestException extends IllegalArgumentException {

    private final String field;

    public InvalidRequestException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
