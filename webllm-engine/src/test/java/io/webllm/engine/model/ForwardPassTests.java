package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.KernelLibrary.Variant;
import io.webllm.engine.opencl.Tuning;
import io.webllm.engine.tensor.GgmlType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The OpenCL forward pass against the plain-Java reference, for every architecture and weight type, on synthetic
 * models of the tiny shapes, with each variant of the matrix kernels (GPU and CPU shapes; both are built for every
 * device, so CI's PoCL checks the GPU kernels too).
 *
 * <p>Tolerance: logits may differ by at most 1e-3 x (1 + the largest reference logit). Both sides dequantize the
 * same bytes exactly, so what remains is float32 summation order (the kernels) against double sums (the reference):
 * observed differences are around 1e-5 relative, so the bound has two orders of margin and still catches any wrong
 * weight, scale or rotation, which move logits by whole units.
 *
 * <p>With Q8 activations (the GPU default) the reference quantizes the same inputs the engine does (the input of
 * every Q4_0/Q8_0 product, matrix-vector and matrix-matrix alike, of Q4_K/Q6_K products in matrix-vector passes, and
 * of the output matrix), with the same rounding.
 * What remains are inputs near a rounding boundary, which the two sides round to neighbouring steps (max|x| / 127 apart) once float
 * summation order has moved them a little, and the synthetic models' random weights amplify such steps through the
 * layers. Measured over 1,472 decode steps: mean 0.05% of 1 + the largest logit, max 1.2% (against a reference that
 * does not quantize: mean 0.12%, max 1.6%). Those cases are held to 2e-2 x (1 + the largest logit), and still to
 * identical greedy tokens, but where the reference's two best logits are within twice that of each other (seen once
 * in 64 steps of a case, a gap of 0.7% of the largest logit: either token is then as right as the tolerance can tell).
 * The kernels' own arithmetic is held to 1e-5 in {@link Q8ActivationKernelTests} and {@link Q8MatrixMatrixKernelTests}.
 */
class ForwardPassTests extends OnTestDevice {

    /**
     * 39 tokens: prefill in chunks of 32 and 7 runs both the matrix-matrix and the matrix-vector GPU kernels, and the
     * CPU kernels that block 4 tokens on a count that is not a multiple of 4.
     */
    private static final int[] PROMPT = java.util.stream.IntStream.concat(java.util.stream.IntStream.of(1, 17, 300, 42, 42, 99),
            new java.util.SplittableRandom(3).ints(33, 3, 512)).toArray();
    private static final int CONTEXT = 128;

    @TempDir
    static Path models;
    /** A kernel variant, and for the GPU one whether Q4_0/Q8_0 products take Q8 activations. */
    record Kernels(Variant variant, boolean q8) {
        Transformer.Options options(int context, int slots, int maxBatch) {
            return new Transformer.Options(context, slots, maxBatch, variant, q8);
        }

        /** Largest logit difference allowed, relative to 1 + the largest logit (see the class comment). */
        double tolerance() {
            return q8 ? 2e-2 : 1e-3;
        }

        @Override
        public String toString() {
            return variant == Variant.CPU ? "CPU" : q8 ? "GPU q8" : "GPU f32";
        }
    }

    /** The kernel choices every case runs with. */
    static final List<Kernels> VARIANTS = List.of(new Kernels(Variant.GPU, true), new Kernels(Variant.GPU, false),
            new Kernels(Variant.CPU, false));

