package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.tensor.GgmlType;

/**
 * A weight tensor resident on the device, in its file encoding or repacked (see {@link #repacked}).
 *
 * @param columns  weights per row (GGUF's first dimension)
 * @param rows     number of rows
 * @param rowBytes bytes one row occupies in the file (the same on the device, whatever the layout)
 */
public record DeviceTensor(String name, GgmlType type, ClBuffer buffer, int columns, int rows, long rowBytes) {

    /**
     * Whether the device holds this tensor in a repacked layout of quants.cl (Q4_0, Q8_0, Q4_K, Q6_K) rather than in
     * its file encoding. Every kernel reads such a tensor through that layout.
     */
    public static boolean repacked(GgmlType type) {
        return type == GgmlType.Q4_0 || type == GgmlType.Q8_0 || type == GgmlType.Q4_K || type == GgmlType.Q6_K;
    }

    /**
     * Whether this tensor has the packed float matrix-vector kernels (mul_mv_packed.cl) and the tiled integer
     * matrix-matrix kernels (mul_mm_q8.cl): Q4_0 and Q8_0.
     */
    public boolean packed() {
        return packed(type);
    }

    /** Whether tensors of this type are {@link #packed()}. */
    public static boolean packed(GgmlType type) {
        return type == GgmlType.Q4_0 || type == GgmlType.Q8_0;
    }

    /**
     * Whether this tensor has integer kernels for Q8 activations, matrix-vector (mul_mv_q8.cl) and tiled matrix-matrix
     * (mul_mm_q8.cl): every repacked type.
     */
    public boolean integerKernels() {
        return repacked(type);
    }

    /** The suffix of this type's kernels: {@code kernel_mul_mv_q4_k}. */
    public String kernelSuffix() {
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }
}
