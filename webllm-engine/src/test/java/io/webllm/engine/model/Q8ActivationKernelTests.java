package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.webllm.engine.model.Q8TestActivations.Quantized;
import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.Tuning;
import io.webllm.engine.tensor.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Q8 activations (q8.cl) and the integer matrix-vector kernels that read them (mul_mv_q8.cl), against plain Java.
 *
 * <p>Two separate claims, two tolerances. Quantization: every value is rounded to the nearest multiple of its
 * group's d = max|x| / 127, so it moves by at most d / 2. Products: given the quantized activations the kernel
 * read, its result is the exact integer sum scaled by float scales (1e-5 relative covers float32 scaling and summation
 * order); against the float product the difference is then bounded by sum over groups of d_g / 2 x sum |w| of the
 * group, the quantization error itself, which the test asserts as a bound, not a tuned constant.
 */
class Q8ActivationKernelTests extends OnTestDevice {

    private static final int ROWS = 37;
    /** 40 groups: more than one group per lane of a warp, with a partial second round. */
    private static final int COLUMNS = 40 * 32;
    private static final int GROUPS = COLUMNS / 32;

    private static float[] activations(int tokens, long seed) {
        return Q8TestActivations.random(tokens, COLUMNS, 5, seed);
    }

    @Test
    void quantizationRoundsEachValueToTheNearestStepOfItsGroup() {
        int tokens = 3;
        float[] x = activations(tokens, 1);
        try (Arena arena = Arena.ofConfined();
             ClBuffer xs = DeviceArrays.upload(cl, arena, "x", x);
             ClBuffer xq = cl.allocate("xq", (long) tokens * COLUMNS);
             ClBuffer xd = cl.allocate("xd", 8L * tokens * GROUPS);
             ClKernel kernel = cl.kernels().create("kernel_quantize_q8")) {
            kernel.arg(0, xs).arg(1, COLUMNS).arg(2, xq).arg(3, xd).arg(4, GROUPS);
            kernel.run(COLUMNS, tokens, 256, 1);
            Quantized quantized = Q8TestActivations.download(cl, arena, xq, xd, tokens, COLUMNS);
            assertQuantizationOf(x, quantized, tokens);
        }
    }

    @Test
    void rmsNormWritesItsOutputQuantizedAsWell() {
        int tokens = 2;
        float[] x = activations(tokens, 2);
        float[] weight = DeviceArrays.randomFloats(COLUMNS, 3);
        try (Arena arena = Arena.ofConfined();
             ClBuffer xs = DeviceArrays.upload(cl, arena, "x", x);
             ClBuffer w = DeviceArrays.upload(cl, arena, "norm weight", weight);
             ClBuffer out = cl.allocate("out", 4L * tokens * COLUMNS);
             ClBuffer xq = cl.allocate("xq", (long) tokens * COLUMNS);
             ClBuffer xd = cl.allocate("xd", 8L * tokens * GROUPS);
             ClKernel kernel = cl.kernels().create("kernel_rms_norm_q8")) {
            kernel.arg(0, xs).arg(1, out).arg(2, w).arg(3, COLUMNS).arg(4, 1e-5f).localArg(5, 4L * 256).arg(6, xq).arg(7, xd);
            // with warming work-groups after its own, asking L2 for a weight range (a hint: the same result)
            L2Warmup.set(kernel, 8, java.util.List.of(new L2Warmup.Range(w, 0, w.size())), xs);
            kernel.run((GROUPS + 7) / 8 * 256L + L2Warmup.WORK_ITEMS, tokens, 256, 1);
            float[] normed = DeviceArrays.floats(cl, arena, out, tokens * COLUMNS);
            assertRmsNormOf(x, weight, normed, tokens, COLUMNS);
            assertQuantizationOf(normed, Q8TestActivations.download(cl, arena, xq, xd, tokens, COLUMNS), tokens);
        }
    }

