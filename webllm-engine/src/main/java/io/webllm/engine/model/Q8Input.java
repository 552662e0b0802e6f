package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import org.jspecify.annotations.Nullable;

/**
 * Where a matrix product finds its input as Q8 activations, and whether the input's producer (a norm, attention,
 * the SiLU) already wrote them there in matrix-vector and in matrix-matrix passes; otherwise a quantize launch
 * runs first.
 */
record Q8Input(@Nullable ClBuffer quants, @Nullable ClBuffer scales, boolean writtenForVector, boolean writtenForMatrix) {
}
