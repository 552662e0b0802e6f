package io.webllm.engine.model;

import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.Tuning;
import io.webllm.engine.tensor.GgmlType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tiled Q8 matrix-matrix kernels (mul_mm_q8.cl: tensor cores on NVIDIA, dot4 elsewhere) against exact integer
 * sums in Java over the quants the kernel read: y = before + bias + sum over groups of d_w * d_x * sum(q_w * q_x).
 *
 * <p>Shapes cross every tile edge: 37 and 130 rows (a partial row tile, and more than two tiles), 16, 17 and 70
 * tokens (partial token tiles, one with a single token in its second tile), 10 groups a row (a partial barrier step
 * of groups), and output rows at an offset inside a wider stride ({@link Q8ProductCheck}). Tolerance: the kernel adds float terms d_w * d_x * integer; float32 rounding of that sum stays
 * within (terms + 2) x 2^-24 x sum |term|, held to 1e-5 x (1 + sum of magnitudes).
 */
class Q8MatrixMatrixKernelTests extends OnTestDevice {

    @ParameterizedTest(name = "{0} {1} rows {2} tokens bias {3} accumulate {4}")
    @CsvSource({
            "Q4_0, 37, 16, true, true", "Q4_0, 130, 17, false, false", "Q4_0, 37, 70, true, false", "Q4_0, 130, 70, false, true",
            "Q8_0, 37, 16, false, true", "Q8_0, 130, 17, true, false", "Q8_0, 37, 70, false, false", "Q8_0, 130, 70, true, true"})
    void tiledIntegerProductsEqualTheExactSumsOfWhatTheyRead(GgmlType type, int rows, int tokens, boolean hasBias, boolean accumulate) {
        PackedTestMatrix w = PackedTestMatrix.random(type, rows, Q8ProductCheck.COLUMNS, 21 + rows, false);
        Q8ProductCheck.check(cl, "kernel_mul_mmq_" + w.suffix(), w, tokens, hasBias, accumulate, 22 + tokens,
                kernel -> runTiles(kernel, rows, tokens));
    }

    /** Launches a tiled kernel (mul_mm_q8.cl) over rows x tokens: a work-group a tile of MMQ_ROWS x MMQ_TOKENS. */
    static void runTiles(ClKernel kernel, int rows, int tokens) {
        long rowTiles = (rows + Tuning.MMQ_ROWS - 1) / Tuning.MMQ_ROWS;
        long tokenTiles = (tokens + Tuning.MMQ_TOKENS - 1) / Tuning.MMQ_TOKENS;
        kernel.run(rowTiles * Tuning.MMQ_ITEMS, tokenTiles, Tuning.MMQ_ITEMS, 1);
    }
}