    /**
     * A residual product that carries the norm after it, deferred (mul_mv_q8.cl, quantize_finished_groups with norm
     * weights): the last work-group of each 32-row group to finish quantizes y * weight, after the add, and leaves the
     * group's sum of squares of y. Then a product and a gated product that read those activations with the deferred
     * flag give the norm's scale (from the sums of squares) times the exact sums of what they read, and so, within the
     * quantization bound, the products of rms_norm(y) * weight. Split 1 gives a work-group a whole group (no arrival
     * count), split 2 half a group; 10 tokens take two passes of PK_TOKENS. The second launch finds the arrival counts
     * the first left at zero, and computes the same.
     */
    @ParameterizedTest(name = "{0} {1} tokens split {2}")
    @CsvSource({"Q4_0, 1, 2", "Q4_0, 1, 1", "Q8_0, 3, 1", "Q4_0, 10, 2"})
    void residualProductsDeferTheNormThatFollowsThemToTheProductsThatReadIt(GgmlType type, int tokens, int split) {
        int rows = COLUMNS; // the residual row is the next products' input
        int groups = rows / 32;
        PackedTestMatrix w = PackedTestMatrix.random(type, rows, COLUMNS, 21, false);
        PackedTestMatrix next = PackedTestMatrix.random(type, ROWS, COLUMNS, 25, false);
        PackedTestMatrix nextUp = PackedTestMatrix.random(type, ROWS, COLUMNS, 26, false);
        float[] x = activations(tokens, 22);
        float[] before = DeviceArrays.randomFloats(tokens * rows, 23);
        float[] weight = DeviceArrays.randomFloats(rows, 24);
        try (Arena arena = Arena.ofConfined();
             ClBuffer weights = DeviceArrays.upload(cl, arena, "w", w.bytes());
             ClBuffer nextWeights = DeviceArrays.upload(cl, arena, "next", next.bytes());
             ClBuffer nextUpWeights = DeviceArrays.upload(cl, arena, "next up", nextUp.bytes());
             Q8TestActivations.OnDevice input = Q8TestActivations.quantized(cl, arena, x, tokens, COLUMNS);
             ClBuffer ys = DeviceArrays.upload(cl, arena, "y", before);
             ClBuffer normWeight = DeviceArrays.upload(cl, arena, "norm weight", weight);
             ClBuffer squares = cl.allocate("sums of squares", 4L * tokens * groups);
             ClBuffer nq = cl.allocate("normed q8", (long) tokens * rows);
             ClBuffer nd = cl.allocate("normed q8 scales", 8L * tokens * groups);
             ClBuffer arrivals = DeviceArrays.upload(cl, arena, "arrivals", new byte[4 * tokens * groups]);
             ClBuffer products = cl.allocate("next products", 4L * tokens * ROWS);
             ClKernel kernel = cl.kernels().create("kernel_mul_mvq_" + w.suffix() + width(tokens));
             ClKernel consumer = cl.kernels().create("kernel_mul_mvq_" + w.suffix() + width(tokens));
             ClKernel glu = cl.kernels().create("kernel_mul_mv_gluq_" + w.suffix() + width(tokens))) {
            Q8TestActivations.matvecArgs(kernel, weights, w.rowBytes(), rows, COLUMNS, input.quants(), input.scales(), ys, null, tokens, split)
                    .arg(15, 1).arg(16, normWeight).arg(17, 1e-5f).arg(18, squares).arg(19, nq).arg(20, nd).arg(21, arrivals)
                    .arg(22, ys).arg(23, 0);
            Quantized first = null;
            for (int launch = 0; launch < 2; launch++) {
                cl.write(ys, 0, arena.allocateFrom(ValueLayout.JAVA_FLOAT, before));
                Q8TestActivations.runRows(kernel, rows, split, false);
                float[] y = DeviceArrays.floats(cl, arena, ys, tokens * rows);
                float[] sums = DeviceArrays.floats(cl, arena, squares, tokens * groups);
                float[] weighted = new float[tokens * rows];
                for (int t = 0; t < tokens; t++) {
                    for (int g = 0; g < groups; g++) {
                        double expected = 0;
                        for (int i = g * 32; i < g * 32 + 32; i++) {
                            expected += (double) y[t * rows + i] * y[t * rows + i];
                        }
                        assertThat((double) sums[t * groups + g]).as("sum of squares, group %d token %d", g, t)
                                .isCloseTo(expected, offset(1e-5 * expected));
                    }
                    for (int i = 0; i < rows; i++) {
                        weighted[t * rows + i] = y[t * rows + i] * weight[i];
                    }
                }
                Quantized quantized = Q8TestActivations.download(cl, arena, nq, nd, tokens, rows);
                assertQuantizationOf(weighted, quantized, tokens, rows);
                assertThat(DeviceArrays.ints(cl, arena, arrivals, tokens * groups)).as("arrival counts left for the next launch").containsOnly(0);
                if (first != null) {
                    assertThat(quantized.q()).as("second launch").isEqualTo(first.q());
                }
                first = quantized;
                assertProductsApplyTheDeferredScale(consumer, glu, nextWeights, nextUpWeights, next, nextUp, nq, nd, squares,
                        products, quantized, sums, tokens, split);
                // the rms_norm these products read, to the quantization bound
                float[] normed = new float[tokens * rows];
                for (int t = 0; t < tokens; t++) {
                    double scale = deferredScale(sums, t, groups);
                    for (int i = 0; i < rows; i++) {
                        normed[t * rows + i] = (float) (weighted[t * rows + i] * scale);
                    }
                }
                assertRmsNormOf(y, weight, normed, tokens, rows);
            }
        }
    }

