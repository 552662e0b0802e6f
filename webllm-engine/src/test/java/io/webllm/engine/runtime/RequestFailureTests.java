package io.webllm.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.webllm.engine.chat.ChatCompletion;
import io.webllm.engine.chat.ChatMessage;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.gguf.GgufMetadata;
import io.webllm.engine.gguf.GgufTensorInfo;
import io.webllm.engine.gguf.GgufWriter;
import io.webllm.engine.sampling.NonFiniteLogitsException;
import io.webllm.engine.testing.TestData;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request whose own input drives the model to NaN logits fails alone, with that error: the engine goes on serving
 * every other request, before, beside and after it. stories260K with one token's embedding row set to NaN: a
 * prompt holding that token poisons its own sequence's activations and keys, no one else's.
 */
class RequestFailureTests {

    @TempDir
    Path temp;

    @Test
    void aRequestWhoseLogitsAreNaNFailsAloneAndTheEngineGoesOn() throws Exception {
        Path model = TestData.model("stories260K.gguf");
        String reference = LocalEngineTests.REFERENCE_CONTINUATION;
        try (LocalEngine clean = load(model)) {
            int poisoned = tokenOutside(clean, "Once upon a time" + reference);
            String poisonedText = "Once upon a time " + clean.tokenizer().piece(poisoned).substring(1);
            assertThat(clean.tokenizer().encode(poisonedText, true, false)).as("the prompt holds the poisoned token").contains(poisoned);
            Path broken = temp.resolve("nan-row.gguf");
            withNaNEmbedding(model, broken, poisoned);
            try (LocalEngine engine = load(broken)) {
                // greedy (picked on the device first) and sampled (picked on the host)
                assertThatThrownBy(() -> engine.complete(greedy(poisonedText)))
                        .isInstanceOf(NonFiniteLogitsException.class).hasMessageContaining("NaN");
                assertThatThrownBy(() -> engine.complete(prompt(poisonedText).temperature(0.8).seed(3L).maxTokens(8).build()))
                        .isInstanceOf(NonFiniteLogitsException.class).hasMessageContaining("NaN");
                // after them, and beside one: the reference continuation, untouched
                assertThat(engine.complete(greedy("Once upon a time")).choices().getFirst().content()).isEqualTo(reference);
                CompletableFuture<ChatCompletion> beside = CompletableFuture.supplyAsync(() -> engine.complete(greedy("Once upon a time")));
                assertThatThrownBy(() -> engine.complete(greedy(poisonedText))).isInstanceOf(NonFiniteLogitsException.class);
                assertThat(beside.get(60, TimeUnit.SECONDS).choices().getFirst().content()).isEqualTo(reference);
            }
        }
    }

    private static LocalEngine load(Path model) {
        return LocalEngine.load(EngineOptions.of(model).withChatTemplate(LocalEngineTests.PASS_THROUGH).withContextLength(256)
                .withMaxSequences(2).withDevice(io.webllm.engine.opencl.DeviceSelector.of(System.getProperty("webllm.test.device", "auto"))));
    }

    private static ChatRequest greedy(String text) {
        return prompt(text).temperature(0.0).maxTokens(64).build();
    }

    private static ChatRequest.Builder prompt(String text) {
        return ChatRequest.builder().message(ChatMessage.user(text));
    }

    /** A word token ("▁word") that the reference text (prompt and continuation) never uses. */
    private static int tokenOutside(LocalEngine engine, String text) {
        int[] used = engine.tokenizer().encode(text, true, false);
        for (int token = 300; token < engine.tokenizer().vocabularySize(); token++) {
            int candidate = token;
            String piece = engine.tokenizer().piece(candidate);
            if (Arrays.stream(used).noneMatch(u -> u == candidate) && piece.length() > 3 && piece.startsWith("\u2581")
                    && piece.substring(1).chars().allMatch(Character::isLetter)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no unused word token");
    }

    /** A copy of {@code source} whose token embedding row {@code token} (F32 in stories260K) is all NaN. */
    private static void withNaNEmbedding(Path source, Path target, int token) {
        try (GgufFile file = GgufFile.open(source)) {
            GgufWriter writer = new GgufWriter();
            for (GgufMetadata.Entry entry : file.metadata().entries().values()) {
                writer.copy(entry);
            }
            for (GgufTensorInfo info : file.tensors().values()) {
                writer.addTensor(info.name(), info.type(), info.dims(), data -> {
                    data.copyFrom(file.tensorData(info));
                    if (info.name().equals("token_embd.weight")) {
                        int width = (int) info.dims()[0];
                        for (int i = 0; i < width; i++) {
                            data.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), (long) token * width + i, Float.NaN);
                        }
                    }
                });
            }
            writer.write(target);
        }
    }
}
