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

    /** The suffix of this type's kernels: {@code kernel_mul_mv_q4_k}. */
    public String kernelSuffix() {
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }
}
