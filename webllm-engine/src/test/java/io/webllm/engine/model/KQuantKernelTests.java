package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.webllm.engine.model.Q8TestActivations.Quantized;
import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.KernelLibrary;
import io.webllm.engine.opencl.Tuning;
import io.webllm.engine.tensor.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Q4_K and Q6_K on the device: their repacked layout (repack.cl, quants.cl), read by every float kernel through
 * group_<type>, and the integer matrix-vector kernels with Q8 activations (mul_mv_q8.cl), against the plain-Java
 * codecs.
 *
 * <p>Tolerances as in {@link Q8ActivationKernelTests}: given the quantized activations the kernel read, its result
 * is the exact sum of (codec weight) x (d_x q_x) up to float32 scaling and summation, 1e-5 relative to the size of
 * the terms it adds; against the float product the difference is bounded by the quantization error itself, sum over
 * groups of d_g / 2 x sum |w|. Q4_K adds two terms a group, (d scale) d_x sum(q q_x) and (dmin min) d_x sum(q_x),
 * which can both be larger than their difference: their sizes, not the weights', scale its rounding.
 */
class KQuantKernelTests extends OnTestDevice {

    private static final int ROWS = 37;
    /** 5 superblocks, 40 groups: more than one group per lane of a warp, with a partial second round. */
    private static final int COLUMNS = 5 * 256;
    private static final int GROUPS = COLUMNS / 32;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q6_K"})
    void repackedMatrixReadsBackAsTheCodecDecodesIt(GgmlType type) {
        KQuantTestMatrix w = KQuantTestMatrix.random(type, ROWS, COLUMNS, 21);
        int[] ids = IntStream.range(0, ROWS).map(i -> (i * 7) % ROWS).toArray();
        try (Arena arena = Arena.ofConfined();
             ClBuffer weights = w.upload(cl, arena);
             ClBuffer rowIds = cl.allocate("ids", 4L * ids.length);
             ClBuffer out = cl.allocate("rows", 4L * ids.length * COLUMNS);
             ClKernel getRows = cl.kernels().create("kernel_get_rows_" + w.suffix())) {
            cl.write(rowIds, 0, arena.allocateFrom(ValueLayout.JAVA_INT, ids));
            getRows.arg(0, weights).arg(1, COLUMNS).arg(2, w.rowBytes()).arg(3, ROWS).arg(4, rowIds).arg(5, out);
            getRows.run(GROUPS, ids.length, 0, 0);
            float[] rows = DeviceArrays.floats(cl, arena, out, ids.length * COLUMNS);
            for (int i = 0; i < ids.length; i++) {
                for (int c = 0; c < COLUMNS; c++) {
                    double expected = w.weight(ids[i], c);
                    // one float multiply(-add) each side: a fused one may round once instead of twice
                    assertThat((double) rows[i * COLUMNS + c]).as("row %d column %d", ids[i], c)
                            .isCloseTo(expected, offset(1e-6 * (1 + Math.abs(expected))));
                }
            }
        }
    }

    private static float[] activations(int tokens, long seed) {
        return Q8TestActivations.random(tokens, COLUMNS, 13, seed);
    }

