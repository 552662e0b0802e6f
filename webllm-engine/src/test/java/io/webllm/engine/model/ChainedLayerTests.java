package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.KernelLibrary;
import io.webllm.engine.opencl.Tuning;
import io.webllm.engine.tensor.GgmlType;
import io.webllm.engine.testing.TestDevices;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A single stream's decode with each layer's o, gated and down products and the next layer's q/k/v product chained
 * into one launch (Options.chainedLayers; mul_mv_q8.cl, kernel_chain_ffn_*) computes exactly what the separate
 * launches compute: the same product bodies with the same arguments, the later products' work-groups waiting on the
 * earlier ones' done counts. Across 40 decode steps, so that the chain's counts must be back at zero after every
 * launch; a prompt pass (not chained) between them; and a step of two sequences, which takes the separate launches.
 */
class ChainedLayerTests {

    @TempDir
    Path temp;

    @Test
    void chainedQ4DecodeGivesTheLogitsOfSeparateLaunches() {
        assertChainedDecodeMatches(ModelShape.TINY_LLAMA3, GgmlType.Q4_0, 11);
    }

    /** Qwen2's shapes: q/k/v biases, tied embeddings. */
    @Test
    void chainedQ8DecodeGivesTheLogitsOfSeparateLaunches() {
        assertChainedDecodeMatches(ModelShape.TINY_QWEN2, GgmlType.Q8_0, 12);
    }

    /**
     * Down's rows here are two rounds of a split warp (72 Q8 groups): a chained product whose warps make more than one
     * round over their rows.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q8_0"})
    void chainedDecodeWithRowsOfSeveralRoundsGivesTheLogitsOfSeparateLaunches(GgmlType type) {
        assertChainedDecodeMatches(ModelShape.TINY_QWEN2_LONG_FFN, type, 14);
    }

    /**
     * The large models' chain (norms launched: tiny-wide's rows of 2,176 values): the gated product, the quantize of
     * its output and down as one launch (LaunchedNormChain, kernel_chain_glu_down_*), each product's work-groups
     * walking its row groups, one work-group a compute unit so that each walks several; every layer but the last.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q8_0"})
    void chainWithLaunchedNormsGivesTheLogitsOfSeparateLaunches(GgmlType type) {
        Path model = temp.resolve("wide-" + type + ".gguf");
        new SyntheticModelWriter(ModelShape.TINY_WIDE, type, 13).write(model);
        Run chained = run(model, options -> options.withLaunchedNormChain(1));
        Run separate = run(model, options -> options.withLaunchedNormChain(0));
        for (int i = 0; i < separate.logits().length; i++) {
            assertThat(chained.logits()[i]).as("pass %d", i).isEqualTo(separate.logits()[i]);
        }
        String suffix = type.name().toLowerCase(java.util.Locale.ROOT) + KernelLibrary.SINGLE_TOKEN;
        assertThat(separate.decodeProfile().keySet()).noneMatch(name -> name.startsWith("kernel_chain"));
        assertThat(chained.decodeProfile()).containsKey("kernel_chain_glu_down_" + suffix + " gated+quantize+down");
        assertThat(chained.decodeLaunches()).isEqualTo(separate.decodeLaunches() - 2 * (ModelShape.TINY_WIDE.layers() - 1));
    }

    /**
     * Q4_K_M's layers that keep down in Q6_K chain too (kernel_chain_glu_down_q4_k_q6_k: gate and up in Q4_K, down in
     * Q6_K): tiny-wide-k's layer 2, beside layers 0 and 1 of Q4_K throughout.
     */
    @Test
    void chainWithDownOfAnotherTypeGivesTheLogitsOfSeparateLaunches() {
        Path model = temp.resolve("wide-k.gguf");
        new SyntheticModelWriter(ModelShape.TINY_WIDE_K, WeightTypes.Q4_K_M, 16).write(model);
        Run chained = run(model, options -> options.withLaunchedNormChain(1));
        Run separate = run(model, options -> options.withLaunchedNormChain(0));
        for (int i = 0; i < separate.logits().length; i++) {
            assertThat(chained.logits()[i]).as("pass %d", i).isEqualTo(separate.logits()[i]);
        }
        assertThat(chained.decodeProfile()).containsKeys("kernel_chain_glu_down_q4_k_t1 gated+quantize+down",
                "kernel_chain_glu_down_q4_k_q6_k_t1 gated+quantize+down");
        assertThat(chained.decodeLaunches()).isEqualTo(separate.decodeLaunches() - 2 * (ModelShape.TINY_WIDE_K.layers() - 1));
    }

