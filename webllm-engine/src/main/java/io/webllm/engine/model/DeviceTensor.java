package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.tensor.GgmlType;

/**
 * A weight tensor resident on the device in its file encoding.
 *
 * @param columns  weights per row (GGUF's first dimension)
 * @param rows     number of rows
 * @param rowBytes bytes one row occupies
 */
public record DeviceTensor(String name, GgmlType type, ClBuffer buffer, int columns, int rows, long rowBytes) {

    /**
     * Whether the device holds this tensor in the repacked layout of quants.cl (Q4_0 and Q8_0), which has its own
     * matrix-vector kernels (mul_mv_packed.cl, and mul_mv_q8.cl for Q8 activations).
     */
    public boolean packed() {
        return type == GgmlType.Q4_0 || type == GgmlType.Q8_0;
    }

    /** The suffix of this type's kernels: {@code kernel_mul_mv_q4_k}. */
    public String kernelSuffix() {
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }
}
