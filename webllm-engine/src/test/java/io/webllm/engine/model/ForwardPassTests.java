package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.KernelLibrary.Variant;
import io.webllm.engine.tensor.GgmlType;
import io.webllm.engine.testing.TestDevices;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
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
 */
class ForwardPassTests {

    /**
     * 39 tokens: prefill in chunks of 32 and 7 runs both the matrix-matrix and the matrix-vector GPU kernels, and the
     * CPU kernels that block 4 tokens on a count that is not a multiple of 4.
     */
    private static final int[] PROMPT = java.util.stream.IntStream.concat(java.util.stream.IntStream.of(1, 17, 300, 42, 42, 99),
            new java.util.SplittableRandom(3).ints(33, 3, 512)).toArray();
    private static final int CONTEXT = 128;

    @TempDir
    static Path models;
    static ClContext cl;

    @BeforeAll
    static void openDevice() {
        cl = TestDevices.open();
    }

    @AfterAll
    static void closeDevice() {
        cl.close();
    }

    /** The two kernel variants every case runs with. */
    static final List<Variant> VARIANTS = List.of(Variant.GPU, Variant.CPU);

    static Stream<Arguments> shapesAndTypes() {
        List<Arguments> cases = new ArrayList<>();
        for (Variant variant : VARIANTS) {
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
    void prefillAndGreedyDecodeMatchTheReference(ModelShape shape, GgmlType type, Variant variant) {
        Path path = models.resolve(shape.id() + "-" + type + ".gguf");
        if (!java.nio.file.Files.exists(path)) {
            new SyntheticModelWriter(shape, type, 42).write(path);
        }
        try (GgufFile file = GgufFile.open(path);
             Transformer model = Transformer.load(file, cl, new Transformer.Options(CONTEXT, 1, 32, variant), LoadListener.NONE)) {
            ReferenceTransformer reference = new ReferenceTransformer(file, CONTEXT);
            // prefill in chunks of 32 and 7 (the batch limit here) with logits for every position
            float[] batched = model.forward(Batch.sequence(PROMPT, 0, 0, true));
            int vocab = model.config().vocabularySize();
            float[] last = null;
            for (int i = 0; i < PROMPT.length; i++) {
                last = reference.forward(PROMPT[i], i);
                assertClose(java.util.Arrays.copyOfRange(batched, i * vocab, (i + 1) * vocab), last, "prompt position " + i);
            }
            // greedy continuation: identical token by token, logits within tolerance at every step
            int position = PROMPT.length;
            int token = StoriesGreedyTests.argmax(last);
            for (int step = 0; step < 64; step++) {
                float[] device = model.forward(Batch.sequence(new int[] {token}, position, 0));
                float[] expected = reference.forward(token, position);
                assertClose(device, expected, "decode step " + step);
                int deviceNext = StoriesGreedyTests.argmax(device);
                assertThat(deviceNext).as("greedy token at step %d", step).isEqualTo(StoriesGreedyTests.argmax(expected));
                token = deviceNext;
                position++;
            }
        }
    }

    /** Chunks of 18, 18 and 3 tokens: the matrix-matrix GPU kernel and the 4-token CPU kernel with a partial tail. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("architectures")
    void batchedPrefillEqualsSingleTokenSteps(ModelShape shape, Variant variant) {
        Path path = models.resolve(shape.id() + "-steps.gguf");
        if (!java.nio.file.Files.exists(path)) {
            new SyntheticModelWriter(shape, GgmlType.Q8_0, 7).write(path);
        }
        try (GgufFile file = GgufFile.open(path);
             Transformer batched = Transformer.load(file, cl, new Transformer.Options(CONTEXT, 2, 18, variant), LoadListener.NONE)) {
            float[] all = batched.forward(Batch.sequence(PROMPT, 0, 0, true));
            int vocab = batched.config().vocabularySize();
            for (int i = 0; i < PROMPT.length; i++) {
                // the same tokens one at a time, in the other cache slot of the same model
                float[] single = batched.forward(Batch.sequence(new int[] {PROMPT[i]}, i, 1));
                assertClose(single, java.util.Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab), "position " + i);
            }
        }
    }

    /** Attention splits positions into chunks of 128 and combines them: long sequences must still match. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("architectures")
    void longSequencesSpanningAttentionChunksMatchTheReference(ModelShape shape, Variant variant) {
        Path path = models.resolve(shape.id() + "-long.gguf");
        if (!java.nio.file.Files.exists(path)) {
            new SyntheticModelWriter(shape, GgmlType.Q8_0, 11).write(path);
        }
        int[] prompt = new java.util.SplittableRandom(5).ints(300, 3, 512).toArray();
        try (GgufFile file = GgufFile.open(path);
             Transformer model = Transformer.load(file, cl, new Transformer.Options(400, 1, 64, variant), LoadListener.NONE)) {
            ReferenceTransformer reference = new ReferenceTransformer(file, 400);
            float[] deviceLogits = model.forward(Batch.sequence(prompt, 0, 0));
            float[] expected = null;
            for (int i = 0; i < prompt.length; i++) {
                expected = reference.forward(prompt[i], i);
            }
            assertClose(deviceLogits, expected, "after a 300-token prompt");
            int token = StoriesGreedyTests.argmax(expected);
            for (int position = prompt.length; position < prompt.length + 8; position++) {
                float[] device = model.forward(Batch.sequence(new int[] {token}, position, 0));
                float[] reference1 = reference.forward(token, position);
                assertClose(device, reference1, "decode at position " + position);
                token = StoriesGreedyTests.argmax(reference1);
            }
        }
    }

    static Stream<Arguments> architectures() {
        return VARIANTS.stream().flatMap(variant -> Stream.of(ModelShape.TINY, ModelShape.TINY_LLAMA3, ModelShape.TINY_QWEN2,
                ModelShape.TINY_QWEN3).map(shape -> Arguments.of(shape, variant)));
    }

    static void assertClose(float[] actual, float[] expected, String where) {
        assertThat(actual).hasSameSizeAs(expected);
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
        }
        assertThat(maxDiff).as("largest logit difference at %s (largest logit %.3f)", where, maxAbs)
                .isLessThanOrEqualTo(1e-3 * (1 + maxAbs));
    }
}