    /**
     * The launched-norm chain with the norms around it as its first and last stages (Options.withChainedNorms,
     * kernel_chain_norms_glu_down_*): the feed-forward norm, then the gated product, the quantize and down, then the
     * next layer's attention norm, which both write the Q8 activations the products after them read; bit for bit the
     * chain without them, two launches fewer a chained layer. Tiny-wide in Q4_0 and Q8_0 and tiny-wide-k in the Q4_K_M
     * mix (both chain kernels of its two kinds of layers).
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q8_0", "Q4_K"})
    void chainWithNormsGivesTheLogitsOfTheChainWithout(GgmlType type) {
        boolean mix = type == GgmlType.Q4_K;
        ModelShape shape = mix ? ModelShape.TINY_WIDE_K : ModelShape.TINY_WIDE;
        Path model = temp.resolve("wide-norms-" + type + ".gguf");
        if (mix) {
            new SyntheticModelWriter(shape, WeightTypes.Q4_K_M, 17).write(model);
        } else {
            new SyntheticModelWriter(shape, type, 18).write(model);
        }
        Run withNorms = run(model, options -> options.withLaunchedNormChain(1).withChainedNorms(true));
        Run without = run(model, options -> options.withLaunchedNormChain(1).withChainedNorms(false));
        for (int i = 0; i < without.logits().length; i++) {
            assertThat(withNorms.logits()[i]).as("pass %d", i).isEqualTo(without.logits()[i]);
        }
        String suffix = type.name().toLowerCase(java.util.Locale.ROOT) + KernelLibrary.SINGLE_TOKEN;
        assertThat(withNorms.decodeProfile()).containsKey("kernel_chain_norms_glu_down_" + suffix + " norm+gated+quantize+down+norm");
        if (mix) {
            assertThat(withNorms.decodeProfile()).containsKey("kernel_chain_norms_glu_down_q4_k_q6_k_t1 norm+gated+quantize+down+norm");
        }
        assertThat(withNorms.decodeProfile().keySet()).noneMatch(name -> name.startsWith("kernel_chain_glu_down"));
        // layer 0's attention norm and the last layer's feed-forward norm stay launches
        assertThat(withNorms.decodeProfile().get("kernel_rms_norm_q8")[1]).isEqualTo(2);
        assertThat(withNorms.decodeLaunches()).isEqualTo(without.decodeLaunches() - 2 * (shape.layers() - 1));
    }

    private void assertChainedDecodeMatches(ModelShape shape, GgmlType type, long seed) {
        Path model = temp.resolve(type + ".gguf");
        new SyntheticModelWriter(shape, type, seed).write(model);
        Run chained = run(model, options -> options.withChainedLayers(true));
        Run separate = run(model, options -> options.withChainedLayers(false));
        for (int i = 0; i < separate.logits().length; i++) {
            assertThat(chained.logits()[i]).as("pass %d", i).isEqualTo(separate.logits()[i]);
        }
        assertThat(separate.decodeProfile().keySet()).noneMatch(name -> name.startsWith("kernel_chain"));
        if (!Tuning.FUSE_NORM) {
            // -Dwebllm.fuse.norm=false: a norm launch follows o, so nothing chains
            assertThat(chained.decodeProfile().keySet()).noneMatch(name -> name.startsWith("kernel_chain"));
            return;
        }
        // embedding, layer 0's norm, then a layer's q/k/v with rope, attention, o, gated and down (the last down
        // applies the output norm), and the output product for the logits
        int layers = shape.layers();
        assertThat(separate.decodeLaunches()).isEqualTo(2 + 5 * layers + 1);
        String suffix = type.name().toLowerCase(java.util.Locale.ROOT) + KernelLibrary.SINGLE_TOKEN;
        // two layers: the first layer's chain takes the second's q/k/v product, the last layer's ends with down
        assertThat(chained.decodeProfile()).containsKeys("kernel_chain_ffn_qkv_" + suffix + " o+gated+down+qkv",
                "kernel_chain_ffn_" + suffix + " o+gated+down");
        assertThat(chained.decodeProfile().keySet()).noneMatch(name -> name.startsWith("kernel_mul_mv_gluq"));
        // layer 0's q/k/v, then attention and the chain a layer: Qwen2.5-0.5B (24 layers) makes 52 launches a token,
        // not 123
        assertThat(chained.decodeLaunches()).isEqualTo(3 + 2 * layers + 1);
        assertThat(chained.decodeProfile().entrySet()).filteredOn(entry -> entry.getKey().startsWith("kernel_mul_mvq_rope"))
                .as("q/k/v launches of a decode step: the first layer's").singleElement()
                .satisfies(entry -> assertThat(entry.getValue()[1]).isEqualTo(1));
    }

    /** Logits of every pass, the kernels of one decode step, and how many launches a decode step makes. */
    private record Run(float[][] logits, Map<String, double[]> decodeProfile, int decodeLaunches) {
    }

    /** A 20-token prompt, 40 decode steps, a second prompt in slot 1, then a step of both sequences. */
    private static Run run(Path model, java.util.function.UnaryOperator<Transformer.Options> chaining) {
        try (GgufFile file = GgufFile.open(model);
             ClContext cl = TestDevices.open();
             Transformer transformer = Transformer.load(file, cl,
                     chaining.apply(new Transformer.Options(96, 2, 32, KernelLibrary.Variant.GPU, true)), LoadListener.NONE)) {
            int[] prompt = new java.util.SplittableRandom(3).ints(20, 3, 512).toArray();
            float[][] logits = new float[43][];
            logits[0] = transformer.forward(Batch.sequence(prompt, 0, 0));
            int token = StoriesGreedyTests.argmax(logits[0]);
            Map<String, double[]> profile = Map.of();
            for (int i = 1; i <= 40; i++) {
                if (i == 2) {
                    transformer.profile(true);
                }
                logits[i] = transformer.forward(Batch.sequence(new int[] {token}, prompt.length + i - 1, 0));
                if (i == 2) {
                    profile = transformer.profile(false);
                }
                token = StoriesGreedyTests.argmax(logits[i]);
            }
            logits[41] = transformer.forward(Batch.sequence(prompt, 0, 1));
            logits[42] = transformer.forward(new Batch(new int[] {token, 7}, new int[] {60, 20}, new int[] {0, 1}, new int[] {0, 1}));
            return new Run(logits, profile, transformer.launchesPerPass(1, 1));
        }
    }
}
