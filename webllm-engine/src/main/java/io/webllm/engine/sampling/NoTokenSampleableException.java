package io.webllm.engine.sampling;

/** Every token was excluded (banned, masked or not a number), so there is nothing to draw from. */
public final class NoTokenSampleableException extends IllegalStateException {

    public NoTokenSampleableException(String message) {
        super(message);
    }
}
