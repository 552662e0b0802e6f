package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.KernelLibrary;
import io.webllm.engine.opencl.Tuning;
import io.webllm.engine.tensor.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Single-token products that apply the norm before them themselves (mul_mv_q8.cl, PKQ_NORMED_INPUT: each work-group
 * normalises the row into its local memory) give bit for bit what a kernel_rms_norm_q8 launch followed by the
 * ordinary product gives: the same sum of squares, the same activations, the same sums. 1,280 values leave most
 * work-items of the prologue without a half group; 4,608 take two rounds of it. Every split of the columns between
 * a row set's warps, and the gated kernel as well.
 */
class InputNormKernelTests extends OnTestDevice {

    private static final int ROWS = 37;
    private static final float EPS = 1e-5f;

    @ParameterizedTest(name = "{0} {1} columns")
    @CsvSource({"Q4_0, 1280", "Q8_0, 1280", "Q4_0, 4608"})
    void normalisingProductsMatchANormLaunchThenTheProduct(GgmlType type, int columns) {
        int groups = columns / 32;
        PackedTestMatrix w = PackedTestMatrix.random(type, ROWS, columns, 31, false);
        PackedTestMatrix up = PackedTestMatrix.random(type, ROWS, columns, 32, false);
        float[] x = Q8TestActivations.random(1, columns, 5, 33);
        float[] weight = DeviceArrays.randomFloats(columns, 34);
        float[] before = DeviceArrays.randomFloats(ROWS, 35);
        String one = KernelLibrary.SINGLE_TOKEN;
        try (Arena arena = Arena.ofConfined();
             ClBuffer weights = DeviceArrays.upload(cl, arena, "w", w.bytes());
             ClBuffer upWeights = DeviceArrays.upload(cl, arena, "up", up.bytes());
             ClBuffer row = DeviceArrays.upload(cl, arena, "x", x);
             ClBuffer normWeight = DeviceArrays.upload(cl, arena, "norm weight", weight);
             ClBuffer normed = cl.allocate("normed", 4L * columns);
             ClBuffer xq = cl.allocate("xq", columns);
             ClBuffer xd = cl.allocate("xd", 8L * groups);
             ClBuffer ys = cl.allocate("y", 4L * ROWS);
             ClKernel norm = cl.kernels().create("kernel_rms_norm_q8");
             ClKernel plain = cl.kernels().create("kernel_mul_mvq_plain_" + w.suffix() + one);
             ClKernel normedPlain = cl.kernels().create("kernel_mul_mvq_normed_" + w.suffix() + one);
             ClKernel glu = cl.kernels().create("kernel_mul_mv_gluq_" + w.suffix() + one);
             ClKernel normedGlu = cl.kernels().create("kernel_mul_mv_gluq_normed_" + w.suffix() + one)) {
            norm.arg(0, row).arg(1, normed).arg(2, normWeight).arg(3, columns).arg(4, EPS).localArg(5, 4L * 256)
                    .arg(6, xq).arg(7, xd);
            norm.run((groups + 7) / 8 * 256L, 1, 256, 1);
            long local = columns + columns / 4L;
            for (int split = 1; split <= Tuning.PACKED_WARPS; split *= 2) {
                float[] launched = run(arena, ys, before, Q8TestActivations.matvecArgsWithoutNorm(plain, weights, w.rowBytes(),
                        ROWS, columns, xq, xd, ys, null, 1, split), split, false);
                // the normalising kernel's quants and scales arguments are set but not read
                ClKernel inProduct = Q8TestActivations.matvecArgsWithoutNorm(normedPlain, weights, w.rowBytes(), ROWS, columns,
                        xq, xd, ys, null, 1, split).arg(24, row).arg(25, normWeight).localArg(26, local);
                inProduct.arg(17, EPS);
                float[] inside = run(arena, ys, before, inProduct, split, false);
                assertThat(inside).as("product, split %d", split).containsExactly(launched);

                float[] gatedLaunched = run(arena, ys, before,
                        Q8TestActivations.gatedArgs(glu, weights, upWeights, w.rowBytes(), ROWS, columns, xq, xd, ys, 1, split), split, true);
                ClKernel gatedInProduct = Q8TestActivations.gatedArgs(normedGlu, weights, upWeights, w.rowBytes(), ROWS, columns,
                        xq, xd, ys, 1, split).arg(18, EPS).arg(19, row).arg(20, normWeight).localArg(21, local);
                float[] gatedInside = run(arena, ys, before, gatedInProduct, split, true);
                assertThat(gatedInside).as("gated product, split %d", split).containsExactly(gatedLaunched);
            }
        }
    }

    private float[] run(Arena arena, ClBuffer ys, float[] before, ClKernel kernel, int split, boolean gated) {
        cl.write(ys, 0, arena.allocateFrom(ValueLayout.JAVA_FLOAT, before));
        Q8TestActivations.runRows(kernel, ROWS, split, gated);
        return DeviceArrays.floats(cl, arena, ys, ROWS);
    }
}
