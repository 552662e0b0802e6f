package io.webllm.spring.autoconfigure;

/** A configured model could not be made ready; the message names the model and the cause says why. */
public class ModelLoadException extends RuntimeException {

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
