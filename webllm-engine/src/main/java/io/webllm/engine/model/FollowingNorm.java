package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;

/**
 * The rms_norm a residual matrix-vector product applies to its output in single-token passes: its weights, and the
 * Q8 activations it writes them into, deferred ({@code into.deferredSquares()}: the products that read them apply
 * the norm's scale).
 */
record FollowingNorm(ClBuffer weight, Q8Input into) {

    FollowingNorm {
        if (into.deferredSquares() == null) {
            throw new IllegalArgumentException("a residual product's norm is deferred: its Q8 input needs sums of squares");
        }
    }
}
