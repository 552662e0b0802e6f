package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.gguf.GgufMetadata;
import io.webllm.engine.gguf.GgufTensorInfo;
import io.webllm.engine.gguf.GgufWriter;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.KernelLibrary;
import io.webllm.engine.tensor.Dequantizer;
import io.webllm.engine.tensor.GgmlType;
import io.webllm.engine.tensor.Quantizer;
import io.webllm.engine.testing.TestDevices;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Published Q4_K_M files mix types inside a layer (v in Q6_K beside q and k in Q4_K; gate and up may differ): the
 * engine then runs separate products where it would stack or fuse them, and must still match the reference.
 */
class MixedTypeModelTests {

    @TempDir
    Path temp;

    /**
     * Q4_K layers with a Q6_K attn_v (so q, k and v in three launches, with Qwen2's biases) and a Q8_0 ffn_up (gate
     * and up of different types: two products and the SiLU kernel), for each kernel variant against the reference
     * in the same arithmetic: with Q8 activations the reference rounds the same inputs (compared with the float
     * reference, a GPU run with Q8 activations was 0.38 off at the float tolerance of 0.058, which was the test's
     * error, not the engine's; on PoCL the automatic choice ran the CPU kernels, so CI never saw it).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void layersWithMixedWeightTypesMatchTheReference(ForwardPassTests.Kernels variant) {
        Path base = temp.resolve("base.gguf");
        new SyntheticModelWriter(ModelShape.TINY_QWEN2, GgmlType.Q4_K, 9).write(base);
        Path mixed = temp.resolve("mixed.gguf");
        retype(base, mixed, Map.of("attn_v.weight", GgmlType.Q6_K, "ffn_up.weight", GgmlType.Q8_0));
        int[] prompt = new java.util.SplittableRandom(2).ints(24, 3, 512).toArray();
        try (GgufFile file = GgufFile.open(mixed);
             ClContext cl = TestDevices.open();
             Transformer model = Transformer.load(file, cl, variant.options(64, 1, 32), LoadListener.NONE)) {
            ReferenceTransformer reference = new ReferenceTransformer(file, 64);
            float[] all = model.forward(Batch.sequence(prompt, 0, 0, true));
            int vocab = model.config().vocabularySize();
            for (int i = 0; i < prompt.length; i++) {
                // the whole prompt is one pass of 24 tokens: the matrix-vector kernels
                ForwardPassTests.assertClose(java.util.Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab),
                        reference.forward(prompt[i], i, variant.q8()), "position " + i, variant.tolerance());
            }
            // one decode step through the matrix-vector kernels
            int token = 77;
            ForwardPassTests.assertClose(model.forward(Batch.sequence(new int[] {token}, prompt.length, 0)),
                    reference.forward(token, prompt.length, variant.q8()), "decode", variant.tolerance());
        }
    }

    /**
     * The mix of llama.cpp's Q4_K_M ({@link WeightTypes#Q4_K_M}): Q4_K but for the output matrix and, in layer 1 of
     * the two, attn_v and ffn_down in Q6_K, so one layer stacks q, k and v and the other launches three products.
     * Each kernel variant; with Q8 activations in decode and in the 7-token tail of the prompt.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void q4kMediumMixMatchesTheReference(ForwardPassTests.Kernels variant) {
        Path model = temp.resolve("q4_k_m.gguf");
        new SyntheticModelWriter(ModelShape.TINY_LLAMA3, WeightTypes.Q4_K_M, 13).write(model);
        try (GgufFile file = GgufFile.open(model)) {
            assertThat(file.tensor("output.weight").type()).isEqualTo(GgmlType.Q6_K);
            assertThat(file.tensor("blk.0.attn_v.weight").type()).isEqualTo(GgmlType.Q4_K);
            assertThat(file.tensor("blk.1.attn_v.weight").type()).isEqualTo(GgmlType.Q6_K);
            assertThat(file.tensor("blk.1.ffn_down.weight").type()).isEqualTo(GgmlType.Q6_K);
        }
        try (ClContext cl = TestDevices.open()) {
            ForwardPassTests.assertPrefillAndDeviceDecodeMatchTheReference(cl, model, variant);
        }
    }

    /**
     * Which kernels a Q4_K_M model runs with Q8 activations on the GPU kernels: the integer matrix-vector kernels
     * for a decode step (the forward-pass tolerance alone could not tell them from the float ones), the tiled
     * integer kernels for a prompt pass of Step.MATRIX_MATRIX_MIN_TOKENS tokens. Layer 1 of the mix has Q6_K attn_v and
     * ffn_down. No quantize launch runs in a decode step: the norms, attention and the gated kernel write their
     * outputs as Q8 themselves. Its only norm launch is layer 0's: the residual products defer theirs to the products
     * that read them (Tuning.FUSE_NORM, unless -Dwebllm.fuse.norm=false), and the output norm runs in the logits' pass
     * (not profiled).
     */
    @Test
    void q4kMediumRunsIntegerMatvecsInDecodeAndIntegerTilesInPrompts() {
        Path model = temp.resolve("q4_k_m-kernels.gguf");
        new SyntheticModelWriter(ModelShape.TINY_LLAMA3, WeightTypes.Q4_K_M, 13).write(model);
        int promptTokens = Step.MATRIX_MATRIX_MIN_TOKENS;
        try (GgufFile file = GgufFile.open(model);
             ClContext cl = TestDevices.open();
             Transformer transformer = Transformer.load(file, cl, new Transformer.Options(64, 1, promptTokens,
                     KernelLibrary.Variant.GPU, true), LoadListener.NONE)) {
            transformer.profile(true);
            transformer.forward(Batch.sequence(new java.util.SplittableRandom(4).ints(promptTokens, 3, 512).toArray(), 0, 0));
            java.util.Set<String> prompt = kernelNames(transformer.profile(true));
            transformer.forward(Batch.sequence(new int[] {77}, promptTokens, 0));
            java.util.Map<String, double[]> decodeProfile = transformer.profile(false);
            java.util.Set<String> decode = kernelNames(decodeProfile);

            assertThat(prompt).contains("kernel_mul_mmq_q4_k", "kernel_mul_mmq_q6_k")
                    .noneMatch(name -> name.startsWith("kernel_mul_mv") || name.startsWith("kernel_mul_mm_"));
            String one = Q8ActivationKernelTests.width(1);
            assertThat(decode).contains("kernel_mul_mvq_q4_k" + one, "kernel_mul_mv_gluq_q4_k" + one, "kernel_mul_mvq_q6_k" + one)
                    .noneMatch(name -> name.startsWith("kernel_mul_mm") || name.equals("kernel_mul_mv_q4_k") || name.equals("kernel_mul_mv_q6_k")
                            || name.equals("kernel_quantize_q8"));
            if (io.webllm.engine.opencl.Tuning.FUSE_ROPE) {
                // layer 1's q and k stacked in Q4_K and its v in Q6_K: two products that each apply the rope to their heads
                assertThat(decode).contains("kernel_mul_mvq_rope_q4_k" + one, "kernel_mul_mvq_rope_q6_k" + one)
                        .doesNotContain("kernel_rope_store");
                ModelShape shape = ModelShape.TINY_LLAMA3;
                int kvRows = shape.kvHeads() * shape.headDim();
                int qkRows = shape.heads() * shape.headDim() + kvRows;
                assertThat(decodeProfile).containsKeys(
                        "kernel_mul_mvq_rope_q4_k" + one + " " + (qkRows + kvRows) + "x" + shape.embedding() + " rope",
                        "kernel_mul_mvq_rope_q4_k" + one + " " + qkRows + "x" + shape.embedding() + " rope",
                        "kernel_mul_mvq_rope_q6_k" + one + " " + kvRows + "x" + shape.embedding() + " rope");
            }
            // launched (-Dwebllm.fuse.norm=false): attention's of layer 0, then the ffn norm and the next attention norm
            // after each layer's residual products, but none after the last layer's down
            int launchedNorms = 2 * ModelShape.TINY_LLAMA3.layers();
            assertThat(decodeProfile.get("kernel_rms_norm_q8")[1]).as("norm launches of a decode step")
                    .isEqualTo(io.webllm.engine.opencl.Tuning.FUSE_NORM ? 1 : launchedNorms);
            assertThat(prompt).contains("kernel_rms_norm_q8");
        }
    }

