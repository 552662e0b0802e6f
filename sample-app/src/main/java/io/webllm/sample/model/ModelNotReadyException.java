package io.webllm.sample.model;

/** A request arrived before the model finished loading, or after loading failed (HTTP 503). */
public class ModelNotReadyException extends RuntimeException {

    public ModelNotReadyException(ModelStatus status) {
        super(switch (status.phase()) {
            case FAILED -> "model " + status.model() + " could not be loaded: " + status.message();
            default -> "model " + status.model() + " is not ready yet (" + status.phase().name().toLowerCase(java.util.Locale.ROOT)
                    + (status.total() > 0 ? ", " + (100 * status.done() / status.total()) + "%" : "") + "); try again shortly";
        });
    }
}