    /** 1 / sqrt(mean(y^2) + 1e-5) of token t's row from its groups' sums of squares. */
    private static double deferredScale(float[] sums, int token, int groups) {
        double total = 0;
        for (int g = 0; g < groups; g++) {
            total += sums[token * groups + g];
        }
        return 1 / Math.sqrt(total / (groups * 32) + 1e-5);
    }

    /**
     * The products after a deferred norm (kernel_mul_mvq_* and kernel_mul_mv_gluq_* with `deferred` set): the norm's
     * scale times the exact sums of what they read (read: the activations as quantized, without the scale).
     */
    private void assertProductsApplyTheDeferredScale(ClKernel matvec, ClKernel glu, ClBuffer weights, ClBuffer upWeights,
            PackedTestMatrix w, PackedTestMatrix up, ClBuffer xq, ClBuffer xd, ClBuffer squares, ClBuffer out,
            Quantized read, float[] sums, int tokens, int split) {
        try (Arena arena = Arena.ofConfined()) {
            QuantizedProducts products = new QuantizedProducts(w);
            QuantizedProducts upProducts = new QuantizedProducts(up);
            Q8TestActivations.matvecArgsWithoutNorm(matvec, weights, w.rowBytes(), ROWS, COLUMNS, xq, xd, out, null, tokens, split)
                    .arg(12, 0).arg(17, 1e-5f).arg(22, squares).arg(23, 1);
            Q8TestActivations.runRows(matvec, ROWS, split, false);
            float[] y = DeviceArrays.floats(cl, arena, out, tokens * ROWS);
            for (int t = 0; t < tokens; t++) {
                double scale = deferredScale(sums, t, GROUPS);
                for (int r = 0; r < ROWS; r++) {
                    double exact = scale * products.dotWithQuantized(r, read, t);
                    double terms = scale * products.magnitudeWithQuantized(r, read, t);
                    assertThat((double) y[t * ROWS + r]).as("deferred product row %d token %d", r, t).isCloseTo(exact, offset(1e-5 * (1 + terms)));
                }
            }
            Q8TestActivations.gatedArgs(glu, weights, upWeights, w.rowBytes(), ROWS, COLUMNS, xq, xd, out, tokens, split)
                    .arg(16, squares).arg(17, 1).arg(18, 1e-5f);
            Q8TestActivations.runRows(glu, ROWS, split, true);
            y = DeviceArrays.floats(cl, arena, out, tokens * ROWS);
            for (int t = 0; t < tokens; t++) {
                double scale = deferredScale(sums, t, GROUPS);
                for (int r = 0; r < ROWS; r++) {
                    double g = scale * products.dotWithQuantized(r, read, t);
                    double u = scale * upProducts.dotWithQuantized(r, read, t);
                    double tolerance = 2.2e-5 * (1 + Math.abs(g)) * (1 + Math.abs(u));
                    assertThat((double) y[t * ROWS + r]).as("deferred gated product row %d token %d", r, t)
                            .isCloseTo(g / (1 + Math.exp(-g)) * u, offset(tolerance));
                }
            }
        }
    }

    /** Each token row of {@code out} ({@code width} values) is rms_norm(x) * weight (eps 1e-5), to float rounding. */
    private static void assertRmsNormOf(float[] x, float[] weight, float[] out, int tokens, int width) {
        for (int t = 0; t < tokens; t++) {
            double squares = 0;
            for (int i = 0; i < width; i++) {
                squares += (double) x[t * width + i] * x[t * width + i];
            }
            double scale = 1 / Math.sqrt(squares / width + 1e-5);
            for (int i = 0; i < width; i++) {
                double expected = x[t * width + i] * scale * weight[i];
                assertThat((double) out[t * width + i]).as("token %d value %d", t, i)
                        .isCloseTo(expected, offset(1e-5 * (1 + Math.abs(expected))));
            }
        }
    }