    static Stream<Arguments> shapesAndTypes() {
        List<Arguments> cases = new ArrayList<>();
        for (Kernels variant : VARIANTS) {
            for (GgmlType type : GgmlType.values()) {
                if (type.supported()) {
                    cases.add(Arguments.of(ModelShape.TINY, type, variant));
                }
            }
            for (ModelShape shape : List.of(ModelShape.TINY_LLAMA3, ModelShape.TINY_QWEN2, ModelShape.TINY_QWEN3)) {
                for (GgmlType type : List.of(GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q6_K)) {
                    cases.add(Arguments.of(shape, type, variant));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("shapesAndTypes")
    void prefillAndDeviceDecodeMatchTheReference(ModelShape shape, GgmlType type, Kernels variant) {
        Path path = models.resolve(shape.id() + "-" + type + ".gguf");
        if (!java.nio.file.Files.exists(path)) {
            new SyntheticModelWriter(shape, type, 42).write(path);
        }
        assertPrefillAndDeviceDecodeMatchTheReference(cl, path, variant);
    }

    /**
     * A model whose rows are longer than the norms are deferred for (Tuning.DEFERRED_NORM_MAX_ROW) takes the 8B's
     * kernels: launched norms, the products with their loads ahead, and a quantize launch after the gated product
     * (Tuning.gatedQuantizes) where small models quantize in its tail.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q8_0", "Q4_K"})
    void wideModelsMatchTheReference(GgmlType type) {
        assertThat(Tuning.defersNorms(ModelShape.TINY_WIDE.embedding())).isFalse();
        assertThat(Tuning.gatedQuantizes(ModelShape.TINY_WIDE.embedding())).isFalse();
        Path path = models.resolve(ModelShape.TINY_WIDE.id() + "-" + type + ".gguf");
        new SyntheticModelWriter(ModelShape.TINY_WIDE, type, 13).write(path);
        assertPrefillAndDeviceDecodeMatchTheReference(cl, path, new Kernels(Variant.GPU, true));
    }

    /**
     * PROMPT prefilled in chunks of 32 and 7 (the batch limit here) with logits for every position, then 64 greedy
     * decode steps, each against the reference.
     */
    static void assertPrefillAndDeviceDecodeMatchTheReference(ClContext cl, Path path, Kernels variant) {
        int maxBatch = 32;
        try (GgufFile file = GgufFile.open(path);
             Transformer model = Transformer.load(file, cl, variant.options(CONTEXT, 1, maxBatch), LoadListener.NONE)) {
            ReferenceTransformer reference = new ReferenceTransformer(file, CONTEXT);
            float[] batched = model.forward(Batch.sequence(PROMPT, 0, 0, true));
            int vocab = model.config().vocabularySize();
            float[] last = null;
            for (int i = 0; i < PROMPT.length; i++) {
                last = reference.forward(PROMPT[i], i, variant.q8());
                assertClose(java.util.Arrays.copyOfRange(batched, i * vocab, (i + 1) * vocab), last, "prompt position " + i, variant.tolerance());
            }
            // greedy continuation: the same token at every step (but at ties within the tolerance), logits within tolerance
            int position = PROMPT.length;
            int token = StoriesGreedyTests.argmax(last);
            for (int step = 0; step < 64; step++) {
                float[] device = model.forward(Batch.sequence(new int[] {token}, position, 0));
                float[] expected = reference.forward(token, position, variant.q8());
                assertClose(device, expected, "decode step " + step, variant.tolerance());
                int deviceNext = StoriesGreedyTests.argmax(device);
                int expectedNext = StoriesGreedyTests.argmax(expected);
                if (deviceNext != expectedNext) {
                    // each of the two logits may move by the tolerance: only a tie that close may pick the other token
                    assertThat((double) expected[expectedNext] - expected[deviceNext]).as("greedy token at step %d: %d instead of %d", step, deviceNext, expectedNext)
                            .isLessThanOrEqualTo(2 * variant.tolerance() * (1 + maxAbs(expected)));
                }
                token = deviceNext;
                position++;
            }
        }
    }

    /**
     * Chunks of 34 and 5 tokens: the matrix-matrix GPU kernels (with Q8 activations the tiled integer ones, which
     * quantize exactly as the matrix-vector kernels do) then a partial 8-token pass of the matrix-vector ones, and
     * the 4-token CPU kernel with a partial tail.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("architectures")
    void batchedPrefillEqualsSingleTokenSteps(ModelShape shape, Kernels variant) {
        Path path = models.resolve(shape.id() + "-steps.gguf");
        if (!java.nio.file.Files.exists(path)) {
            new SyntheticModelWriter(shape, GgmlType.Q8_0, 7).write(path);
        }
        try (GgufFile file = GgufFile.open(path);
             Transformer batched = Transformer.load(file, cl, variant.options(CONTEXT, 2, 34), LoadListener.NONE)) {
            float[] all = batched.forward(Batch.sequence(PROMPT, 0, 0, true));
            int vocab = batched.config().vocabularySize();
            for (int i = 0; i < PROMPT.length; i++) {
                // the same tokens one at a time, in the other cache slot of the same model
                float[] single = batched.forward(Batch.sequence(new int[] {PROMPT[i]}, i, 1));
                assertClose(single, java.util.Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab), "position " + i, variant.tolerance());
            }
        }
    }

    /** Attention splits positions into chunks of 128 and combines them: long sequences must still match. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("architectures")
    void longSequencesSpanningAttentionChunksMatchTheReference(ModelShape shape, Kernels variant) {
        Path path = models.resolve(shape.id() + "-long.gguf");
        if (!java.nio.file.Files.exists(path)) {
            new SyntheticModelWriter(shape, GgmlType.Q8_0, 11).write(path);
        }
        int[] prompt = new java.util.SplittableRandom(5).ints(300, 3, 512).toArray();
        try (GgufFile file = GgufFile.open(path);
             Transformer model = Transformer.load(file, cl, variant.options(400, 1, 64), LoadListener.NONE)) {
            ReferenceTransformer reference = new ReferenceTransformer(file, 400);
            float[] deviceLogits = model.forward(Batch.sequence(prompt, 0, 0));
            float[] expected = null;
            for (int i = 0; i < prompt.length; i++) {
                // chunks of 64 and 44 through the matrix-matrix kernels; the last row's logits through the output
                expected = reference.forward(prompt[i], i, variant.q8());
            }
            assertClose(deviceLogits, expected, "after a 300-token prompt", variant.tolerance());
            int token = StoriesGreedyTests.argmax(expected);
            for (int position = prompt.length; position < prompt.length + 8; position++) {
                float[] device = model.forward(Batch.sequence(new int[] {token}, position, 0));
                float[] reference1 = reference.forward(token, position, variant.q8());
                assertClose(device, reference1, "decode at position " + position, variant.tolerance());
                token = StoriesGreedyTests.argmax(reference1);
            }
        }
    }

    static Stream<Arguments> architectures() {
        return VARIANTS.stream().flatMap(variant -> Stream.of(ModelShape.TINY, ModelShape.TINY_LLAMA3, ModelShape.TINY_QWEN2,
                ModelShape.TINY_QWEN3).map(shape -> Arguments.of(shape, variant)));
    }

    private static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    static void assertClose(float[] actual, float[] expected, String where) {
        assertClose(actual, expected, where, 1e-3);
    }

    static void assertClose(float[] actual, float[] expected, String where, double tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
        }
        assertThat(maxDiff).as("largest logit difference at %s (largest logit %.3f)", where, maxAbs)
                .isLessThanOrEqualTo(tolerance * (1 + maxAbs));
    }
}
