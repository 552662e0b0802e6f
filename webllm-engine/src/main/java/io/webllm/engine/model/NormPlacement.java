package io.webllm.engine.model;

import io.webllm.engine.opencl.Tuning;

/**
 * Where a single-token pass (a stream's decode step) applies the rms_norm after each residual add; passes of several
 * tokens always launch it, which normalises their rows side by side. Each placement computes the same norm: launched
 * and in the products give bit for bit the same activations, deferred rounds differently (the scale multiplies the
 * products' sums instead of the activations).
 */
public enum NormPlacement {
    /**
     * {@link #DEFERRED} for residual rows of up to {@link Tuning#DEFERRED_NORM_MAX_ROW} values (small models, bound by
     * their launches), {@link #IN_PRODUCTS} for longer ones; {@code -Dwebllm.fuse.norm=true|false} forces deferral on
     * or off, {@code -Dwebllm.fuse.inputNorm=false} launches the norms that are not deferred.
     */
    AUTO,
    /** A norm launch before the products that read it, as in passes of several tokens. */
    LAUNCHED,
    /**
     * The residual product before the norm quantizes its output times the norm's weights and leaves each group's sum
     * of squares; the products after it multiply their sums by the norm's scale (mul_mv_q8.cl). Lets layers chain.
     */
    DEFERRED,
    /** The products after the norm apply it to their input themselves, each work-group in its local memory ({@link InputNorm}). */
    IN_PRODUCTS;

    /** The placement a model whose residual rows have {@code rowLength} values gets: AUTO resolved by {@link Tuning}. */
    NormPlacement resolve(int rowLength) {
        if (this != AUTO) {
            return this;
        }
        if (Tuning.defersNorms(rowLength)) {
            return DEFERRED;
        }
        return Tuning.NORMS_IN_PRODUCTS ? IN_PRODUCTS : LAUNCHED;
    }
}
