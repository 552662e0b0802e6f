package io.webllm.engine.sampling;

/**
 * The model's logits for a sequence hold a NaN: nothing can be drawn from them. It concerns that sequence alone (its
 * input drove the model to it, or the weights it reached are damaged), so the engine fails its request and goes on.
 */
public final class NonFiniteLogitsException extends IllegalStateException {

    public NonFiniteLogitsException(String message) {
        super(message);
    }
}
