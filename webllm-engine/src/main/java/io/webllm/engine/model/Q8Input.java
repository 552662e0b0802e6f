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
 * @param inputNorm       where single-token passes launch no norm before the products that read this input: they
 *                        normalise its row themselves (in single-token passes quants and scales are not written).
 *                        Null where they read quants and scales.
 */
record Q8Input(@Nullable ClBuffer quants, @Nullable ClBuffer scales, boolean writtenForVector, boolean writtenForMatrix,
        @Nullable ClBuffer deferredSquares, @Nullable InputNorm inputNorm) {

    Q8Input(@Nullable ClBuffer quants, @Nullable ClBuffer scales, boolean writtenForVector, boolean writtenForMatrix) {
        this(quants, scales, writtenForVector, writtenForMatrix, null, null);
    }

    Q8Input(@Nullable ClBuffer quants, @Nullable ClBuffer scales, boolean writtenForVector, boolean writtenForMatrix,
            @Nullable ClBuffer deferredSquares) {
        this(quants, scales, writtenForVector, writtenForMatrix, deferredSquares, null);
    }

    /** This input, its single-token products applying {@code norm} themselves. */
    Q8Input normalisedInProducts(InputNorm norm) {
        return new Q8Input(quants, scales, writtenForVector, writtenForMatrix, deferredSquares, norm);
    }

    /** Whether a product's launch built for {@code width} (as {@link #deferredIn}) applies the input's norm itself. */
    boolean normsIn(String width) {
        return inputNorm != null && !width.isEmpty();
    }

    /** The arguments of a kernel that normalises its input (mul_mv_q8.cl, PKQ_NORMED_INPUT_PARAMS) from {@code first}. */
    io.webllm.engine.opencl.ClKernel inputNormArgs(io.webllm.engine.opencl.ClKernel kernel, int first, int columns) {
        InputNorm norm = java.util.Objects.requireNonNull(inputNorm, "this input is not normalised in its products");
        return kernel.arg(first, norm.row()).arg(first + 1, norm.weight()).localArg(first + 2, columns + columns / 4L);
    }

    /** Whether a product's launch built for {@code width} (Step.byTokenWidth: "" or the single-token suffix) applies the deferred scale. */
    boolean deferredIn(String width) {
        return deferredSquares != null && !width.isEmpty();
    }
}
