package io.webllm.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamingDecoderTests {

    private static final String MIXED = "Hello 🦙 world: 世界 café naïve 😶‍🌫️ ✅ Привет";

    private static Tokenizer vocabulary(String name) {
        return TokenizerConformanceTests.tokenizer(TestData.tokenizer("ggml-vocab-" + name + ".gguf"));
    }

    @Test
    void tokenByTokenOutputIsAlwaysWholeCharactersAndAddsUpToTheText() {
        for (String name : new String[] {"llama-bpe", "qwen2", "llama-spm", "gpt-2", "falcon", "deepseek-llm"}) {
            Tokenizer tokenizer = vocabulary(name);
            int[] ids = tokenizer.encode(MIXED, true, false);
            StreamingDecoder decoder = tokenizer.streamingDecoder(true);

            List<String> chunks = new ArrayList<>();
            for (int id : ids) {
                chunks.add(decoder.accept(id));
            }
            String rest = decoder.finish();

            assertThat(rest).as(name).isEmpty();
            for (String chunk : chunks) {
                // a chunk that re-encodes to different bytes held a broken character (U+FFFD or a lone surrogate)
                assertThat(chunk).as("%s chunk", name).doesNotContain("\uFFFD");
                assertThat(new String(chunk.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(chunk);
            }
            assertThat(String.join("", chunks)).as(name).isEqualTo(MIXED);
        }
    }

    @Test
    void byteFallbackTokensAreHeldBackUntilTheCharacterIsComplete() {
        Tokenizer spm = vocabulary("llama-spm");
        byte[] llama = "🦙".getBytes(StandardCharsets.UTF_8);
        StreamingDecoder decoder = spm.streamingDecoder(false);

        List<String> out = new ArrayList<>();
        for (byte b : llama) {
            out.add(decoder.accept(spm.tokenId("<0x%02X>".formatted(b & 0xFF)).getAsInt()));
        }

        assertThat(out).containsExactly("", "", "", "🦙");
        assertThat(decoder.hasPendingBytes()).isFalse();
    }

    @Test
    void finishReleasesAnIncompleteCharacterAsReplacement() {
        Tokenizer spm = vocabulary("llama-spm");
        StreamingDecoder decoder = spm.streamingDecoder(false);

        assertThat(decoder.accept(spm.tokenId("<0xF0>").getAsInt())).isEmpty();
        assertThat(decoder.accept(spm.tokenId("<0x9F>").getAsInt())).isEmpty();
        assertThat(decoder.hasPendingBytes()).isTrue();

        assertThat(decoder.finish()).isNotEmpty().matches("\uFFFD+");
        assertThat(decoder.hasPendingBytes()).isFalse();
    }

    @Test
    void sentencePieceLeadingSpaceIsDroppedOnlyAtTheStartOfText() {
        Tokenizer spm = vocabulary("llama-spm");
        int[] prompt = spm.encode("Hello world", true, false);
        int world = spm.tokenId("▁world").getAsInt();

        StreamingDecoder atStart = spm.streamingDecoder(true);
        StringBuilder text = new StringBuilder();
        for (int id : prompt) {
            text.append(atStart.accept(id));
        }
        StreamingDecoder continuing = spm.streamingDecoder(false);

        assertThat(text.toString()).isEqualTo("Hello world");
        assertThat(continuing.accept(world)).isEqualTo(" world");
        assertThat(spm.decode(new int[] {world})).isEqualTo("world");
    }

    @Test
    void controlTokensDecodeToNothing() {
        Tokenizer qwen = vocabulary("qwen2");
        int[] ids = qwen.encode("<|im_start|>assistant\nHi<|im_end|>", false, true);

        assertThat(qwen.decode(ids)).isEqualTo("assistant\nHi");
    }
}
