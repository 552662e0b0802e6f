package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.Tuning;
import io.webllm.engine.tensor.GgmlType;
import io.webllm.engine.testing.TestDevices;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPU matrix kernels (mul_mv_cpu.cl) for Q8_0 and Q4_0 on shapes the model tests do not reach: rows whose group
 * count is not a multiple of 4 (the groups after the last whole 4 take their scales one at a time), a row count that
 * is not a multiple of the rows per work-item, token counts below, at and past a multiple of the 4-token block, and
 * scales that are negative or subnormal halves (converted by integer ops in the kernel). The reference is a double
 * dot product over weights dequantized here from the same bytes.
 */
class CpuMatrixKernelTests {

    private static final int ROWS = 7;
    /** 6 groups of 32: one group of 4 and 2 more. */
    private static final int COLUMNS = 6 * 32;

    static ClContext cl;

    @BeforeAll
    static void openDevice() {
        cl = TestDevices.open();
    }

    @AfterAll
    static void closeDevice() {
        cl.close();
    }

    /** A matrix in the device layout of quants.cl (quants of every block, then every block's fp16 scale). */
    private record DeviceMatrix(byte[] bytes, double[][] weights) {
    }

    private static DeviceMatrix matrix(GgmlType type, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int groups = COLUMNS / 32;
        int blocks = ROWS * groups;
        int quantBytes = type == GgmlType.Q8_0 ? 32 : 16;
        byte[] bytes = new byte[blocks * (quantBytes + 2)];
        double[][] weights = new double[ROWS][COLUMNS];
        for (int block = 0; block < blocks; block++) {
            int row = block / groups;
            int group = block % groups;
            // mostly ordinary scales of either sign; a few subnormal halves
            short half = block % 9 == 4 ? (short) (random.nextInt(1, 1024) | (random.nextBoolean() ? 0x8000 : 0))
                    : Float.floatToFloat16((float) (random.nextDouble(0.001, 0.05) * (random.nextBoolean() ? 1 : -1)));
            double scale = Float.float16ToFloat(half);
            bytes[blocks * quantBytes + 2 * block] = (byte) half;
            bytes[blocks * quantBytes + 2 * block + 1] = (byte) (half >> 8);
            for (int j = 0; j < quantBytes; j++) {
                byte q = (byte) random.nextInt(256);
                bytes[block * quantBytes + j] = q;
                if (type == GgmlType.Q8_0) {
                    weights[row][group * 32 + j] = scale * q;
                } else {
                    weights[row][group * 32 + j] = scale * ((q & 15) - 8);
                    weights[row][group * 32 + j + 16] = scale * (((q >> 4) & 15) - 8);
                }
            }
        }
        return new DeviceMatrix(bytes, weights);
    }

    private static float[] randomFloats(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextDouble(-2, 2);
        }
        return values;
    }

    private static double dot(double[] w, float[] x, int offset) {
        double sum = 0;
        for (int i = 0; i < w.length; i++) {
            sum += w[i] * x[offset + i];
        }
        return sum;
    }

    @ParameterizedTest(name = "{0} {1} tokens")
    @CsvSource({"Q8_0, 1", "Q8_0, 3", "Q8_0, 6", "Q4_0, 1", "Q4_0, 3", "Q4_0, 6"})
    void productsWithBiasAndAccumulationMatchDoubleSums(GgmlType type, int tokens) {
        DeviceMatrix w = matrix(type, 11);
        DeviceMatrix up = matrix(type, 12);
        float[] x = randomFloats(tokens * COLUMNS, 13);
        float[] bias = randomFloats(ROWS, 14);
        float[] before = randomFloats(tokens * ROWS, 15);
        String suffix = type == GgmlType.Q8_0 ? "q8_0" : "q4_0";
        long rowBytes = COLUMNS / 32 * (type == GgmlType.Q8_0 ? 34 : 18);
        try (Arena arena = Arena.ofConfined();
             ClBuffer weights = upload(arena, "w", w.bytes());
             ClBuffer upWeights = upload(arena, "up", up.bytes());
             ClBuffer xs = upload(arena, "x", x);
             ClBuffer biases = upload(arena, "bias", bias);
             ClBuffer ys = cl.allocate("y", 4L * tokens * ROWS)) {
            for (String width : new String[] {"1", "4"}) {
                cl.write(ys, 0, arena.allocateFrom(ValueLayout.JAVA_FLOAT, before));
                try (ClKernel kernel = cl.kernels().create("kernel_mul_mv_cpu" + width + "_" + suffix)) {
                    kernel.arg(0, weights).arg(1, COLUMNS).arg(2, rowBytes).arg(3, ROWS).arg(4, xs).arg(5, COLUMNS)
                            .arg(6, ys).arg(7, 0).arg(8, ROWS).arg(9, tokens).arg(10, biases).arg(11, 1).arg(12, 1);
                    kernel.run(globalSize(Tuning.CPU_ROWS), Tuning.CPU_LOCAL);
                    float[] y = download(arena, ys, tokens * ROWS);
                    for (int t = 0; t < tokens; t++) {
                        for (int r = 0; r < ROWS; r++) {
                            double expected = before[t * ROWS + r] + dot(w.weights()[r], x, t * COLUMNS) + bias[r];
                            assertThat((double) y[t * ROWS + r]).as("cpu%s row %d token %d", width, r, t)
                                    .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(expected))));
                        }
                    }
                }
                try (ClKernel glu = cl.kernels().create("kernel_mul_mv_glu_cpu" + width + "_" + suffix)) {
                    glu.arg(0, weights).arg(1, upWeights).arg(2, COLUMNS).arg(3, rowBytes).arg(4, ROWS).arg(5, xs)
                            .arg(6, COLUMNS).arg(7, ys).arg(8, ROWS).arg(9, tokens);
                    glu.run(globalSize(Tuning.CPU_ROWS / 2), Tuning.CPU_LOCAL);
                    float[] y = download(arena, ys, tokens * ROWS);
                    for (int t = 0; t < tokens; t++) {
                        for (int r = 0; r < ROWS; r++) {
                            double g = dot(w.weights()[r], x, t * COLUMNS);
                            double u = dot(up.weights()[r], x, t * COLUMNS);
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

    private static ClBuffer upload(Arena arena, String name, byte[] bytes) {
        ClBuffer buffer = cl.allocate(name, bytes.length);
        cl.write(buffer, 0, arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes));
        return buffer;
    }

    private static ClBuffer upload(Arena arena, String name, float[] values) {
        ClBuffer buffer = cl.allocate(name, 4L * values.length);
        cl.write(buffer, 0, arena.allocateFrom(ValueLayout.JAVA_FLOAT, values));
        return buffer;
    }

    private static float[] download(Arena arena, ClBuffer buffer, int count) {
        MemorySegment host = arena.allocate(4L * count, 4);
        cl.read(buffer, 0, host);
        cl.finish();
        return host.toArray(ValueLayout.JAVA_FLOAT);
    }
}
