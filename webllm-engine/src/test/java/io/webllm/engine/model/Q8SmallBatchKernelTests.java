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
 * The small-batch tensor-core matvecs (mul_mv_mma.cl: mma.sync on NVIDIA, dot4 elsewhere) against exact integer sums
 * in Java over the quants the kernel read, as {@link Q8MatrixMatrixKernelTests} holds the tiled kernels.
 *
 * <p>Shapes cross every edge of the kernel: 37 rows (a partial 16-row tile, and with split 1 a work-group of 8 tiles
 * only partly used) and 130 (more than one work-group at split 8), 2, 9, 16, 17 and 31 tokens (partial 8-token tiles,
 * one and two passes of 16), 10 groups a row (rounds of 4 groups with a partial last round, so clamped loads whose
 * scales must count for nothing; scalar scale loads) and 12 (a multiple of 4: four groups' scales a load; with
 * {@code -Dwebllm.mmv.unroll=8} a round whose second four groups lie past the end) and the three splits of the 8 warps that matter (1, 2 and 8: at 8, five warps of a
 * tile have no round at all and add zeros). Output rows sit at an offset inside a wider stride, so a write to a wrong
 * row or token lands on a value the test checks.
 */
class Q8SmallBatchKernelTests extends OnTestDevice {

    private static final int Y_PADDING = 5;

    @ParameterizedTest(name = "{0} {1} rows {2} tokens {3} groups split {4} bias {5} accumulate {6}")
    @CsvSource({
            "Q4_0, 37, 2, 10, 1, true, true", "Q4_0, 130, 9, 10, 8, false, false", "Q4_0, 37, 17, 12, 2, true, false",
            "Q4_0, 130, 31, 12, 1, false, true", "Q8_0, 37, 16, 10, 8, false, true", "Q8_0, 130, 2, 12, 2, true, false",
            "Q8_0, 37, 31, 12, 8, false, false", "Q8_0, 130, 17, 10, 1, true, true"})
    void productsEqualTheExactSumsOfWhatTheyRead(GgmlType type, int rows, int tokens, int groups, int splitWanted, boolean hasBias,
            boolean accumulate) {
        int split = Math.min(splitWanted, Tuning.MMV_WARPS); // for runs with -Dwebllm.mmv.warps below 8
        PackedTestMatrix w = PackedTestMatrix.random(type, rows, 32 * groups, 31 + rows, false);
        Q8ProductCheck.check(cl, "kernel_mul_mvq_mma_" + w.suffix(), w, tokens, hasBias, accumulate, 32 + tokens,
                kernel -> run(kernel.arg(14, split), rows, split));
    }

    /**
     * The gated kernel: silu(gate . x) * (up . x) per row and token, from the exact sums; the SiLU and the product
     * scale the sums' rounding by at most |d silu(g)/dg| <= 1.1 and |u|, |silu(g)|, which the tolerance carries.
     */
    @ParameterizedTest(name = "{0} {1} rows {2} tokens {3} groups split {4}")
    @CsvSource({"Q4_0, 37, 9, 10, 2", "Q4_0, 130, 17, 12, 8", "Q8_0, 37, 31, 12, 1", "Q8_0, 130, 2, 10, 8"})
    void gatedProductsEqualSiluOfTheGateTimesTheUp(GgmlType type, int rows, int tokens, int groups, int splitWanted) {
        int columns = 32 * groups;
        int split = Math.min(splitWanted, Tuning.MMV_WARPS);
        PackedTestMatrix gate = PackedTestMatrix.random(type, rows, columns, 41 + rows, false);
        PackedTestMatrix up = PackedTestMatrix.random(type, rows, columns, 42 + rows, false);
        float[] x = DeviceArrays.randomFloats(tokens * columns, 43 + tokens);
        int yStride = rows + Y_PADDING;
        float[] before = DeviceArrays.randomFloats(tokens * yStride, 44);
        try (Arena arena = Arena.ofConfined();
             ClBuffer gates = DeviceArrays.upload(cl, arena, "gate", gate.bytes());
             ClBuffer ups = DeviceArrays.upload(cl, arena, "up", up.bytes());
             Q8TestActivations.OnDevice input = Q8TestActivations.quantized(cl, arena, x, tokens, columns);
             ClBuffer ys = DeviceArrays.upload(cl, arena, "y", before);
             ClKernel kernel = cl.kernels().create("kernel_mul_mv_glu_mma_" + gate.suffix())) {
            byte[] quants = DeviceArrays.bytes(cl, arena, input.quants(), tokens * columns);
            float[] scales = DeviceArrays.floats(cl, arena, input.scales(), 2 * tokens * groups);

            kernel.arg(0, gates).arg(1, ups).arg(2, columns).arg(3, gate.rowBytes()).arg(4, rows).arg(5, input.quants())
                    .arg(6, groups).arg(7, ys).arg(8, yStride).arg(9, tokens).arg(10, input.scales()).arg(11, split);
            run(kernel, rows, split);
            float[] y = DeviceArrays.floats(cl, arena, ys, tokens * yStride);

            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < yStride; r++) {
                    float old = before[t * yStride + r];
                    if (r >= rows) {
                        assertThat(y[t * yStride + r]).as("untouched column %d of token %d", r, t).isEqualTo(old);
                        continue;
                    }
                    PackedTestMatrix.ExactSum g = gate.q8Product(r, quants, scales, t);
                    PackedTestMatrix.ExactSum u = up.q8Product(r, quants, scales, t);
                    double silu = g.value() / (1 + Math.exp(-g.value()));
                    double error = 1e-5 * ((1 + g.magnitude()) * 1.1 * Math.abs(u.value()) + (1 + u.magnitude()) * Math.abs(silu));
                    assertThat((double) y[t * yStride + r]).as("row %d token %d", r, t)
                            .isCloseTo(silu * u.value(), offset(error + 1e-6));
                }
            }
        }
    }

    /** A work-group of MMV_WARPS warps per MMV_WARPS / split tiles of 16 rows. */
    private static void run(ClKernel kernel, int rows, int split) {
        long rowsPerGroup = 16L * (Tuning.MMV_WARPS / split);
        long items = Tuning.MMV_WARPS * 32L;
        kernel.run((rows + rowsPerGroup - 1) / rowsPerGroup * items, items);
    }
}
