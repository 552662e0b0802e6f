package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.ClKernel;
import java.lang.foreign.Arena;
import java.util.function.Consumer;

/**
 * One launch of a Q8 product kernel (y (+)= W x (+ bias), the argument order mul_mv_q8.cl, mul_mm_q8.cl and
 * mul_mv_mma.cl share) on random activations, checked against exact integer sums in Java over the quants the kernel
 * read: y = before + bias + sum over groups of d_w * d_x * sum(q_w * q_x). Output rows sit at an offset inside a
 * wider stride, so a write to a wrong row or token lands on a value the check holds unchanged.
 */
final class Q8ProductCheck {

    /** Groups a row in the tests: 10 leaves a partial round of 4 (and, not being a multiple of 4, scalar scale loads). */
    static final int GROUPS = 10;
    static final int COLUMNS = GROUPS * 32;
    /** Output columns before the product's rows and after them, in each token's output row. */
    private static final int Y_OFFSET = 3;
    private static final int Y_PADDING = 5;

    private Q8ProductCheck() {
    }

    /**
     * Runs {@code kernelName} over w and {@code tokens} tokens of activations drawn from {@code seed}, its shared
     * arguments 0-13 set; {@code launch} sets any further arguments and runs it.
     */
    static void check(ClContext cl, String kernelName, PackedTestMatrix w, int tokens, boolean hasBias, boolean accumulate,
            long seed, Consumer<ClKernel> launch) {
        int rows = w.rows();
        int columns = w.columns();
        float[] x = DeviceArrays.randomFloats(tokens * columns, seed);
        float[] bias = DeviceArrays.randomFloats(rows, seed + 1);
        int yStride = Y_OFFSET + rows + Y_PADDING;
        float[] before = DeviceArrays.randomFloats(tokens * yStride, seed + 2);
        try (Arena arena = Arena.ofConfined();
             ClBuffer weights = DeviceArrays.upload(cl, arena, "w", w.bytes());
             Q8TestActivations.OnDevice input = Q8TestActivations.quantized(cl, arena, x, tokens, columns);
             ClBuffer biases = DeviceArrays.upload(cl, arena, "bias", bias);
             ClBuffer ys = DeviceArrays.upload(cl, arena, "y", before);
             ClKernel kernel = cl.kernels().create(kernelName)) {
            byte[] quants = DeviceArrays.bytes(cl, arena, input.quants(), tokens * columns);
            float[] scales = DeviceArrays.floats(cl, arena, input.scales(), 2 * tokens * (columns / 32));

            kernel.arg(0, weights).arg(1, columns).arg(2, w.rowBytes()).arg(3, rows).arg(4, input.quants()).arg(5, columns / 32)
                    .arg(6, ys).arg(7, Y_OFFSET).arg(8, yStride).arg(9, tokens).arg(10, biases).arg(11, hasBias ? 1 : 0)
                    .arg(12, accumulate ? 1 : 0).arg(13, input.scales());
            launch.accept(kernel);
            float[] y = DeviceArrays.floats(cl, arena, ys, tokens * yStride);

            for (int t = 0; t < tokens; t++) {
                for (int c = 0; c < yStride; c++) {
                    int r = c - Y_OFFSET;
                    float old = before[t * yStride + c];
                    if (r < 0 || r >= rows) {
                        assertThat(y[t * yStride + c]).as("untouched column %d of token %d", c, t).isEqualTo(old);
                        continue;
                    }
                    double start = (accumulate ? old : 0) + (hasBias ? bias[r] : 0);
                    PackedTestMatrix.ExactSum product = w.q8Product(r, quants, scales, t);
                    assertThat((double) y[t * yStride + c]).as("row %d token %d", r, t)
                            .isCloseTo(start + product.value(), offset(1e-5 * (1 + Math.abs(start) + product.magnitude())));
                }
            }
        }
    }
}
