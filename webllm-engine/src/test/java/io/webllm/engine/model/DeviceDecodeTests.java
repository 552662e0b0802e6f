package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.KernelLibrary;
import io.webllm.engine.sampling.Sampler;
import io.webllm.engine.sampling.SamplingParams;
import io.webllm.engine.sampling.SamplingState;
import io.webllm.engine.tensor.GgmlType;
import io.webllm.engine.testing.TestDevices;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A greedy decode whose tokens are picked on the device and fed to the next pass without the host (DeviceDecode,
 * greedy.cl) produces the tokens of the host's own loop: forward a token, argmax its logits, feed the result.
 */
class DeviceDecodeTests {

    @TempDir
    Path temp;

    @ParameterizedTest(name = "lookahead {0}")
    @ValueSource(ints = {1, 3, 16})
    void devicePicksTheTokensTheHostPicks(int lookahead) {
        withModel(ModelShape.TINY_QWEN2, GgmlType.Q8_0, 21, transformer -> {
            int first = promptAndFirstToken(transformer);
            int[] host = hostLoop(transformer, first, 24);
            int[] device = new int[24];
            try (DeviceDecode decode = transformer.greedyDecode(first, PROMPT.length, 0, transformer.config().vocabularySize(), 24, lookahead)) {
                for (int i = 0; i < device.length; i++) {
                    assertThat(decode.hasNext()).isTrue();
                    device[i] = decode.next()[0];
                }
                assertThat(decode.hasNext()).as("24 passes given").isFalse();
                assertThat(decode.taken()).isEqualTo(24);
            }
            assertThat(device).containsExactly(host);
        });
    }

    /**
     * A decode closed early leaves the model usable, and the sequence goes on from the tokens it took: the passes
     * still in flight when it closed wrote keys and values past that point, which the next passes overwrite.
     */
    @Test
    void aDecodeClosedEarlyLeavesTheSequenceWhereItsTakenTokensEnd() {
        withModel(ModelShape.TINY_LLAMA3, GgmlType.Q4_0, 22, transformer -> {
            int first = promptAndFirstToken(transformer);
            int[] host = hostLoop(transformer, first, 12);
            int[] taken = new int[5];
            try (DeviceDecode decode = transformer.greedyDecode(first, PROMPT.length, 0, transformer.config().vocabularySize(), 100, 4)) {
                for (int i = 0; i < taken.length; i++) {
                    taken[i] = decode.next()[0];
                }
                assertThatThrownBy(() -> transformer.forward(Batch.sequence(new int[] {1}, 0, 1)))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("device decode is running");
            }
            assertThat(taken).containsExactly(Arrays.copyOf(host, 5));
            // the host goes on from the fifth token at its position: its passes overwrite what the closed decode's
            // three passes in flight wrote there
            int token = taken[4];
            for (int i = 5; i < host.length; i++) {
                token = Sampler.argmax(transformer.forward(Batch.sequence(new int[] {token}, PROMPT.length + i, 0)));
                assertThat(token).as("token %d", i).isEqualTo(host[i]);
            }
            // and a second greedy decode takes over where the host stopped
            int[] more;
            try (DeviceDecode decode = transformer.greedyDecode(host[host.length - 1], PROMPT.length + host.length, 0,
                    transformer.config().vocabularySize(), 3, 2)) {
                more = new int[] {decode.next()[0], decode.next()[0], decode.next()[0]};
            }
            assertThat(more).containsExactly(hostLoopFrom(transformer, host[host.length - 1], PROMPT.length + host.length, 3));
        });
    }

