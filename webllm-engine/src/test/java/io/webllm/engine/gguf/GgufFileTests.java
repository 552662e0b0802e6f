package io.webllm.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.webllm.engine.tensor.GgmlType;
import io.webllm.engine.testing.TestData;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTests {

    @TempDir
    Path temp;

    @Test
    void readsStories260K() {
        try (GgufFile file = GgufFile.open(TestData.model("stories260K.gguf"))) {
            GgufMetadata metadata = file.metadata();
            assertThat(file.version()).isEqualTo(3);
            assertThat(metadata.getString("general.architecture")).isEqualTo("llama");
            assertThat(metadata.getInt("llama.block_count")).isEqualTo(5);
            assertThat(metadata.getInt("llama.embedding_length")).isEqualTo(64);
            assertThat(metadata.getInt("llama.attention.head_count")).isEqualTo(8);
            assertThat(metadata.getInt("llama.attention.head_count_kv")).isEqualTo(4);
            assertThat(metadata.getStringArray("tokenizer.ggml.tokens")).hasSize(512);
            GgufTensorInfo embeddings = file.tensor("token_embd.weight");
            assertThat(embeddings.type()).isEqualTo(GgmlType.F32);
            assertThat(embeddings.dims()).containsExactly(64, 512);
            assertThat(file.tensorData(embeddings).byteSize()).isEqualTo(64L * 512 * 4);
        }
    }

    @Test
    void writerRoundTripsMetadataAndTensors() {
        Path path = temp.resolve("round.gguf");
        new GgufWriter()
                .putString("general.architecture", "llama")
                .putUInt32("llama.block_count", 3)
                .putUInt32("big", 0xFFFF_FFF0L)
                .putFloat32("eps", 1e-5f)
                .putBool("flag", true)
                .put("i64", GgufValueType.INT64, -7L)
                .putArray("tokens", GgufValueType.STRING, new String[] {"a", "▁b", "<0x0A>"})
                .putArray("scores", GgufValueType.FLOAT32, new float[] {0.5f, -1f, 2f})
                .putArray("types", GgufValueType.INT32, new int[] {1, 2, 3})
                .putArray("nested", GgufValueType.ARRAY, new Object[] {new int[] {1, 2}, new String[] {"x"}})
                .addTensor("w", GgmlType.F32, new long[] {4, 3}, target -> {
                    for (int i = 0; i < 12; i++) {
                        target.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, i * 0.5f);
                    }
                })
                .addTensor("v", GgmlType.F32, new long[] {5}, target -> target.fill((byte) 0))
                .write(path);

        try (GgufFile file = GgufFile.open(path)) {
            GgufMetadata metadata = file.metadata();
            assertThat(metadata.getString("general.architecture")).isEqualTo("llama");
            assertThat(metadata.getInt("llama.block_count")).isEqualTo(3);
            assertThat(metadata.getLong("big")).isEqualTo(0xFFFF_FFF0L);
            assertThat(metadata.getFloat("eps")).isEqualTo(1e-5f);
            assertThat(metadata.findBoolean("flag")).contains(true);
            assertThat(metadata.getLong("i64")).isEqualTo(-7L);
            assertThat(metadata.getStringArray("tokens")).containsExactly("a", "▁b", "<0x0A>");
            assertThat(metadata.findFloatArray("scores")).hasValueSatisfying(s -> assertThat(s).containsExactly(0.5f, -1f, 2f));
            assertThat(metadata.findIntArray("types")).hasValueSatisfying(t -> assertThat(t).containsExactly(1, 2, 3));
            Object[] nested = (Object[]) metadata.get("nested").orElseThrow();
            assertThat((int[]) nested[0]).containsExactly(1, 2);
            assertThat((String[]) nested[1]).containsExactly("x");
            assertThat(file.tensor("w").dims()).containsExactly(4, 3);
            float[] w = file.tensorData("w").toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
            assertThat(w[11]).isEqualTo(5.5f);
            assertThat(file.tensor("v").offset() % 32).isZero();
            assertThat(file.dataOffset() % 32).isZero();
        }
    }

    @Test
    void rejectsForeignFile() throws IOException {
        Path path = temp.resolve("model.safetensors");
        Files.writeString(path, "{\"__metadata__\": {}}");
        assertThatThrownBy(() -> GgufFile.open(path))
                .isInstanceOf(GgufFormatException.class)
                .hasMessageContaining(path.toString())
                .hasMessageContaining("not a GGUF file: expected magic 'GGUF' but found bytes 7b 22 5f 5f");
    }

    @Test
    void rejectsVersionOne() throws IOException {
        Path path = temp.resolve("v1.gguf");
        Files.write(path, header(1, 0, 0));
        assertThatThrownBy(() -> GgufFile.open(path)).hasMessageContaining("GGUF version 1 is not supported");
    }

    @Test
    void rejectsTruncatedHeader() throws IOException {
        Path full = writeSmallModel();
        byte[] bytes = Files.readAllBytes(full);
        Path cut = temp.resolve("cut.gguf");
        Files.write(cut, Arrays.copyOf(bytes, 60));
        assertThatThrownBy(() -> GgufFile.open(cut))
                .isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("truncated file: expected")
                .hasMessageContaining("general.architecture");
    }

    @Test
    void rejectsTensorDataPastTheEnd() throws IOException {
        Path full = writeSmallModel();
        byte[] bytes = Files.readAllBytes(full);
        Path cut = temp.resolve("short.gguf");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 8));
        assertThatThrownBy(() -> GgufFile.open(cut))
                .hasMessageContaining("tensor 'w'")
                .hasMessageContaining("runs past the end of the file");
    }

    @Test
    void rejectsUnknownGgmlType() throws IOException {
        Path full = writeSmallModel();
        byte[] bytes = Files.readAllBytes(full);
        // the type id of the only tensor follows its name, dimension count and one dimension
        int typeAt = indexOf(bytes, "w".getBytes()) + 1 + 4 + 8;
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(typeAt, 99);
        Path bad = temp.resolve("badtype.gguf");
        Files.write(bad, bytes);
        assertThatThrownBy(() -> GgufFile.open(bad)).hasMessageContaining("tensor 'w' has unknown ggml type id 99");
    }

    @Test
    void missingKeyAndWrongTypeAreNamed() {
        Path path = writeSmallModel();
        try (GgufFile file = GgufFile.open(path)) {
            assertThatThrownBy(() -> file.metadata().getInt("llama.block_count"))
                    .hasMessageContaining("required metadata key 'llama.block_count' (an integer) is missing");
            assertThatThrownBy(() -> file.metadata().getInt("general.architecture"))
                    .hasMessageContaining("metadata key 'general.architecture' should be an integer but is STRING");
            assertThatThrownBy(() -> file.tensor("output.weight")).hasMessageContaining("required tensor 'output.weight' is missing");
        }
    }

    @Test
    void missingFileIsNamed() {
        Path path = temp.resolve("nope.gguf");
        assertThatThrownBy(() -> GgufFile.open(path)).hasMessageContaining(path + ": no such file");
    }

    private Path writeSmallModel() {
        Path path = temp.resolve("small.gguf");
        new GgufWriter()
                .putString("general.architecture", "llama")
                .addTensor("w", GgmlType.F32, new long[] {8}, target -> target.fill((byte) 1))
                .write(path);
        return path;
    }

    private static byte[] header(int version, long tensors, long kvs) {
        return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0x46554747).putInt(version).putLong(tensors).putLong(kvs).array();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = haystack.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            // the name is preceded by its uint64 length 1
            if (i >= 8 && haystack[i - 8] == 1) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
