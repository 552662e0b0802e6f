package io.webllm.engine.sampling;

/** A sampling parameter outside its allowed range; {@link #field()} is the OpenAI request field's name. */
public final class InvalidSamplingParameterException extends IllegalArgumentException {

    private final String field;

    public InvalidSamplingParameterException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The request field at fault, spelled as in the OpenAI API ({@code top_p}, {@code logit_bias}, ...). */
    public String field() {
        return field;
    }
}