    /**
     * The kernel-name suffix of the Q8 matvec build a pass of {@code tokens} tokens uses: one token has its own
     * (KernelLibrary), unless -Dwebllm.mv.singleToken=false.
     */
    static String width(int tokens) {
        return tokens == 1 && Tuning.SINGLE_TOKEN_MATVECS ? io.webllm.engine.opencl.KernelLibrary.SINGLE_TOKEN : "";
    }

    private static void assertQuantizationOf(float[] x, Quantized quantized, int tokens) {
        assertQuantizationOf(x, quantized, tokens, COLUMNS);
    }

    /** Each 32-value group of the {@code columns} values a token row of x quantized to its nearest steps. */
    private static void assertQuantizationOf(float[] x, Quantized quantized, int tokens, int columns) {
        int groups = columns / 32;
        for (int t = 0; t < tokens; t++) {
            for (int g = 0; g < groups; g++) {
                int base = t * columns + g * 32;
                double amax = 0;
                for (int i = 0; i < 32; i++) {
                    amax = Math.max(amax, Math.abs(x[base + i]));
                }
                int k = t * groups + g;
                double d = quantized.d()[k];
                assertThat(d).as("scale of group %d token %d", g, t).isCloseTo(amax / 127, offset(1e-6 * amax));
                long sum = 0;
                for (int i = 0; i < 32; i++) {
                    int q = quantized.q()[base + i];
                    sum += q;
                    assertThat(q).isBetween(-127, 127);
                    // the nearest step; exact halves may go either way within float rounding of x / d
                    assertThat(Math.abs(d * q - x[base + i])).as("value %d of group %d token %d", i, g, t)
                            .isLessThanOrEqualTo(d / 2 * (1 + 1e-5) + 1e-30);
                }
                assertThat((double) quantized.ds()[k]).isCloseTo(d * sum, offset(1e-5 * (1 + Math.abs(d * sum))));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} tokens")
    @CsvSource({"Q8_0, 1", "Q8_0, 3", "Q8_0, 6", "Q4_0, 1", "Q4_0, 3", "Q4_0, 6"})
    void integerProductsEqualTheExactSumsOfWhatTheyRead(GgmlType type, int tokens) {
        PackedTestMatrix w = PackedTestMatrix.random(type, ROWS, COLUMNS, 11, false);
        PackedTestMatrix up = PackedTestMatrix.random(type, ROWS, COLUMNS, 12, false);
        float[] x = activations(tokens, 13);
        float[] bias = DeviceArrays.randomFloats(ROWS, 14);
        float[] before = DeviceArrays.randomFloats(tokens * ROWS, 15);
        String suffix = w.suffix();
        long rowBytes = w.rowBytes();
        try (Arena arena = Arena.ofConfined();
             ClBuffer weights = DeviceArrays.upload(cl, arena, "w", w.bytes());
             ClBuffer upWeights = DeviceArrays.upload(cl, arena, "up", up.bytes());
             Q8TestActivations.OnDevice input = Q8TestActivations.quantized(cl, arena, x, tokens, COLUMNS);
             ClBuffer biases = DeviceArrays.upload(cl, arena, "bias", bias);
             ClBuffer ys = DeviceArrays.upload(cl, arena, "y", before);
             ClKernel kernel = cl.kernels().create("kernel_mul_mvq_" + suffix + width(tokens));
             ClKernel plain = cl.kernels().create("kernel_mul_mvq_plain_" + suffix + width(tokens));
             // the single-token build's plain product with its loads a round ahead (Tuning.loadsAhead)
             ClKernel ahead = cl.kernels().create((width(tokens).isEmpty() ? "kernel_mul_mvq_plain_" : "kernel_mul_mvq_ahead_")
                     + suffix + width(tokens));
             ClKernel glu = cl.kernels().create("kernel_mul_mv_gluq_" + suffix + width(tokens));
             ClKernel gluPlain = cl.kernels().create("kernel_mul_mv_gluq_plain_" + suffix + width(tokens))) {
            ClBuffer xq = input.quants();
            ClBuffer xd = input.scales();
            Quantized read = Q8TestActivations.download(cl, arena, xq, xd, tokens, COLUMNS);
            // the single-token build's walking kernels (-Dwebllm.mv.walk): work-groups that take several row groups
            java.util.List<ClKernel> walking = tokens == 1 ? java.util.List.of(
                    cl.kernels().create("kernel_mul_mvq_plain_walk_" + suffix + width(tokens)),
                    cl.kernels().create("kernel_mul_mvq_ahead_walk_" + suffix + width(tokens)),
                    cl.kernels().create("kernel_mul_mv_gluq_plain_walk_" + suffix + width(tokens))) : java.util.List.of();
            try {
            // every split of the columns between the warps of a row set (the host picks one by the row length)
            for (int split = 1; split <= Tuning.PACKED_WARPS; split *= 2) {
            // the kernel that can apply a norm and a deferred scale, with neither, and the ones built without them
            java.util.List<ClKernel> products = new java.util.ArrayList<>(java.util.List.of(kernel, plain, ahead));
            products.addAll(walking.subList(0, Math.min(2, walking.size())));
            for (ClKernel product : products) {
            cl.write(ys, 0, arena.allocateFrom(ValueLayout.JAVA_FLOAT, before));
            Q8TestActivations.matvecArgsWithoutNorm(product, weights, rowBytes, ROWS, COLUMNS, xq, xd, ys, biases, tokens, split);
            Q8TestActivations.run(product, ROWS, split, false);
            float[] y = DeviceArrays.floats(cl, arena, ys, tokens * ROWS);
            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < ROWS; r++) {
                    double exact = before[t * ROWS + r] + new QuantizedProducts(w).dotWithQuantized(r, read, t) + bias[r];
                    // float32 sums of 40 group terms: relative to the size of the terms, not of their sum
                    double terms = Math.abs(before[t * ROWS + r]) + new QuantizedProducts(w).magnitudeWithQuantized(r, read, t) + Math.abs(bias[r]);
                    assertThat((double) y[t * ROWS + r]).as("%s split %d row %d token %d", product.name(), split, r, t)
                            .isCloseTo(exact, offset(1e-5 * (1 + terms)));
                    double floatProduct = before[t * ROWS + r] + w.dot(r, x, t * COLUMNS) + bias[r];
                    assertThat(Math.abs(y[t * ROWS + r] - floatProduct)).as("quantization error of row %d token %d", r, t)
                            .isLessThanOrEqualTo(new QuantizedProducts(w).quantizationBound(r, read, t) + 1e-4 * (1 + Math.abs(floatProduct)));
                }
            }
            }
            // the gated kernel that can quantize its output and apply a deferred scale, with neither, and the ones built without them
            java.util.List<ClKernel> gatedProducts = new java.util.ArrayList<>(java.util.List.of(glu, gluPlain));
            gatedProducts.addAll(walking.subList(Math.min(2, walking.size()), walking.size()));
            for (ClKernel gated : gatedProducts) {
            cl.write(ys, 0, arena.allocateFrom(ValueLayout.JAVA_FLOAT, before)); // what none of them would write
            Q8TestActivations.gatedArgs(gated, weights, upWeights, rowBytes, ROWS, COLUMNS, xq, xd, ys, tokens, split);
            Q8TestActivations.run(gated, ROWS, split, true);
            float[] y = DeviceArrays.floats(cl, arena, ys, tokens * ROWS);
            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < ROWS; r++) {
                    double g = new QuantizedProducts(w).dotWithQuantized(r, read, t);
                    double u = new QuantizedProducts(up).dotWithQuantized(r, read, t);
                    double expected = g / (1 + Math.exp(-g)) * u;
                    // each factor within 1e-5 of its scale, so the product within 1e-5 of both (silu' <= 1.1)
                    double tolerance = 2.2e-5 * (1 + Math.abs(g)) * (1 + Math.abs(u));
                    assertThat((double) y[t * ROWS + r]).as("%s split %d row %d token %d", gated.name(), split, r, t).isCloseTo(expected, offset(tolerance));
                }
            }
            }
            }
            } finally {
                walking.forEach(ClKernel::close);
            }
        }
    }

    /**
     * The gated kernel writing its output as Q8 activations for the down projection: the last work-group of each
     * 32-row group to finish quantizes it, for every split (16 down to 2 rows a work-group) and for more tokens than
     * one pass holds. Afterwards every arrival count is zero again, and a second launch gives the same result.
     */
    @ParameterizedTest(name = "{0} {1} tokens")
    @CsvSource({"Q4_0, 1", "Q4_0, 9", "Q8_0, 3"})
    void gatedKernelQuantizesItsOutputForTheDownProjection(GgmlType type, int tokens) {
        int rows = 96;
        PackedTestMatrix gate = PackedTestMatrix.random(type, rows, COLUMNS, 21, false);
        PackedTestMatrix up = PackedTestMatrix.random(type, rows, COLUMNS, 22, false);
        float[] x = activations(tokens, 23);
        try (Arena arena = Arena.ofConfined();
             ClBuffer gates = DeviceArrays.upload(cl, arena, "gate", gate.bytes());
             ClBuffer ups = DeviceArrays.upload(cl, arena, "up", up.bytes());
             Q8TestActivations.OnDevice input = Q8TestActivations.quantized(cl, arena, x, tokens, COLUMNS);
             ClBuffer ys = cl.allocate("y", 4L * tokens * rows);
             ClBuffer yq = cl.allocate("yq", (long) tokens * rows);
             ClBuffer yd = cl.allocate("yd", 8L * tokens * rows / 32);
             ClBuffer arrivals = DeviceArrays.upload(cl, arena, "arrivals", new byte[4 * tokens * rows / 32])) {
            ClBuffer xq = input.quants();
            ClBuffer xd = input.scales();
            // a single token's also through the single-token build's kernel
            String suffix = gate.suffix();
            List<String> names = tokens == 1 && !width(1).isEmpty()
                    ? List.of("kernel_mul_mv_gluq_" + suffix, "kernel_mul_mv_gluq_" + suffix + width(1))
                    : List.of("kernel_mul_mv_gluq_" + suffix);
            for (String name : names) {
            try (ClKernel glu = cl.kernels().create(name)) {
            for (int split = 1; split <= Tuning.PACKED_WARPS; split *= 2) {
                Q8TestActivations.gatedArgs(glu, gates, ups, gate.rowBytes(), rows, COLUMNS, xq, xd, ys, tokens, split)
                        .arg(12, yq).arg(13, yd).arg(14, arrivals).arg(15, 1);
                byte[] first = null;
                for (int launch = 0; launch < 2; launch++) {
                    Q8TestActivations.runRows(glu, rows, split, true);
                    float[] y = DeviceArrays.floats(cl, arena, ys, tokens * rows);
                    Quantized quantized = Q8TestActivations.download(cl, arena, yq, yd, tokens, rows);
                    assertQuantizationOf(y, quantized, tokens, rows);
                    assertThat(DeviceArrays.ints(cl, arena, arrivals, tokens * rows / 32)).as("arrival counts, split %d", split).containsOnly(0);
                    if (first == null) {
                        first = quantized.q();
                    } else {
                        assertThat(quantized.q()).as("%s second launch, split %d", glu.name(), split).isEqualTo(first);
                    }
                }
            }
            }
            }
        }
    }

    /** What the integer kernels compute from the quants they read, in double, and the bounds around it. */
    private record QuantizedProducts(PackedTestMatrix w) {

        /** d_w * d_x * (integer dot of the quants) of group g: one term of what the kernel sums. */
        double term(int row, Quantized x, int token, int g) {
            long integer = 0;
            for (int i = 0; i < 32; i++) {
                integer += (long) w.quant(row, g * 32 + i) * x.q()[token * COLUMNS + g * 32 + i];
            }
            return w.scale(row, g) * x.d()[token * GROUPS + g] * integer;
        }

        /** What the kernel computes, in double. */
        double dotWithQuantized(int row, Quantized x, int token) {
            double sum = 0;
            for (int g = 0; g < GROUPS; g++) {
                sum += term(row, x, token, g);
            }
            return sum;
        }

        /** sum over groups of |term|: the scale of float32 rounding in the kernel's sum. */
        double magnitudeWithQuantized(int row, Quantized x, int token) {
            double sum = 0;
            for (int g = 0; g < GROUPS; g++) {
                sum += Math.abs(term(row, x, token, g));
            }
            return sum;
        }

        /** The largest change quantizing x can make to this row's product: sum over groups of d / 2 x sum |w|. */
        double quantizationBound(int row, Quantized x, int token) {
            double bound = 0;
            for (int g = 0; g < GROUPS; g++) {
                double weights = 0;
                for (int i = 0; i < 32; i++) {
                    weights += Math.abs(w.weight(row, g * 32 + i));
                }
                bound += x.d()[token * GROUPS + g] / 2 * weights;
            }
            return bound;
        }
    }
}
