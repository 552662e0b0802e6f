package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.Tuning;
import io.webllm.engine.tensor.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPU matrix kernels (mul_mv_cpu.cl) for Q8_0 and Q4_0 on shapes the model tests do not reach: rows whose group
 * count is not a multiple of 4 (the groups after the last whole 4 take their scales one at a time), a row count that
 * is not a multiple of the rows per work-item, token counts below, at and past a multiple of the 4-token block, and
 * scales that are negative or subnormal halves (converted by integer ops in the kernel). The reference is a double
 * dot product over weights dequantized here from the same bytes.
 */
class CpuMatrixKernelTests extends OnTestDevice {

    private static final int ROWS = 7;
    /** 6 groups of 32: one group of 4 and 2 more. */
    private static final int COLUMNS = 6 * 32;

    @ParameterizedTest(name = "{0} {1} tokens")
    @CsvSource({"Q8_0, 1", "Q8_0, 3", "Q8_0, 6", "Q4_0, 1", "Q4_0, 3", "Q4_0, 6"})
    void productsWithBiasAndAccumulationMatchDoubleSums(GgmlType type, int tokens) {
        PackedTestMatrix w = PackedTestMatrix.random(type, ROWS, COLUMNS, 11, true);
        PackedTestMatrix up = PackedTestMatrix.random(type, ROWS, COLUMNS, 12, true);
        float[] x = DeviceArrays.randomFloats(tokens * COLUMNS, 13);
        float[] bias = DeviceArrays.randomFloats(ROWS, 14);
        float[] before = DeviceArrays.randomFloats(tokens * ROWS, 15);
        String suffix = w.suffix();
        long rowBytes = w.rowBytes();
        try (Arena arena = Arena.ofConfined();
             ClBuffer weights = DeviceArrays.upload(cl, arena, "w", w.bytes());
             ClBuffer upWeights = DeviceArrays.upload(cl, arena, "up", up.bytes());
             ClBuffer xs = DeviceArrays.upload(cl, arena, "x", x);
             ClBuffer biases = DeviceArrays.upload(cl, arena, "bias", bias);
             ClBuffer ys = cl.allocate("y", 4L * tokens * ROWS)) {
            for (String width : new String[] {"1", "4"}) {
                cl.write(ys, 0, arena.allocateFrom(ValueLayout.JAVA_FLOAT, before));
                try (ClKernel kernel = cl.kernels().create("kernel_mul_mv_cpu" + width + "_" + suffix)) {
                    kernel.arg(0, weights).arg(1, COLUMNS).arg(2, rowBytes).arg(3, ROWS).arg(4, xs).arg(5, COLUMNS)
                            .arg(6, ys).arg(7, 0).arg(8, ROWS).arg(9, tokens).arg(10, biases).arg(11, 1).arg(12, 1);
                    kernel.run(globalSize(Tuning.CPU_ROWS), Tuning.CPU_LOCAL);
                    float[] y = DeviceArrays.floats(cl, arena, ys, tokens * ROWS);
                    for (int t = 0; t < tokens; t++) {
                        for (int r = 0; r < ROWS; r++) {
                            double expected = before[t * ROWS + r] + w.dot(r, x, t * COLUMNS) + bias[r];
                            assertThat((double) y[t * ROWS + r]).as("cpu%s row %d token %d", width, r, t)
                                    .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(expected))));
                        }
                    }
                }
                try (ClKernel glu = cl.kernels().create("kernel_mul_mv_glu_cpu" + width + "_" + suffix)) {
                    glu.arg(0, weights).arg(1, upWeights).arg(2, COLUMNS).arg(3, rowBytes).arg(4, ROWS).arg(5, xs)
                            .arg(6, COLUMNS).arg(7, ys).arg(8, ROWS).arg(9, tokens);
                    glu.run(globalSize(Tuning.CPU_ROWS / 2), Tuning.CPU_LOCAL);
                    float[] y = DeviceArrays.floats(cl, arena, ys, tokens * ROWS);
                    for (int t = 0; t < tokens; t++) {
                        for (int r = 0; r < ROWS; r++) {
                            double g = w.dot(r, x, t * COLUMNS);
                            double u = up.dot(r, x, t * COLUMNS);
                            double expected = g / (1 + Math.exp(-g)) * u;
                            assertThat((double) y[t * ROWS + r]).as("glu cpu%s row %d token %d", width, r, t)
                                    .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(expected))));
                        }
                    }
                }
            }
        }
    }

    /** Work-items for ROWS rows at {@code rowsPerItem} each, rounded up to whole work-groups as the model does. */
    private static long globalSize(int rowsPerItem) {
        long items = (ROWS + rowsPerItem - 1) / rowsPerItem;
        long local = Tuning.CPU_LOCAL;
        return local > 0 ? (items + local - 1) / local * local : items;
    }

}
