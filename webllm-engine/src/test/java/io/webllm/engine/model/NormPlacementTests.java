package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.KernelLibrary;
import io.webllm.engine.tensor.GgmlType;
import io.webllm.engine.testing.TestDevices;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A decode whose norms run inside the products that read them (NormPlacement.IN_PRODUCTS: the stacked q/k/v product
 * with its rope, the gated product, the output product) computes bit for bit what the same decode with the norms
 * launched computes, and launches none of them: over 40 decode steps, a prompt pass (which launches its norms) and a
 * step of two sequences in between. Q4_K_M's layers with Q6_K values take three q/k/v products, each normalising.
 */
class NormPlacementTests {

    @TempDir
    Path temp;

    @Test
    void q4NormsInProductsGiveTheLogitsOfNormLaunches() {
        assertNormsInProductsMatch(ModelShape.TINY_LLAMA3, WeightTypes.uniform(GgmlType.Q4_0), 14, "q4_0");
    }

    /** Qwen2's shapes: q/k/v biases, tied embeddings (the output product reads the embedding matrix). */
    @Test
    void q8NormsInProductsGiveTheLogitsOfNormLaunches() {
        assertNormsInProductsMatch(ModelShape.TINY_QWEN2, WeightTypes.uniform(GgmlType.Q8_0), 15, "q8_0");
    }

    @Test
    void q4kMediumNormsInProductsGiveTheLogitsOfNormLaunches() {
        assertNormsInProductsMatch(ModelShape.TINY_LLAMA3, WeightTypes.Q4_K_M, 16, "q4_k");
    }

    private void assertNormsInProductsMatch(ModelShape shape, WeightTypes types, long seed, String gatedSuffix) {
        Path model = temp.resolve(seed + ".gguf");
        new SyntheticModelWriter(shape, types, seed).write(model);
        Run inProducts = run(model, NormPlacement.IN_PRODUCTS);
        Run launched = run(model, NormPlacement.LAUNCHED);
        for (int i = 0; i < launched.logits().length; i++) {
            assertThat(inProducts.logits()[i]).as("pass %d", i).containsExactly(launched.logits()[i]);
        }
        String one = KernelLibrary.SINGLE_TOKEN;
        // layer 0's attention norm, then after each layer's o the ffn norm and after its down the next attention norm
        assertThat(launched.decodeProfile().get("kernel_rms_norm_q8")[1]).isEqualTo(2 * shape.layers());
        assertThat(inProducts.decodeProfile()).doesNotContainKey("kernel_rms_norm_q8")
                .containsKey("kernel_mul_mv_gluq_normed_" + gatedSuffix + one);
        // and in the logits' part of the pass neither the gather nor the final norm
        assertThat(launched.decodeLaunches() - inProducts.decodeLaunches()).isEqualTo(2 * shape.layers() + 2);
    }

    /** Logits of every pass, the kernels of one decode step's layers, and how many launches a decode step makes. */
    private record Run(float[][] logits, Map<String, double[]> decodeProfile, int decodeLaunches) {
    }

    /** A 20-token prompt, 40 decode steps with a step of two sequences after the 20th, then a second prompt. */
    private static Run run(Path model, NormPlacement norms) {
        try (GgufFile file = GgufFile.open(model);
             ClContext cl = TestDevices.open();
             Transformer transformer = Transformer.load(file, cl, new Transformer.Options(96, 2, 32, KernelLibrary.Variant.GPU, true)
                     .withNorms(norms), LoadListener.NONE)) {
            int[] prompt = new java.util.SplittableRandom(5).ints(20, 3, 512).toArray();
            float[][] logits = new float[43][];
            logits[0] = transformer.forward(Batch.sequence(prompt, 0, 0));
            logits[1] = transformer.forward(Batch.sequence(prompt, 0, 1));
            int token = StoriesGreedyTests.argmax(logits[0]);
            Map<String, double[]> profile = Map.of();
            for (int i = 2; i <= 41; i++) {
                if (i == 3) {
                    transformer.profile(true);
                }
                logits[i] = transformer.forward(Batch.sequence(new int[] {token}, prompt.length + i - 2, 0));
                if (i == 3) {
                    profile = transformer.profile(false);
                }
                token = StoriesGreedyTests.argmax(logits[i]);
                if (i == 20) {
                    float[] both = transformer.forward(new Batch(new int[] {token, 9}, new int[] {prompt.length + 19, 20},
                            new int[] {0, 1}, new int[] {0, 1}));
                    logits[42] = both;
                    token = StoriesGreedyTests.argmax(java.util.Arrays.copyOf(both, both.length / 2));
                }
            }
            return new Run(logits, profile, transformer.launchesPerPass(1, 1));
        }
    }
}
