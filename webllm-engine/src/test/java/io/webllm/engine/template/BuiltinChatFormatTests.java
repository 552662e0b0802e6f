package io.webllm.engine.template;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Choosing a fallback format. Real vocabularies (shared/testdata/tokenizer) must lead to the format their
 * models were trained with: the Qwen vocabulary to ChatML, the Llama 3 one to the Llama 3 headers, the Llama 2
 * SentencePiece one (no chat control tokens) to [INST] through its architecture.
 */
class BuiltinChatFormatTests {

    private static final Path TOKENIZERS = Path.of(System.getProperty("webllm.testdata")).resolve("tokenizer");

    @Test
    void realVocabulariesChooseTheirTrainingFormat() throws IOException {
        assertThat(BuiltinChatFormat.choose("qwen2", markersIn("ggml-vocab-qwen2.gguf")))
                .isEqualTo(BuiltinChatFormat.CHATML);
        assertThat(BuiltinChatFormat.choose("llama", markersIn("ggml-vocab-llama-bpe.gguf")))
                .isEqualTo(BuiltinChatFormat.LLAMA3);
        assertThat(BuiltinChatFormat.choose("llama", markersIn("ggml-vocab-llama-spm.gguf")))
                .isEqualTo(BuiltinChatFormat.LLAMA2);
    }

    @Test
    void vocabularyMarkersWinOverArchitecture() {
        assertThat(BuiltinChatFormat.choose("llama", Set.of("<|im_start|>", "<|im_end|>")))
                .isEqualTo(BuiltinChatFormat.CHATML);
        assertThat(BuiltinChatFormat.choose("qwen2", Set.of("<start_of_turn>"))).isEqualTo(BuiltinChatFormat.GEMMA);
        assertThat(BuiltinChatFormat.choose("llama", Set.of("<|user|>", "<|end|>"))).isEqualTo(BuiltinChatFormat.PHI3);
        assertThat(BuiltinChatFormat.choose("qwen2", Set.of("[INST]", "[/INST]"))).isEqualTo(BuiltinChatFormat.LLAMA2);
    }

    @Test
    void architectureDecidesWithoutMarkers() {
        assertThat(BuiltinChatFormat.choose("gemma2", Set.of())).isEqualTo(BuiltinChatFormat.GEMMA);
        assertThat(BuiltinChatFormat.choose("phi3", Set.of())).isEqualTo(BuiltinChatFormat.PHI3);
        assertThat(BuiltinChatFormat.choose("mistral", Set.of())).isEqualTo(BuiltinChatFormat.LLAMA2);
        assertThat(BuiltinChatFormat.choose("qwen3", Set.of())).isEqualTo(BuiltinChatFormat.CHATML);
        assertThat(BuiltinChatFormat.choose("some-new-arch", Set.of())).isEqualTo(BuiltinChatFormat.CHATML);
    }

    @Test
    void configurationNamesResolve() {
        for (BuiltinChatFormat f : BuiltinChatFormat.values()) {
            assertThat(BuiltinChatFormat.byId(" " + f.id().toUpperCase() + " ")).isEqualTo(f);
            assertThat(f.template().name()).isEqualTo("builtin:" + f.id());
        }
        assertThat(BuiltinChatFormat.byId("mistral")).isEqualTo(BuiltinChatFormat.LLAMA2);
        assertThatThrownBy(() -> BuiltinChatFormat.byId("vicuna")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vicuna").hasMessageContaining("chatml, llama3, llama2, gemma, phi3");
    }

    /** Which format markers the GGUF's token list holds: each is stored as a u64 length and its bytes. */
    private static Set<String> markersIn(String file) throws IOException {
        byte[] data = Files.readAllBytes(TOKENIZERS.resolve(file));
        Set<String> found = new HashSet<>();
        for (BuiltinChatFormat f : BuiltinChatFormat.values()) {
            byte[] token = f.marker().getBytes(StandardCharsets.UTF_8);
            byte[] entry = ByteBuffer.allocate(8 + token.length).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(token.length).put(token).array();
            if (indexOf(data, entry) >= 0) {
                found.add(f.marker());
            }
        }
        return found;
    }

    private static int indexOf(byte[] data, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
