package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

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
 * The tiled Q8 matrix-matrix kernels (mul_mm_q8.cl: tensor cores on NVIDIA, dot4 elsewhere) against exact integer
 * sums in Java over the quants the kernel read: y = before + bias + sum over groups of d_w * d_x * sum(q_w * q_x).
 *
 * <p>Shapes cross every tile edge: 37 and 130 rows (a partial row tile, and more than two tiles), 16, 17 and 70
 * tokens (partial token tiles, one with a single token in its second tile), 10 groups a row (a partial barrier step
 * of groups), and output rows at an offset inside a wider stride, so a write to a wrong row or token lands on a value
 * the test checks. Tolerance: the kernel adds float terms d_w * d_x * integer; float32 rounding of that sum stays
 * within (terms + 2) x 2^-24 x sum |term|, held to 1e-5 x (1 + sum of magnitudes).
 */
class Q8MatrixMatrixKernelTests {

    private static final int GROUPS = 10;
    private static final int COLUMNS = GROUPS * 32;
    /** Output columns before the product's rows and after them, in each token's output row. */
    private static final int Y_OFFSET = 3;
    private static final int Y_PADDING = 5;

    static ClContext cl;

    @BeforeAll
    static void openDevice() {
        cl = TestDevices.open();
    }

    @AfterAll
    static void closeDevice() {
        cl.close();
    }

    @ParameterizedTest(name = "{0} {1} rows {2} tokens bias {3} accumulate {4}")
    @CsvSource({
            "Q4_0, 37, 16, true, true", "Q4_0, 130, 17, false, false", "Q4_0, 37, 70, true, false", "Q4_0, 130, 70, false, true",
            "Q8_0, 37, 16, false, true", "Q8_0, 130, 17, true, false", "Q8_0, 37, 70, false, false", "Q8_0, 130, 70, true, true"})
    void tiledIntegerProductsEqualTheExactSumsOfWhatTheyRead(GgmlType type, int rows, int tokens, boolean hasBias, boolean accumulate) {
        Weights w = Weights.random(type, rows, 21 + rows);
        float[] x = randomFloats(tokens * COLUMNS, 22 + tokens);
        float[] bias = randomFloats(rows, 23);
        int yStride = Y_OFFSET + rows + Y_PADDING;
        float[] before = randomFloats(tokens * yStride, 24);
        try (Arena arena = Arena.ofConfined();
             ClBuffer weights = upload(arena, "w", w.bytes());
             ClBuffer xs = upload(arena, "x", x);
             ClBuffer xq = cl.allocate("xq", (long) tokens * COLUMNS);
             ClBuffer xd = cl.allocate("xd", 8L * tokens * GROUPS);
             ClBuffer biases = upload(arena, "bias", bias);
             ClBuffer ys = upload(arena, "y", before);
             ClKernel quantize = cl.kernels().create("kernel_quantize_q8");
             ClKernel kernel = cl.kernels().create("kernel_mul_mmq_" + (type == GgmlType.Q8_0 ? "q8_0" : "q4_0"))) {
            quantize.arg(0, xs).arg(1, COLUMNS).arg(2, xq).arg(3, xd).arg(4, GROUPS).run((GROUPS * 32 + 255) / 256 * 256, tokens, 256, 1);
            byte[] quants = downloadBytes(arena, xq, (long) tokens * COLUMNS);
            float[] scales = download(arena, xd, 2 * tokens * GROUPS);

            kernel.arg(0, weights).arg(1, COLUMNS).arg(2, w.rowBytes()).arg(3, rows).arg(4, xq).arg(5, GROUPS)
                    .arg(6, ys).arg(7, Y_OFFSET).arg(8, yStride).arg(9, tokens).arg(10, biases).arg(11, hasBias ? 1 : 0)
                    .arg(12, accumulate ? 1 : 0).arg(13, xd);
            long rowTiles = (rows + Tuning.MMQ_ROWS - 1) / Tuning.MMQ_ROWS;
            long tokenTiles = (tokens + Tuning.MMQ_TOKENS - 1) / Tuning.MMQ_TOKENS;
            kernel.run(rowTiles * Tuning.MMQ_ITEMS, tokenTiles, Tuning.MMQ_ITEMS, 1);
            float[] y = download(arena, ys, tokens * yStride);

            for (int t = 0; t < tokens; t++) {
                for (int c = 0; c < yStride; c++) {
                    int r = c - Y_OFFSET;
                    float old = before[t * yStride + c];
                    if (r < 0 || r >= rows) {
                        assertThat(y[t * yStride + c]).as("untouched column %d of token %d", c, t).isEqualTo(old);
                        continue;
                    }
                    double expected = (accumulate ? old : 0) + (hasBias ? bias[r] : 0);
                    double magnitude = Math.abs(expected);
                    for (int g = 0; g < GROUPS; g++) {
                        long integer = 0;
                        for (int i = 0; i < 32; i++) {
                            integer += (long) w.quant(r, g * 32 + i) * quants[t * COLUMNS + g * 32 + i];
                        }
                        double term = w.scale(r, g) * scales[2 * (t * GROUPS + g)] * integer;
                        expected += term;
                        magnitude += Math.abs(term);
                    }
                    assertThat((double) y[t * yStride + c]).as("row %d token %d", r, t)
                            .isCloseTo(expected, offset(1e-5 * (1 + magnitude)));
                }
            }
        }
    }

    /** A Q4_0 or Q8_0 matrix in the device layout of quants.cl (all blocks' quants, then all fp16 scales). */
    private record Weights(GgmlType type, int rows, byte[] bytes, float[] scales) {

        static Weights random(GgmlType type, int rows, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            int blocks = rows * GROUPS;
            int quantBytes = quantBytes(type);
            byte[] bytes = new byte[blocks * (quantBytes + 2)];
            float[] scales = new float[blocks];
            for (int i = 0; i < blocks * quantBytes; i++) {
                bytes[i] = (byte) random.nextInt(256);
            }
            for (int block = 0; block < blocks; block++) {
                short half = Float.floatToFloat16((float) (random.nextDouble(0.001, 0.05) * (random.nextBoolean() ? 1 : -1)));
                scales[block] = Float.float16ToFloat(half);
                bytes[blocks * quantBytes + 2 * block] = (byte) half;
                bytes[blocks * quantBytes + 2 * block + 1] = (byte) (half >> 8);
            }
            return new Weights(type, rows, bytes, scales);
        }

        private static int quantBytes(GgmlType type) {
            return type == GgmlType.Q8_0 ? 32 : 16;
        }

        long rowBytes() {
            return GROUPS * (quantBytes(type) + 2L);
        }

        /** Weight {@code column} of {@code row} as an integer: Q8_0 bytes, or Q4_0 nibbles (j low, j + 16 high) minus 8. */
        int quant(int row, int column) {
            int block = row * GROUPS + column / 32;
            int j = column % 32;
            if (type == GgmlType.Q8_0) {
                return bytes[block * 32 + j];
            }
            int b = bytes[block * 16 + j % 16] & 0xFF;
            return (j < 16 ? b & 15 : b >> 4) - 8;
        }

        float scale(int row, int group) {
            return scales[row * GROUPS + group];
        }
    }

    private static float[] randomFloats(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextDouble(-2, 2);
        }
        return values;
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

    private static byte[] downloadBytes(Arena arena, ClBuffer buffer, long count) {
        MemorySegment host = arena.allocate(count);
        cl.read(buffer, 0, host);
        cl.finish();
        return host.toArray(ValueLayout.JAVA_BYTE);
    }
}
