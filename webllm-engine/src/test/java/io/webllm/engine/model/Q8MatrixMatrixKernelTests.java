package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.ClProgram;
import io.webllm.engine.opencl.KernelLibrary;
import io.webllm.engine.opencl.Tuning;
import io.webllm.engine.tensor.GgmlType;
import java.lang.foreign.Arena;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
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

    /**
     * The tensor-core kernels' group sums as floats through their bits (group_sum_float with MMQ_MAGIC,
     * -Dwebllm.mma.magicSums): the very float a conversion gives, for every sum a group of int8 products can reach
     * (|v| <= 32 x 128 x 127) and up to the trick's bound of 2^22. Built here with the switch on, whatever this
     * JVM's setting, so that CI checks the path the GPU would take.
     */
    @Test
    void groupSumsThroughTheirBitsAreTheConvertedFloats() {
        int bound = (1 << 22) - 1;
        int[] sums = IntStream.concat(IntStream.of(0, 1, -1, 127, -128, 520_192, -520_192, bound, -bound),
                new java.util.SplittableRandom(9).ints(4096, -bound, bound + 1)).toArray();
        String source = KernelLibrary.source() + "kernel void test_group_sum_float(global const int* v, global float* out) {"
                + " out[get_global_id(0)] = group_sum_float(v[get_global_id(0)]); }\n";
        String options = cl.kernels().buildOptions().replaceAll("-DMMQ_MAGIC=\\d", "") + " -DMMQ_MAGIC=1";
        try (Arena arena = Arena.ofConfined();
             ClProgram program = cl.build("group sums through their bits", source, options);
             ClBuffer in = DeviceArrays.upload(cl, arena, "sums", sums);
             ClBuffer out = cl.allocate("floats", 4L * sums.length)) {
            ClKernel kernel = program.kernel("test_group_sum_float").arg(0, in).arg(1, out);
            kernel.run(sums.length, 0);
            float[] floats = DeviceArrays.floats(cl, arena, out, sums.length);
            for (int i = 0; i < sums.length; i++) {
                assertThat(Float.floatToRawIntBits(floats[i])).as("sum %d", sums[i]).isEqualTo(Float.floatToRawIntBits((float) sums[i]));
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
