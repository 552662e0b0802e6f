package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.sampling.Sampler;
import io.webllm.engine.sampling.SamplingParams;
import io.webllm.engine.sampling.SamplingState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The device's draw (sample.cl) gives the token the host's sampler (sampling.LogitSampler) draws from the same logits
 * with the same settings, seed and draw index: temperatures below, at and above 1, min-p, top-k, top-p and their
 * combinations (kernel_sample_truncated_next, launched beside kernel_sample_next), the repetition, frequency and
 * presence penalties (the kernels update each row's seen tokens and counts as the host's state does), a greedy row
 * among sampled ones, a vocabulary that is no multiple of the work-group, -inf logits, ties, and 60 successive draws a
 * row (the kernel advances each row's draw index itself). Rows that a NaN or all -inf logits leave without a draw report it
 * as greedy.cl does.
 */
class SampleKernelTests extends OnTestDevice {

    private static final int VOCABULARY = 5_003;
    private static final int DRAWS = 60;

    private record Row(double temperature, int topK, double topP, double minP, double repetition, double frequency,
            double presence, long seed, int firstDraw) {

        Row(double temperature, double minP, long seed, int firstDraw) {
            this(temperature, 0, 1, minP, seed, firstDraw);
        }

        Row(double temperature, int topK, double topP, double minP, long seed, int firstDraw) {
            this(temperature, topK, topP, minP, 1, 0, 0, seed, firstDraw);
        }

        boolean penalized() {
            return repetition != 1 || frequency != 0 || presence != 0;
        }

        /** The draw as the engine hands it to the device (its penalties' inputs are the test's own buffers). */
        DeviceDraw draw() {
            return new DeviceDraw((float) temperature, topK, topP, minP,
                    new DeviceDraw.Penalties((float) repetition, (float) frequency, (float) presence, new long[0], new int[0]),
                    seed, firstDraw);
        }

        SamplingParams params() {
            return SamplingParams.builder().temperature(temperature).minP(minP).topK(topK).topP(topP)
                    .repetitionPenalty(repetition).frequencyPenalty(frequency).presencePenalty(presence).seed(seed).build();
        }

        /**
         * The row's sampling state before its first device draw: its earlier draws made (penalized rows: a prompt of
         * 40 tokens seen, and the earlier draws' tokens generated, some of them twice).
         */
        SamplingState state(int vocabulary) {
            SamplingState state = SamplingState.create(params(), vocabulary);
            SplittableRandom tokens = new SplittableRandom(seed);
            if (penalized()) {
                state.acceptPrompt(tokens.ints(40, 0, vocabulary).toArray());
            }
            for (int i = 0; i < firstDraw; i++) {
                state.acceptDrawn(penalized() ? tokens.nextInt(0, Math.min(vocabulary, 30)) : 0);
            }
            return state;
        }
    }

    /** Rows for kernel_sample_next (no top-k, top-p) and for kernel_sample_truncated_next, both launched over all. */
    private static final Row[] ROWS = {
            new Row(1.0, 0, 11, 0), new Row(0.7, 0, 12, 5), new Row(1.3, 0.05, 13, 0), new Row(0, 0, 0, 0),
            new Row(0.2, 0, 14, 2), new Row(1.0, 0.2, 15, 9),
            new Row(1.0, 40, 1, 0, 16, 0), new Row(0.8, 5, 0.8, 0, 17, 3), new Row(1.0, 0, 0.9, 0, 18, 0),
            new Row(1.2, 0, 0.5, 0.3, 19, 1), new Row(0.6, 50, 0.95, 0.05, 20, 0),
            // PEAKED rows: two tokens far above the rest, so that the top k reach past the kernel's widest distance
            new Row(1.0, 40, 0.9, 0, 21, 0), new Row(1.0, 3, 1, 0, 22, 0),
            // penalties (drawn kernels keep their counts): repetition; frequency and presence with top-k; greedy with
            // repetition (the argmax of the penalized logits); all three with top-p
            new Row(1.0, 0, 1, 0, 1.3, 0, 0, 23, 5), new Row(0.8, 40, 1, 0, 1, 0.7, 0.4, 24, 3),
            new Row(0, 0, 1, 0, 1.5, 0, 0, 25, 4), new Row(1.1, 0, 0.9, 0, 1.1, 0.3, 0.2, 26, 6)};
    private static final int PEAKED = 11;
    private static final int PENALIZED = 13;

    /** 5,003 ids with 13 rows of padding past the limit; 100 ids, fewer than a work-group's work-items. */
    @ParameterizedTest(name = "{0} ids, limit {1}")
    @CsvSource({"5003, 4990", "100, 100"})
    void deviceDrawsAreTheHostSamplersDraws(int vocabulary, int limit) {
        int rows = ROWS.length;
        float[] logits = new float[rows * vocabulary];
        SplittableRandom random = new SplittableRandom(7);
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < vocabulary; t++) {
                // a spread like a model's: most logits far below a few; some -inf, and repeated values (ties)
                double u = random.nextDouble();
                float v = (float) (u < 0.02 ? 8 + 4 * random.nextDouble() : 2 * random.nextGaussian());
                logits[r * vocabulary + t] = t % 97 == 0 ? Float.NEGATIVE_INFINITY : t % 89 == 0 ? 3.5f : v;
                if (r >= PEAKED) {
                    logits[r * vocabulary + t] = t == 77 % limit ? 200f : t == 78 % limit ? 199.5f : v;
                }
            }
        }
        int[][] device = new int[rows][DRAWS];
        int words = (vocabulary + 31) / 32;
        // each row's penalties' inputs where the device finds them: slot r's seen bits and counts
        int[] seen = new int[rows * words];
        int[] counts = new int[rows * vocabulary];
        for (int r = 0; r < rows; r++) {
            long[] bits = new long[(vocabulary + 63) / 64];
            int[] rowCounts = new int[vocabulary];
            ROWS[r].state(vocabulary).copyPenaltyState(bits, rowCounts);
            for (int w = 0; w < words; w++) {
                seen[r * words + w] = (int) (bits[w / 2] >>> (32 * (w % 2)));
            }
            System.arraycopy(rowCounts, 0, counts, r * vocabulary, vocabulary);
        }
        Launches launched = launch(java.util.List.of("kernel_sample_next", "kernel_sample_truncated_next"), logits, limit,
                vocabulary, ROWS, seen, counts, DRAWS);
        for (int d = 0; d < DRAWS; d++) {
            for (int r = 0; r < rows; r++) {
                device[r][d] = launched.status()[d][2 * r];
                assertThat(launched.status()[d][2 * r + 1]).as("NaN flag").isZero();
                assertThat(launched.fed()[d][r]).as("the token the next pass feeds").isEqualTo(device[r][d]);
            }
        }
        assertThat(launched.positions()).containsOnly(DRAWS);
        for (int r = 0; r < rows; r++) {
            Row row = ROWS[r];
            SamplingState state = row.state(vocabulary);
            int[] hostDraws = new int[DRAWS];
            for (int d = 0; d < DRAWS; d++) {
                float[] copy = java.util.Arrays.copyOfRange(logits, r * vocabulary, (r + 1) * vocabulary);
                java.util.Arrays.fill(copy, limit, vocabulary, Float.NEGATIVE_INFINITY);
                hostDraws[d] = Sampler.standard().sample(copy, state);
                state.accept(hostDraws[d]);
            }
            assertThat(device[r]).as("row %d: %s", r, row).containsExactly(hostDraws);
            // (the equality is the claim; this says it was not only argmaxes, where the rows leave room for more)
            if (vocabulary >= 1000 && (row.temperature() > 0.5 && row.topK() != 5 || r >= PEAKED)) {
                assertThat(java.util.Arrays.stream(hostDraws).distinct().count()).as("row %d draws vary", r)
                        .isGreaterThan(r >= PEAKED ? 1 : 5);
            }
        }
    }

    /**
     * A top-p cut over a flat distribution needs more candidates than the kernel sorts (and top-k 2,000 more than it
     * holds): the row reports -2, the host's to draw, without advancing its draw index; a row beside it draws.
     */
    @Test
    void aCutTooWideForTheDeviceIsLeftToTheHost() {
        float[] logits = new float[3 * VOCABULARY];
        SplittableRandom random = new SplittableRandom(8);
        for (int i = 0; i < logits.length; i++) {
            // the first two rows flat, the third spread as a model's
            logits[i] = (float) (i < 2 * VOCABULARY ? 0.01 * random.nextDouble() : 3 * random.nextGaussian());
        }
        Row[] rows = {new Row(1.0, 0, 0.9, 0, 1, 4), new Row(1.0, 2_000, 1, 0, 2, 4), new Row(1.0, 10, 1, 0, 3, 4)};
        Launches draw = launch(java.util.List.of("kernel_sample_truncated_next"), logits, VOCABULARY, VOCABULARY, rows,
                new int[1], new int[1], 1);
        assertThat(draw.status()[0][0]).as("flat top-p").isEqualTo(-2);
        assertThat(draw.status()[0][2]).as("top-k past the cap").isEqualTo(-2);
        assertThat(draw.status()[0][4]).as("top-k 10 draws").isBetween(0, VOCABULARY - 1);
        assertThat(draw.drawIndices()).as("draw indices: not advanced where left to the host").containsExactly(4, 4, 5);
    }

    /**
     * What launches of draw kernels reported: each launch's status (token and NaN flag a row) and the tokens it left
     * for the next pass, then each row's position and draw index.
     */
    private record Launches(int[][] status, int[][] fed, int[] positions, long[] drawIndices) {
    }

    /**
     * Launches {@code kernels}, in order, {@code launches} times over these rows of logits (row r in slot r, its
     * penalties' seen bits and counts at r's place of {@code seen} and {@code counts}).
     */
    private static Launches launch(java.util.List<String> kernels, float[] logits, int limit, int vocabulary, Row[] rows,
            int[] seen, int[] counts, int launches) {
        int n = rows.length;
        int[][] status = new int[launches][];
        int[][] fed = new int[launches][];
        try (Arena arena = Arena.ofConfined();
             ClBuffer logitRows = DeviceArrays.upload(cl, arena, "logits", logits);
             ClBuffer tokens = cl.allocate("tokens", 4L * n);
             ClBuffer positions = DeviceArrays.upload(cl, arena, "positions", new int[n]);
             ClBuffer reports = cl.allocate("status", 8L * n);
             ClBuffer params = cl.allocate("rows", (long) DevicePicks.SAMPLE_ROW_BYTES * n);
             ClBuffer seenBits = DeviceArrays.upload(cl, arena, "seen", seen);
             ClBuffer tokenCounts = DeviceArrays.upload(cl, arena, "counts", counts)) {
            MemorySegment host = arena.allocate((long) DevicePicks.SAMPLE_ROW_BYTES * n, 8);
            for (int r = 0; r < n; r++) {
                DevicePicks.writeSampleRow(host, r, rows[r].draw(), r);
            }
            cl.write(params, 0, host);
            java.util.List<ClKernel> created = new java.util.ArrayList<>();
            try {
                for (String name : kernels) {
                    created.add(cl.kernels().create(name).arg(0, logitRows).arg(1, limit).arg(2, vocabulary).arg(3, tokens)
                            .arg(4, positions).arg(5, reports).arg(6, params).arg(7, seenBits).arg(8, tokenCounts)
                            .arg(9, (vocabulary + 31) / 32).arg(10, vocabulary));
                }
                for (int d = 0; d < launches; d++) {
                    for (ClKernel kernel : created) {
                        kernel.run(256L * n, 256);
                    }
                    status[d] = DeviceArrays.ints(cl, arena, reports, 2 * n);
                    fed[d] = DeviceArrays.ints(cl, arena, tokens, n);
                }
            } finally {
                created.forEach(ClKernel::close);
            }
            cl.read(params, 0, host);
            cl.finish();
            long[] drawIndices = new long[n];
            for (int r = 0; r < n; r++) {
                drawIndices[r] = DevicePicks.drawIndex(host, r);
            }
            return new Launches(status, fed, DeviceArrays.ints(cl, arena, positions, n), drawIndices);
        }
    }

    @Test
    void aNaNOrNothingToDrawIsReported() {
        float[] logits = new float[2 * VOCABULARY];
        java.util.Arrays.fill(logits, 0, VOCABULARY, Float.NEGATIVE_INFINITY);
        logits[VOCABULARY + 17] = Float.NaN;
        Launches draw = launch(java.util.List.of("kernel_sample_next"), logits, VOCABULARY, VOCABULARY,
                new Row[] {new Row(0.8, 0, 1, 0), new Row(0.8, 0, 2, 0)}, new int[1], new int[1], 1);
        assertThat(draw.status()[0][0]).as("all -inf: no token").isEqualTo(-1);
        assertThat(draw.status()[0][3]).as("NaN flag").isEqualTo(1);
        assertThat(draw.fed()[0][0]).as("a valid id still fed").isZero();
    }
}
