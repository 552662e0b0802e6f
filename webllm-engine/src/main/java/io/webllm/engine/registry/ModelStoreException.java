package io.webllm.engine.registry;

import org.jspecify.annotations.Nullable;

/**
 * Base of everything {@link ModelStore} throws, so that callers can catch "the model could not be provided" at once.
 */
public class ModelStoreException extends RuntimeException {

    public ModelStoreException(String message) {
        super(message);
    }

    public ModelStoreException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
