package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.Tuning;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

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

    /** Q8 activations on the device: quants and their {d, d * sum} scales (q8.cl layout). */
    record OnDevice(ClBuffer quants, ClBuffer scales) implements AutoCloseable {
        @Override
        public void close() {
            try (quants; scales) {
                // releases both
            }
        }
    }

    /** {@code tokens} rows of {@code columns} values of x, uploaded and quantized on the device (kernel_quantize_q8). */
    static OnDevice quantized(ClContext cl, Arena arena, float[] x, int tokens, int columns) {
        ClBuffer quants = cl.allocate("xq", (long) tokens * columns);
        ClBuffer scales = cl.allocate("xd", 8L * tokens * (columns / 32));
        try (ClBuffer xs = DeviceArrays.upload(cl, arena, "x", x)) {
            quantize(cl, xs, quants, scales, tokens, columns);
        }
        return new OnDevice(quants, scales);
    }

    /** Quantizes {@code tokens} rows of {@code columns} values of x into xq and xd with q8.cl's kernel_quantize_q8. */
    static void quantize(ClContext cl, ClBuffer x, ClBuffer xq, ClBuffer xd, int tokens, int columns) {
        try (ClKernel kernel = cl.kernels().create("kernel_quantize_q8")) {
            kernel.arg(0, x).arg(1, columns).arg(2, xq).arg(3, xd).arg(4, columns / 32)
                    .run((columns + 255) / 256 * 256, tokens, 256, 1);
        }
    }

    /**
     * Sets a kernel_mul_mvq_* launch's product arguments: y += W x (+ bias, where not null) over {@code rows} rows of
     * {@code columns} weights, x as Q8 activations in xq/xd, {@code split} warps sharing a row set. The arguments
     * past those (15 on: the norm that follows and a deferred norm of the input, mul_mv_q8.cl) are the caller's.
     */
    static ClKernel matvecArgs(ClKernel matvec, ClBuffer weights, long rowBytes, int rows, int columns, ClBuffer xq,
            ClBuffer xd, ClBuffer y, @Nullable ClBuffer bias, int tokens, int split) {
        return matvec.arg(0, weights).arg(1, columns).arg(2, rowBytes).arg(3, rows).arg(4, xq).arg(5, columns / 32)
                .arg(6, y).arg(7, 0).arg(8, rows).arg(9, tokens).arg(10, bias != null ? bias : y).arg(11, bias != null ? 1 : 0)
                .arg(12, 1).arg(13, xd).arg(14, split);
    }

    /** {@link #matvecArgs}, then "no norm" after it or before it, {@code y} standing in for the unused buffers. */
    static ClKernel matvecArgsWithoutNorm(ClKernel matvec, ClBuffer weights, long rowBytes, int rows, int columns,
            ClBuffer xq, ClBuffer xd, ClBuffer y, @Nullable ClBuffer bias, int tokens, int split) {
        return matvecArgs(matvec, weights, rowBytes, rows, columns, xq, xd, y, bias, tokens, split)
                .arg(15, 0).arg(16, y).arg(17, 0f).arg(18, y).arg(19, y).arg(20, y).arg(21, y).arg(22, y).arg(23, 0);
    }

    /** Sets a kernel_mul_mv_gluq_* launch's arguments, y = silu(Wg x) * (Wu x), without quantizing y or a deferred norm. */
    static ClKernel gatedArgs(ClKernel glu, ClBuffer gate, ClBuffer up, long rowBytes, int rows, int columns, ClBuffer xq,
            ClBuffer xd, ClBuffer y, int tokens, int split) {
        return glu.arg(0, gate).arg(1, up).arg(2, columns).arg(3, rowBytes).arg(4, rows).arg(5, xq).arg(6, columns / 32)
                .arg(7, y).arg(8, rows).arg(9, tokens).arg(10, xd).arg(11, split)
                .arg(12, xq).arg(13, xd).arg(14, y).arg(15, 0).arg(16, y).arg(17, 0).arg(18, 0f);
    }

    /**
     * Launches a Q8 matvec over {@code rows} output rows: work-groups of PK_WARPS warps, each PK_WARPS / split row
     * sets of PK_ROWS rows (half as many output rows for the gated kernel).
     */
    static void runRows(ClKernel kernel, int rows, int split, boolean gated) {
        long local = (long) Tuning.PACKED_WARPS * 32;
        kernel.run(rowGroups(rows, split, gated) * local, local);
    }

    /** {@link #runWalking} for a walking kernel (its name holds _walk_), else {@link #runRows}. */
    static void run(ClKernel kernel, int rows, int split, boolean gated) {
        if (kernel.name().contains("_walk_")) {
            runWalking(kernel, rows, split, gated);
        } else {
            runRows(kernel, rows, split, gated);
        }
    }

    /**
     * {@link #runRows} for a walking kernel (kernel_mul_mvq_*_walk_*, kernel_mul_mv_gluq_plain_walk_*): its row groups
     * walked by two work-groups (one where there are two or fewer), so that a work-group takes several.
     */
    static void runWalking(ClKernel kernel, int rows, int split, boolean gated) {
        long local = (long) Tuning.PACKED_WARPS * 32;
        long groups = rowGroups(rows, split, gated);
        kernel.arg(gated ? 19 : 24, (int) groups);
        kernel.run((groups > 2 ? 2 : 1) * local, local);
    }

    private static long rowGroups(int rows, int split, boolean gated) {
        long rowsPerGroup = (long) Tuning.PACKED_ROWS_PER_WARP * Tuning.PACKED_WARPS / split / (gated ? 2 : 1);
        return (rows + rowsPerGroup - 1) / rowsPerGroup;
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
