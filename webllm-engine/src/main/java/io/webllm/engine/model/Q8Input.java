package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import org.jspecify.annotations.Nullable;

/**
 * Where a matrix product finds its input as Q8 activations, and whether the input's producer (a norm, attention,
 * the SiLU) already wrote them there in matrix-vector and in matrix-matrix passes; otherwise a quantize launch
 * runs first.
 *
 * @param deferredSquares where single-token passes carry a deferred norm (a residual product's tail wrote rms_norm's
 *                        output without its scale, and these per-group sums of squares, mul_mv_q8.cl): the single-token
 *                        products apply the scale. Null where every pass's activations are complete.
 */
record Q8Input(@Nullable ClBuffer quants, @Nullable ClBuffer scales, boolean writtenForVector, boolean writtenForMatrix,
        @Nullable ClBuffer deferredSquares) {

    Q8Input(@Nullable ClBuffer quants, @Nullable ClBuffer scales, boolean writtenForVector, boolean writtenForMatrix) {
        this(quants, scales, writtenForVector, writtenForMatrix, null);
    }

    /** Whether a product's launch built for {@code width} (Step.byTokenWidth: "" or the single-token suffix) applies the deferred scale. */
    boolean deferredIn(String width) {
        return deferredSquares != null && !width.isEmpty();
    }
}