    @ParameterizedTest(name = "{0} {1} tokens")
    @CsvSource({"Q4_K, 1", "Q4_K, 3", "Q4_K, 9", "Q6_K, 1", "Q6_K, 3", "Q6_K, 9"})
    void integerProductsEqualTheExactSumsOfWhatTheyRead(GgmlType type, int tokens) {
        KQuantTestMatrix w = KQuantTestMatrix.random(type, ROWS, COLUMNS, 31);
        KQuantTestMatrix up = KQuantTestMatrix.random(type, ROWS, COLUMNS, 32);
        float[] x = activations(tokens, 33);
        float[] bias = DeviceArrays.randomFloats(ROWS, 34);
        float[] before = DeviceArrays.randomFloats(tokens * ROWS, 35);
        try (Arena arena = Arena.ofConfined();
             ClBuffer weights = w.upload(cl, arena);
             ClBuffer upWeights = up.upload(cl, arena);
             Q8TestActivations.OnDevice input = Q8TestActivations.quantized(cl, arena, x, tokens, COLUMNS);
             ClBuffer biases = DeviceArrays.upload(cl, arena, "bias", bias);
             ClBuffer ys = DeviceArrays.upload(cl, arena, "y", before);
             ClKernel kernel = cl.kernels().create("kernel_mul_mvq_" + w.suffix());
             // a single token's residual product with its loads a round ahead (Tuning.loadsAhead)
             ClKernel ahead = cl.kernels().create(tokens == 1 ? "kernel_mul_mvq_ahead_" + w.suffix() + KernelLibrary.SINGLE_TOKEN
                     : "kernel_mul_mvq_" + w.suffix());
             ClKernel glu = cl.kernels().create("kernel_mul_mv_gluq_" + w.suffix())) {
            ClBuffer xq = input.quants();
            ClBuffer xd = input.scales();
            Quantized read = Q8TestActivations.download(cl, arena, xq, xd, tokens, COLUMNS);
            Products products = new Products(w, read);
            Products upProducts = new Products(up, read);
            // every split of the columns between the warps of a row set (the host picks one by the row length)
            for (int split = 1; split <= Tuning.PACKED_WARPS; split *= 2) {
                float[] y;
                for (ClKernel product : java.util.List.of(kernel, ahead)) {
                cl.write(ys, 0, arena.allocateFrom(ValueLayout.JAVA_FLOAT, before));
                Q8TestActivations.matvecArgsWithoutNorm(product, weights, w.rowBytes(), ROWS, COLUMNS, xq, xd, ys, biases, tokens, split);
                Q8TestActivations.runRows(product, ROWS, split, false);
                y = DeviceArrays.floats(cl, arena, ys, tokens * ROWS);
                for (int t = 0; t < tokens; t++) {
                    for (int r = 0; r < ROWS; r++) {
                        double exact = before[t * ROWS + r] + products.dot(r, t) + bias[r];
                        double terms = Math.abs(before[t * ROWS + r]) + products.magnitude(r, t) + Math.abs(bias[r]);
                        assertThat((double) y[t * ROWS + r]).as("%s split %d row %d token %d", product.name(), split, r, t)
                                .isCloseTo(exact, offset(1e-5 * (1 + terms)));
                        double floatProduct = before[t * ROWS + r] + products.floatDot(r, x, t) + bias[r];
                        assertThat(Math.abs(y[t * ROWS + r] - floatProduct)).as("quantization error of row %d token %d", r, t)
                                .isLessThanOrEqualTo(products.quantizationBound(r, t) + 1e-4 * (1 + Math.abs(floatProduct)));
                    }
                }
                }

                Q8TestActivations.gatedArgs(glu, weights, upWeights, w.rowBytes(), ROWS, COLUMNS, xq, xd, ys, tokens, split);
                Q8TestActivations.runRows(glu, ROWS, split, true);
                y = DeviceArrays.floats(cl, arena, ys, tokens * ROWS);
                for (int t = 0; t < tokens; t++) {
                    for (int r = 0; r < ROWS; r++) {
                        double g = products.dot(r, t);
                        double u = upProducts.dot(r, t);
                        double expected = g / (1 + Math.exp(-g)) * u;
                        // each factor within 1e-5 of the size of its terms, so the product within that of both (silu' <= 1.1)
                        double tolerance = 2.2e-5 * (1 + products.magnitude(r, t)) * (1 + upProducts.magnitude(r, t));
                        assertThat((double) y[t * ROWS + r]).as("glu split %d row %d token %d", split, r, t).isCloseTo(expected, offset(tolerance));
                    }
                }
            }
        }
    }

