package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.gguf.GgufFormatException;
import io.webllm.engine.gguf.GgufMetadata;
import io.webllm.engine.gguf.GgufTensorInfo;
import io.webllm.engine.gguf.GgufValueType;
import io.webllm.engine.gguf.GgufWriter;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.ClException;
import io.webllm.engine.tensor.GgmlType;
import io.webllm.engine.testing.TestDevices;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models the engine must refuse: each error names what was expected and what was found, and nothing stays allocated. */
class ModelLoadFailureTests {

    @TempDir
    static Path temp;
    static ClContext cl;
    static Path tiny;

    @BeforeAll
    static void setUp() {
        cl = TestDevices.open();
        tiny = temp.resolve("tiny.gguf");
        new SyntheticModelWriter(ModelShape.TINY, GgmlType.Q8_0, 1).write(tiny);
    }

    @AfterAll
    static void tearDown() {
        cl.close();
    }

    @Test
    void unknownArchitectureIsNamed() {
        Path path = rewrite("mamba.gguf", key -> key.equals("general.architecture") ? "mamba" : null, info -> info);
        assertRefused(path, GgufFormatException.class, "unsupported architecture 'mamba' (supported: llama, qwen2, qwen3)");
    }

    @Test
    void shapeThatDoesNotMatchTheConfigurationIsNamed() {
        Path path = rewrite("wrong-ff.gguf", key -> key.equals("llama.feed_forward_length") ? 1024L : null, info -> info);
        assertRefused(path, GgufFormatException.class,
                "tensor 'blk.0.ffn_gate.weight' has shape [256, 512] but the llama configuration needs [256, 1024]");
    }

    @Test
    void unsupportedWeightTypeIsNamed() {
        Path path = rewrite("iq2.gguf", key -> null,
                info -> info.name().equals("blk.1.attn_k.weight") ? new GgufTensorInfo(info.name(), GgmlType.IQ2_XXS, info.dims(), 0) : info);
        assertRefused(path, GgufFormatException.class,
                "tensor 'blk.1.attn_k.weight' has weight type IQ2_XXS, which this engine does not support");
    }

    @Test
    void aDeviceAllocationFailureReleasesEverythingAllocatedBefore() {
        long before = cl.allocatedBytes();
        try (GgufFile file = GgufFile.open(tiny)) {
            // weights fit; the activations for an absurd batch cannot
            assertThatThrownBy(() -> Transformer.load(file, cl, new Transformer.Options(128, 1, 50_000_000), LoadListener.NONE))
                    .isInstanceOf(ClException.class)
                    .hasMessageContaining("clCreateBuffer")
                    .hasMessageContaining("bytes in one buffer");
        }
        assertThat(cl.allocatedBytes()).isEqualTo(before);
        // the device is still usable
        try (GgufFile file = GgufFile.open(tiny);
             Transformer model = Transformer.load(file, cl, new Transformer.Options(64, 1, 8), LoadListener.NONE)) {
            assertThat(model.forward(Batch.sequence(new int[] {1, 2, 3}, 0, 0))).hasSize(512);
        }
        assertThat(cl.allocatedBytes()).isEqualTo(before);
    }

    @Test
    void loadReportsUploadProgressUpToTheTotal() {
        long[] last = {0, -1};
        try (GgufFile file = GgufFile.open(tiny);
             Transformer model = Transformer.load(file, cl, new Transformer.Options(64, 1, 8), (phase, done, total) -> {
                 assertThat(phase).isEqualTo("upload");
                 assertThat(done).isGreaterThanOrEqualTo(last[0]).isLessThanOrEqualTo(total);
                 last[0] = done;
                 last[1] = total;
             })) {
            assertThat(last[0]).isEqualTo(last[1]).isPositive();
        }
    }

    /** A real F16/F32 llama file from the Ollama test data (random weights, the real Llama 2 vocabulary) runs. */
    @Test
    void realF16LlamaFileLoadsAndMatchesTheReference() {
        try (GgufFile file = GgufFile.open(io.webllm.engine.testing.TestData.model("llama-2-tiny-random.gguf"));
             Transformer model = Transformer.load(file, cl, new Transformer.Options(64, 1, 16), LoadListener.NONE)) {
            ReferenceTransformer reference = new ReferenceTransformer(file, 64);
            int[] tokens = {1, 15043, 3186, 29991};
            float[] device = model.forward(Batch.sequence(tokens, 0, 0));
            float[] expected = null;
            for (int i = 0; i < tokens.length; i++) {
                expected = reference.forward(tokens[i], i);
            }
            assertThat(model.config().vocabularySize()).isEqualTo(32000);
            ForwardPassTests.assertClose(device, expected, "llama-2-tiny-random after 4 tokens");
        }
    }

    private static void assertRefused(Path path, Class<? extends Exception> type, String message) {
        long before = cl.allocatedBytes();
        try (GgufFile file = GgufFile.open(path)) {
            assertThatThrownBy(() -> Transformer.load(file, cl, Transformer.Options.DEFAULT, LoadListener.NONE))
                    .isInstanceOf(type).hasMessageContaining(path.toString()).hasMessageContaining(message);
        }
        assertThat(cl.allocatedBytes()).isEqualTo(before);
    }

    /** A copy of the tiny model with some metadata values replaced and some tensor entries changed. */
    private static Path rewrite(String name, java.util.function.Function<String, Object> replacement, UnaryOperator<GgufTensorInfo> tensors) {
        Path target = temp.resolve(name);
        try (GgufFile source = GgufFile.open(tiny)) {
            GgufWriter writer = new GgufWriter();
            for (GgufMetadata.Entry entry : source.metadata().entries().values()) {
                Object value = replacement.apply(entry.key());
                writer.copy(value == null ? entry : new GgufMetadata.Entry(entry.key(),
                        value instanceof String ? GgufValueType.STRING : GgufValueType.UINT32, null, value));
            }
            for (GgufTensorInfo info : source.tensors().values()) {
                GgufTensorInfo changed = tensors.apply(info);
                MemorySegment data = source.tensorData(info);
                writer.addTensor(changed.name(), changed.type(), changed.dims(), target1 -> {
                    if (changed.type() == info.type()) {
                        target1.copyFrom(data);
                    } else {
                        target1.fill((byte) 0);
                    }
                });
            }
            writer.write(target);
        }
        return target;
    }
}
