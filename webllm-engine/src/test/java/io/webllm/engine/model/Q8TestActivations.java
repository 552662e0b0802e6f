package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.ClKernel;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/** Activations for the Q8 kernel tests, and what the quantize kernels made of them (q8.cl layout). */
final class Q8TestActivations {

    private Q8TestActivations() {
    }

    /**
     * {@code tokens} rows of {@code columns} values in [-2, 2), with group 3 all zero (scale 0) and group
     * {@code largeGroup} one large value among tiny ones.
     */
    static float[] random(int tokens, int columns, int largeGroup, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[tokens * columns];
        for (int i = 0; i < x.length; i++) {
            int group = (i % columns) / 32;
            x[i] = group == 3 ? 0f : group == largeGroup ? (i % 32 == 7 ? 40f : 0.001f) : (float) random.nextDouble(-2, 2);
        }
        return x;
    }

    /** Quantizes {@code tokens} rows of {@code columns} values of x into xq and xd with q8.cl's kernel_quantize_q8. */
    static void quantize(ClContext cl, ClBuffer x, ClBuffer xq, ClBuffer xd, int tokens, int columns) {
        try (ClKernel kernel = cl.kernels().create("kernel_quantize_q8")) {
            kernel.arg(0, x).arg(1, columns).arg(2, xq).arg(3, xd).arg(4, columns / 32)
                    .run((columns + 255) / 256 * 256, tokens, 256, 1);
        }
    }

    /**
     * Sets the arguments of a kernel_mul_mvq_* launch past the product's own (15 on: the following norm, see
     * mul_mv_q8.cl's norm_finished_rows) to "no norm", any buffer standing in for the unused ones.
     */
    static ClKernel withoutNorm(ClKernel matvec, ClBuffer any) {
        return matvec.arg(15, 0).arg(16, any).arg(17, 0f).arg(18, any).arg(19, any).arg(20, any).arg(21, any);
    }

    /** Quants and {d, d * sum} per group of token rows {@code columns} wide. */
    record Quantized(byte[] q, float[] d, float[] ds, int columns) {

        /** The dequantized activation d * q. */
        double value(int token, int column) {
            return (double) d[token * (columns / 32) + column / 32] * q[token * columns + column];
        }
    }

    /** What the quantize kernels wrote into {@code xq} and {@code xd} for {@code tokens} rows of {@code columns}. */
    static Quantized download(ClContext cl, Arena arena, ClBuffer xq, ClBuffer xd, int tokens, int columns) {
        int groups = tokens * (columns / 32);
        byte[] quants = DeviceArrays.bytes(cl, arena, xq, tokens * columns);
        float[] scales = DeviceArrays.floats(cl, arena, xd, 2 * groups);
        float[] d = new float[groups];
        float[] ds = new float[groups];
        for (int k = 0; k < groups; k++) {
            d[k] = scales[2 * k];
            ds[k] = scales[2 * k + 1];
        }
        return new Quantized(quants, d, ds, columns);
    }
}