    /**
     * The tiled tensor-core kernels (mul_mm_q8.cl; dot4 off NVIDIA) on K-quants against the exact sum of codec
     * weight times quantized activation: Q4_K staged as nibbles minus 8 with the offset term (8 s - m) times the
     * activations' group sum, Q6_K as levels minus 32 in two halves with a scale each. Partial row and token tiles,
     * bias and accumulation as for Q4_0 (Q8MatrixMatrixKernelTests).
     */
    @ParameterizedTest(name = "{0} {1} rows {2} tokens")
    @CsvSource({"Q4_K, 37, 16", "Q4_K, 130, 17", "Q4_K, 37, 70", "Q4_K, 130, 70", "Q6_K, 37, 16", "Q6_K, 130, 70"})
    void tiledProductsEqualTheExactSumsOfWhatTheyRead(GgmlType type, int rows, int tokens) {
        KQuantTestMatrix w = KQuantTestMatrix.random(type, rows, COLUMNS, 41 + rows);
        float[] x = activations(tokens, 42);
        float[] bias = DeviceArrays.randomFloats(rows, 43);
        float[] before = DeviceArrays.randomFloats(tokens * rows, 44);
        boolean accumulate = tokens % 2 == 0;
        try (Arena arena = Arena.ofConfined();
             ClBuffer weights = w.upload(cl, arena);
             Q8TestActivations.OnDevice input = Q8TestActivations.quantized(cl, arena, x, tokens, COLUMNS);
             ClBuffer biases = DeviceArrays.upload(cl, arena, "bias", bias);
             ClBuffer ys = DeviceArrays.upload(cl, arena, "y", before);
             ClKernel kernel = cl.kernels().create("kernel_mul_mmq_" + w.suffix())) {
            ClBuffer xq = input.quants();
            ClBuffer xd = input.scales();
            Products products = new Products(w, Q8TestActivations.download(cl, arena, xq, xd, tokens, COLUMNS));
            kernel.arg(0, weights).arg(1, COLUMNS).arg(2, w.rowBytes()).arg(3, rows).arg(4, xq).arg(5, GROUPS)
                    .arg(6, ys).arg(7, 0).arg(8, rows).arg(9, tokens).arg(10, biases).arg(11, 1)
                    .arg(12, accumulate ? 1 : 0).arg(13, xd);
            Q8MatrixMatrixKernelTests.runTiles(kernel, rows, tokens);
            float[] y = DeviceArrays.floats(cl, arena, ys, tokens * rows);
            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < rows; r++) {
                    double old = accumulate ? before[t * rows + r] : 0;
                    double exact = old + products.dot(r, t) + bias[r];
                    double terms = Math.abs(old) + products.tiledMagnitude(r, t) + Math.abs(bias[r]);
                    assertThat((double) y[t * rows + r]).as("row %d token %d", r, t).isCloseTo(exact, offset(1e-5 * (1 + terms)));
                }
            }
        }
    }

    /** What the integer kernels compute from the activations they read, in double, and the bounds around it. */
    private record Products(KQuantTestMatrix w, Quantized x) {

        /** sum over columns of codec weight x quantized activation: the kernel's result in exact arithmetic. */
        double dot(int row, int token) {
            double sum = 0;
            for (int c = 0; c < COLUMNS; c++) {
                sum += w.weight(row, c) * x.value(token, c);
            }
            return sum;
        }

        /**
         * The size of what the kernel adds: per group |sum w x| for Q6_K (one integer sum scaled once), and for Q4_K
         * its two terms, sum (w + min) x and min sum x, each taken whole.
         */
        double magnitude(int row, int token) {
            double total = 0;
            for (int g = 0; g < GROUPS; g++) {
                double min = w.type() == GgmlType.Q4_K ? w.q4kMin(row, g) : 0;
                double scaled = 0;
                double xs = 0;
                for (int c = 32 * g; c < 32 * g + 32; c++) {
                    scaled += (w.weight(row, c) + min) * x.value(token, c);
                    xs += x.value(token, c);
                }
                total += Math.abs(scaled) + Math.abs(min * xs);
            }
            return total;
        }

        /**
         * The size of what the tiled kernel adds for a row: per group sum |w + m| |x| bounds s * sum (q - 8) x up to
         * 8 s sum |x|, and (8 s - m) sum x adds up to (8 s + |m|) sum |x|, with s <= max |w + m| (s q = w + m, q <= 15).
         * Q6_K (m = 0) adds one scaled integer sum a half-group, at most sum |w x|.
         */
        double tiledMagnitude(int row, int token) {
            double total = 0;
            for (int g = 0; g < GROUPS; g++) {
                boolean q4k = w.type() == GgmlType.Q4_K;
                double min = q4k ? w.q4kMin(row, g) : 0;
                double scaleBound = 0;
                double absX = 0;
                for (int c = 32 * g; c < 32 * g + 32; c++) {
                    total += Math.abs(w.weight(row, c) + min) * Math.abs(x.value(token, c));
                    scaleBound = Math.max(scaleBound, Math.abs(w.weight(row, c) + min));
                    absX += Math.abs(x.value(token, c));
                }
                total += q4k ? (16 * scaleBound + Math.abs(min)) * absX : 0;
            }
            return total;
        }

        /** The row times the float activations, in double. */
        double floatDot(int row, float[] values, int token) {
            double sum = 0;
            for (int c = 0; c < COLUMNS; c++) {
                sum += w.weight(row, c) * values[token * COLUMNS + c];
            }
            return sum;
        }

        /** The largest change quantizing x can make to this row's product: sum over groups of d / 2 x sum |w|. */
        double quantizationBound(int row, int token) {
            double bound = 0;
            for (int g = 0; g < GROUPS; g++) {
                double weights = 0;
                for (int c = 32 * g; c < 32 * g + 32; c++) {
                    weights += Math.abs(w.weight(row, c));
                }
                bound += x.d()[token * GROUPS + g] / 2 * weights;
            }
            return bound;
        }
    }
}