    /** The kernels a profile timed (its keys may add a matrix shape after the name). */
    private static java.util.Set<String> kernelNames(java.util.Map<String, double[]> profile) {
        return profile.keySet().stream().map(key -> key.split(" ")[0]).collect(java.util.stream.Collectors.toSet());
    }

    static java.util.stream.Stream<ForwardPassTests.Kernels> variants() {
        return ForwardPassTests.VARIANTS.stream();
    }

    /**
     * Copies a model, re-encoding into the type of a key of {@code types} each tensor named by the key or ending
     * with "." + the key ({@code attn_v.weight}: that of every layer; {@code output.weight}: the output matrix).
     */
    static void retype(Path source, Path target, Map<String, GgmlType> types) {
        try (GgufFile file = GgufFile.open(source)) {
            GgufWriter writer = new GgufWriter();
            for (GgufMetadata.Entry entry : file.metadata().entries().values()) {
                writer.copy(entry);
            }
            for (GgufTensorInfo info : file.tensors().values()) {
                GgmlType type = types.entrySet().stream().filter(e -> info.name().equals(e.getKey()) || info.name().endsWith("." + e.getKey()))
                        .map(Map.Entry::getValue).findFirst().orElse(info.type());
                writer.addTensor(info.name(), type, info.dims(), data -> {
                    if (type == info.type()) {
                        data.copyFrom(file.tensorData(info));
                    } else {
                        int n = Math.toIntExact(info.elementCount());
                        float[] values = Dequantizer.dequantize(info.type(), file.tensorData(info), 0, n);
                        Quantizer.quantize(type, values, 0, n, data, 0);
                    }
                });
            }
            writer.write(target);
        }
    }
}
