package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.Tuning;
import io.webllm.engine.tensor.GgmlType;
import java.lang.foreign.Arena;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tiled Q8 matrix-matrix kernels (mul_mm_q8.cl: tensor cores on NVIDIA, dot4 elsewhere) against exact integer
 * sums in Java over the quants the kernel read: y = before + bias + sum over groups of d_w * d_x * sum(q_w * q_x).
 *
 * <p>Shapes cross every tile edge: 37 and 130 rows (a partial row tile, and more than two tiles), 16, 17 and 70
 * tokens (partial token tiles, one with a single token in its second tile), 10 groups a row (a partial barrier step
 * of groups), and output rows at an offset inside a wider stride, so a write to a wrong row or token lands on a value
 * the test checks. Tolerance: the kernel adds float terms d_w * d_x * integer; float32 rounding of that sum stays
 * within (terms + 2) x 2^-24 x sum |term|, held to 1e-5 x (1 + sum of magnitudes).
 */
class Q8MatrixMatrixKernelTests extends OnTestDevice {

    private static final int GROUPS = 10;
    private static final int COLUMNS = GROUPS * 32;
    /** Output columns before the product's rows and after them, in each token's output row. */
    private static final int Y_OFFSET = 3;
    private static final int Y_PADDING = 5;

    @ParameterizedTest(name = "{0} {1} rows {2} tokens bias {3} accumulate {4}")
    @CsvSource({
            "Q4_0, 37, 16, true, true", "Q4_0, 130, 17, false, false", "Q4_0, 37, 70, true, false", "Q4_0, 130, 70, false, true",
            "Q8_0, 37, 16, false, true", "Q8_0, 130, 17, true, false", "Q8_0, 37, 70, false, false", "Q8_0, 130, 70, true, true"})
    void tiledIntegerProductsEqualTheExactSumsOfWhatTheyRead(GgmlType type, int rows, int tokens, boolean hasBias, boolean accumulate) {
        PackedTestMatrix w = PackedTestMatrix.random(type, rows, COLUMNS, 21 + rows, false);
        float[] x = DeviceArrays.randomFloats(tokens * COLUMNS, 22 + tokens);
        float[] bias = DeviceArrays.randomFloats(rows, 23);
        int yStride = Y_OFFSET + rows + Y_PADDING;
        float[] before = DeviceArrays.randomFloats(tokens * yStride, 24);
        try (Arena arena = Arena.ofConfined();
             ClBuffer weights = DeviceArrays.upload(cl, arena, "w", w.bytes());
             Q8TestActivations.OnDevice input = Q8TestActivations.quantized(cl, arena, x, tokens, COLUMNS);
             ClBuffer biases = DeviceArrays.upload(cl, arena, "bias", bias);
             ClBuffer ys = DeviceArrays.upload(cl, arena, "y", before);
             ClKernel kernel = cl.kernels().create("kernel_mul_mmq_" + w.suffix())) {
            ClBuffer xq = input.quants();
            ClBuffer xd = input.scales();
            byte[] quants = DeviceArrays.bytes(cl, arena, xq, tokens * COLUMNS);
            float[] scales = DeviceArrays.floats(cl, arena, xd, 2 * tokens * GROUPS);

            kernel.arg(0, weights).arg(1, COLUMNS).arg(2, w.rowBytes()).arg(3, rows).arg(4, xq).arg(5, GROUPS)
                    .arg(6, ys).arg(7, Y_OFFSET).arg(8, yStride).arg(9, tokens).arg(10, biases).arg(11, hasBias ? 1 : 0)
                    .arg(12, accumulate ? 1 : 0).arg(13, xd);
            runTiles(kernel, rows, tokens);
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

    /** Launches a tiled kernel (mul_mm_q8.cl) over rows x tokens: a work-group a tile of MMQ_ROWS x MMQ_TOKENS. */
    static void runTiles(ClKernel kernel, int rows, int tokens) {
        long rowTiles = (rows + Tuning.MMQ_ROWS - 1) / Tuning.MMQ_ROWS;
        long tokenTiles = (tokens + Tuning.MMQ_TOKENS - 1) / Tuning.MMQ_TOKENS;
        kernel.run(rowTiles * Tuning.MMQ_ITEMS, tokenTiles, Tuning.MMQ_ITEMS, 1);
    }
}