    /** The cache's end bounds a decode, whatever it was asked for. */
    @Test
    void aDecodeStopsAtTheEndOfTheContext() {
        withModel(ModelShape.TINY_QWEN2, GgmlType.Q8_0, 23, transformer -> {
            // the cache filled up to where the decode starts
            int[] prompt = new java.util.SplittableRandom(4).ints(CONTEXT - 3, 3, 500).toArray();
            int first = Sampler.argmax(transformer.forward(Batch.sequence(prompt, 0, 0)));
            try (DeviceDecode decode = transformer.greedyDecode(first, CONTEXT - 3, 0, transformer.config().vocabularySize(), 50, 3)) {
                decode.next();
                decode.next();
                decode.next();
                assertThat(decode.hasNext()).isFalse();
                assertThatThrownBy(decode::next).isInstanceOf(java.util.NoSuchElementException.class).hasMessageContaining("3 passes");
            }
            assertThatThrownBy(() -> transformer.greedyDecode(first, CONTEXT, 0, 10, 1, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the context");
            assertThatThrownBy(() -> transformer.greedyDecode(first, 0, 0, transformer.config().vocabularySize() + 1, 1, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("picks from 1 to");
        });
    }

    /**
     * The kernel alone: the lowest id among equal maxima, only the first {@code limit} logits, the next position, and
     * its reports of NaN and of a row of -inf; each row of a pass on its own.
     */
    @Test
    void theKernelPicksTheLowestIdOfTheMaximumWithinTheLimit() {
        try (ClContext cl = TestDevices.open()) {
            int vocabulary = 70_001;
            float[] logits = new float[2 * vocabulary];
            java.util.SplittableRandom random = new java.util.SplittableRandom(5);
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) random.nextDouble(-10, 10);
            }
            logits[41_337] = 12f;
            logits[60_001] = 12f; // a tie, later id
            logits[69_999] = 50f; // past the limit
            logits[vocabulary + 7] = 11f; // the second row's own maximum
            assertThat(pick(cl, logits, vocabulary, 69_000)).containsExactly(41_337, 7, 8, 19, 41_337, 0, 7, 0);
            logits[41_337] = Float.NaN;
            assertThat(pick(cl, logits, vocabulary, 69_000)).as("NaN reported, the rest picked")
                    .containsExactly(60_001, 7, 8, 19, 60_001, 1, 7, 0);
            Arrays.fill(logits, 0, vocabulary, Float.NEGATIVE_INFINITY);
            assertThat(pick(cl, logits, vocabulary, 69_000)).as("nothing to pick: token 0 fed, -1 reported")
                    .containsExactly(0, 7, 8, 19, -1, 0, 7, 0);
        }
    }

    /**
     * Runs kernel_greedy_next on two rows of {@code logits}: the token ids the next pass reads, its positions (7 and
     * 18 before), and the reports of both rows (token, NaN flag).
     */
    private static int[] pick(ClContext cl, float[] logits, int rowStride, int limit) {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            ClBuffer tokenIds = DeviceArrays.upload(cl, arena, "token ids", new int[] {99, 98});
            ClBuffer positions = DeviceArrays.upload(cl, arena, "positions", new int[] {7, 18});
            ClBuffer status = DeviceArrays.upload(cl, arena, "status", new int[] {-5, -5, -5, -5});
            ClKernel kernel = cl.kernels().create("kernel_greedy_next").arg(0, DeviceArrays.upload(cl, arena, "logits", logits))
                    .arg(1, limit).arg(2, rowStride).arg(3, tokenIds).arg(4, positions).arg(5, status);
            kernel.run(2 * 256, 256);
            int[] ids = DeviceArrays.ints(cl, arena, tokenIds, 2);
            int[] next = DeviceArrays.ints(cl, arena, positions, 2);
            int[] reported = DeviceArrays.ints(cl, arena, status, 4);
            return new int[] {ids[0], ids[1], next[0], next[1], reported[0], reported[1], reported[2], reported[3]};
        }
    }

    /** Three sequences in one decode: each gets the tokens the host's batched loop picks for it. */
    @Test
    void severalSequencesDecodeTogether() {
        withModel(ModelShape.TINY_QWEN2, GgmlType.Q8_0, 24, transformer -> {
            int[] slots = {2, 0, 1};
            int[] starts = new int[3];
            int[] firsts = new int[3];
            for (int s = 0; s < 3; s++) {
                int[] prompt = new java.util.SplittableRandom(10 + s).ints(5 + 3 * s, 3, 500).toArray();
                firsts[s] = Sampler.argmax(transformer.forward(Batch.sequence(prompt, 0, slots[s])));
                starts[s] = prompt.length;
            }
            int vocabulary = transformer.config().vocabularySize();
            int[][] host = new int[10][];
            int[] tokens = firsts.clone();
            for (int step = 0; step < host.length; step++) {
                int[] positions = new int[3];
                for (int s = 0; s < 3; s++) {
                    positions[s] = starts[s] + step;
                }
                float[] logits = transformer.forward(new Batch(tokens, positions, slots, new int[] {0, 1, 2}));
                for (int s = 0; s < 3; s++) {
                    tokens[s] = Sampler.argmax(Arrays.copyOfRange(logits, s * vocabulary, (s + 1) * vocabulary));
                }
                host[step] = tokens.clone();
            }
            try (DeviceDecode decode = transformer.greedyDecode(firsts, starts, slots, vocabulary, host.length, 3)) {
                for (int[] expected : host) {
                    assertThat(decode.next()).containsExactly(expected);
                }
            }
            assertThatThrownBy(() -> transformer.greedyDecode(firsts, starts, new int[] {1, 0, 1}, vocabulary, 1, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slot 1 appears twice");
        });
    }

    /** Runs {@code test} on a synthetic model of this shape, type and seed, loaded on the test device. */
    /**
     * Sequences drawn on the device (sample.cl: temperature, min-p, top-k with top-p through the truncating kernel, and
     * repetition with frequency penalties from the counts the kernels keep)
     * alongside a greedy one give the tokens the host's loop gives: the same
     * passes, each sequence's token drawn by LogitSampler from its row with its own seed and draw count, and the
     * device decode starting at a sequence's third draw as the scheduler would after two host-drawn tokens.
     * stories260K: a trained model's logits leave the draws room (a synthetic model's are so peaked that every draw
     * is its argmax).
     */
    @Test
    void sampledSequencesDrawTheHostSamplersTokens() {
        try (GgufFile file = GgufFile.open(io.webllm.engine.testing.TestData.model("stories260K.gguf"));
             ClContext cl = TestDevices.open();
             Transformer transformer = Transformer.load(file, cl, new Transformer.Options(CONTEXT, 5, 16, KernelLibrary.Variant.GPU, true),
                     LoadListener.NONE)) {
            int[] slots = {0, 1, 2, 3, 4};
            SamplingParams[] params = {SamplingParams.builder().temperature(0).build(),
                    SamplingParams.builder().temperature(0.9).seed(5L).build(),
                    SamplingParams.builder().temperature(1.1).minP(0.1).seed(6L).build(),
                    SamplingParams.builder().temperature(0.8).topK(20).topP(0.9).seed(7L).build(),
                    SamplingParams.builder().temperature(0.9).repetitionPenalty(1.3).frequencyPenalty(0.5).seed(8L).build()};
            int n = slots.length;
            int vocabulary = transformer.config().vocabularySize();
            SamplingState[] states = new SamplingState[n];
            int[] starts = new int[n];
            int[] firsts = new int[n];
            for (int s = 0; s < n; s++) {
                // as a Sequence keeps it: the prompt seen, then two tokens drawn on the host and accepted
                states[s] = SamplingState.create(params[s], vocabulary);
                int[] prompt = new java.util.SplittableRandom(20 + s).ints(4 + 2 * s, 3, 500).toArray();
                states[s].acceptPrompt(prompt);
                int first = Sampler.standard().sample(transformer.forward(Batch.sequence(prompt, 0, slots[s])), states[s]);
                states[s].accept(first);
                firsts[s] = Sampler.standard().sample(transformer.forward(Batch.sequence(new int[] {first}, prompt.length, slots[s])), states[s]);
                states[s].accept(firsts[s]);
                starts[s] = prompt.length + 1;
            }
            // the device decode starts from copies of the states; the host's loop below goes on with the states
            DeviceDraw[] draws = new DeviceDraw[n];
            SamplingState[] hostStates = states;
            for (int s = 0; s < n; s++) {
                draws[s] = DeviceDraw.of(states[s], vocabulary);
            }
            assertThat(draws[1].firstDraw()).isEqualTo(2);
            assertThat(draws[3].truncates()).isTrue();
            int[][] host = new int[12][];
            int[] tokens = firsts.clone();
            for (int step = 0; step < host.length; step++) {
                int[] positions = new int[n];
                for (int s = 0; s < n; s++) {
                    positions[s] = starts[s] + step;
                }
                float[] logits = transformer.forward(new Batch(tokens, positions, slots, new int[] {0, 1, 2, 3, 4}));
                for (int s = 0; s < n; s++) {
                    tokens[s] = Sampler.standard().sample(Arrays.copyOfRange(logits, s * vocabulary, (s + 1) * vocabulary), hostStates[s]);
                    hostStates[s].accept(tokens[s]);
                }
                host[step] = tokens.clone();
            }
            try (DeviceDecode decode = transformer.deviceDecode(firsts, starts, slots, draws, vocabulary, host.length, 3)) {
                for (int[] expected : host) {
                    assertThat(decode.next()).containsExactly(expected);
                }
            }
            assertThat(Arrays.stream(host).mapToInt(step -> step[1]).distinct().count()).as("sampled tokens vary: %s", Arrays.deepToString(host)).isGreaterThan(3);
        }
    }

    private void withModel(ModelShape shape, GgmlType type, long seed, java.util.function.Consumer<Transformer> test) {
        Path model = temp.resolve(type + "-" + seed + ".gguf");
        new SyntheticModelWriter(shape, type, seed).write(model);
        try (GgufFile file = GgufFile.open(model);
             ClContext cl = TestDevices.open();
             Transformer transformer = Transformer.load(file, cl, options(), LoadListener.NONE)) {
            test.accept(transformer);
        }
    }

    private static final int CONTEXT = 64;
    private static final int[] PROMPT = {5, 17, 300, 41, 9, 230, 77};

    private static Transformer.Options options() {
        return new Transformer.Options(CONTEXT, 3, 16, KernelLibrary.Variant.GPU, true);
    }

    private static int promptAndFirstToken(Transformer transformer) {
        return Sampler.argmax(transformer.forward(Batch.sequence(PROMPT, 0, 0)));
    }

    private static int[] hostLoop(Transformer transformer, int first, int steps) {
        return hostLoopFrom(transformer, first, PROMPT.length, steps);
    }

    /** Feeds {@code token} at {@code position} and each argmax after it: the next {@code steps} tokens. */
    private static int[] hostLoopFrom(Transformer transformer, int token, int position, int steps) {
        int[] tokens = new int[steps];
        for (int i = 0; i < steps; i++) {
            token = tokens[i] = Sampler.argmax(transformer.forward(Batch.sequence(new int[] {token}, position + i, 0)));
        }
        return tokens;
    }
}
