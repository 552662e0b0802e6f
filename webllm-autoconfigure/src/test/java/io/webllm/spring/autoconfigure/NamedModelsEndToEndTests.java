package io.webllm.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.model.ModelShape;
import io.webllm.engine.model.SyntheticModelWriter;
import io.webllm.engine.tensor.GgmlType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.model.chat.client.autoconfigure.ChatClientAutoConfiguration;
import org.springframework.ai.model.tool.autoconfigure.ToolCallingAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Two named models from application properties, loaded by the real engine on the tests' OpenCL device: the
 * pretrained stories260K and a synthetic model of a real shape (random weights, Llama 2's vocabulary).
 */
class NamedModelsEndToEndTests {

    static final String PASS_THROUGH = "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}";

    @TempDir
    Path dir;

    enum Mood { HAPPY, SAD, SLEEPY }

    record Character(Mood mood, boolean brave) {
    }

    private static Path testData(String... parts) {
        return Path.of(System.getProperty("webllm.testdata"), parts);
    }

    @Test
    void eachNamedModelIsAChatModelBeanServedByItsOwnEngine() {
        Path synthetic = dir.resolve("synthetic-tiny.gguf");
        try (GgufFile vocabulary = GgufFile.open(testData("tokenizer", "ggml-vocab-llama-spm.gguf"))) {
            new SyntheticModelWriter(ModelShape.TINY, GgmlType.Q8_0, 42).vocabulary(vocabulary).write(synthetic);
        }
        ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ToolCallingAutoConfiguration.class,
                        WebLlmAutoConfiguration.class, WebLlmActuatorAutoConfiguration.class,
                        WebLlmChatClientAutoConfiguration.class, ChatClientAutoConfiguration.class))
                .withPropertyValues("webllm.cache-directory=" + dir.resolve("cache"),
                        "webllm.device=" + System.getProperty("webllm.test.device", "auto"),
                        "webllm.chat-template=" + PASS_THROUGH, "webllm.context-length=256",
                        "webllm.max-sequences=2",
                        "webllm.models.stories.model=" + testData("models", "stories260K.gguf"),
                        "webllm.models.stories.primary=true",
                        "webllm.models.stories.options.temperature=0",
                        "webllm.models.stories.options.max-tokens=16",
                        "webllm.models.synthetic.model=" + synthetic,
                        "webllm.models.synthetic.options.max-tokens=8",
                        "webllm.models.synthetic.options.seed=1");
        List<ManagedChatEngine> engines = new java.util.ArrayList<>();
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            engines.addAll(context.getBean(WebLlmEngines.class).all());

            ChatResponse fromStories = ((ChatModel) context.getBean("stories"))
                    .call(new org.springframework.ai.chat.prompt.Prompt("Once upon a time"));
            assertThat(fromStories.getMetadata().getModel()).isEqualTo("stories260K");
            assertThat(fromStories.getResult().getOutput().getText()).startsWith(", there was a little girl named");

            ChatResponse fromSynthetic = ((ChatModel) context.getBean("synthetic"))
                    .call(new org.springframework.ai.chat.prompt.Prompt("Once upon a time"));
            assertThat(fromSynthetic.getMetadata().getModel()).isEqualTo("synthetic-tiny");
            assertThat(fromSynthetic.getMetadata().getUsage().getCompletionTokens()).isBetween(1, 8);

            // the primary model is the one ChatClient.Builder gets
            String viaClient = context.getBean(ChatClient.Builder.class).build().prompt("Once upon a time").call()
                    .content();
            assertThat(viaClient).isEqualTo(fromStories.getResult().getOutput().getText());

            // a plain entity() call is held to the record's schema by the auto-configured ChatClient.Builder
            Character character = context.getBean(ChatClient.Builder.class).build().prompt("Once upon a time")
                    .options(io.webllm.spring.ai.WebLlmChatOptions.builder().maxTokens(200)).call()
                    .entity(Character.class);
            assertThat(character).isNotNull();
            assertThat(character.mood()).isNotNull();

            var health = context.getBean(WebLlmHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> models = (Map<String, Map<String, Object>>) health.getDetails()
                    .get("models");
            assertThat(models).containsOnlyKeys("stories", "synthetic");
            assertThat(models.get("stories")).containsEntry("state", "ready").containsEntry("model", "stories260K");
            assertThat((String) models.get("stories").get("device")).isNotBlank().isNotEqualTo("auto");
        });
        assertThat(engines).hasSize(2).allMatch(e -> e.state() == ManagedChatEngine.State.CLOSED);
    }
}
