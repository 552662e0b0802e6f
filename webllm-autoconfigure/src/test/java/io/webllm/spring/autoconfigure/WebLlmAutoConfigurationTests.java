package io.webllm.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.chat.ChatCompletion;
import io.webllm.engine.chat.ChatEngine;
import io.webllm.engine.chat.FinishReason;
import io.webllm.engine.chat.Usage;
import io.webllm.engine.opencl.DeviceSelector;
import io.webllm.engine.registry.ModelRegistry;
import io.webllm.engine.registry.ModelStore;
import io.webllm.engine.runtime.EngineOptions;
import io.webllm.spring.ai.ScriptedChatEngine;
import io.webllm.spring.ai.WebLlmChatModel;
import io.webllm.spring.ai.WebLlmChatOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.chat.client.autoconfigure.ChatClientAutoConfiguration;
import org.springframework.ai.model.tool.autoconfigure.ToolCallingAutoConfiguration;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;

class WebLlmAutoConfigurationTests {

    @TempDir
    Path dir;

    private Path modelFile;
    private RecordingEngineFactory factory;
    private ApplicationContextRunner runner;

    /** Collects webllm's application events. */
    static final class Events implements ApplicationListener<ApplicationEvent> {
        final List<ApplicationEvent> received = new CopyOnWriteArrayList<>();

        @Override
        public void onApplicationEvent(ApplicationEvent event) {
            if (event.getClass().getPackageName().equals(Events.class.getPackageName())) {
                received.add(event);
            }
        }

        <T> List<T> of(Class<T> type) {
            return received.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        modelFile = Files.write(dir.resolve("tiny-model.gguf"), new byte[] {'G', 'G', 'U', 'F'});
        factory = new RecordingEngineFactory();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ToolCallingAutoConfiguration.class,
                        WebLlmAutoConfiguration.class, WebLlmActuatorAutoConfiguration.class,
                        WebLlmChatClientAutoConfiguration.class, ChatClientAutoConfiguration.class))
                .withBean(ChatEngineFactory.class, () -> factory)
                .withBean(Events.class, Events::new)
                .withPropertyValues("webllm.cache-directory=" + dir.resolve("cache"));
    }

    @Test
    void theDefaultModelIsLoadedAtStartupWithTheEngineSettings() {
        runner.withPropertyValues("webllm.chat.model=" + modelFile, "webllm.device=cpu", "webllm.context-length=512",
                "webllm.max-sequences=2", "webllm.max-queued-requests=3", "webllm.chat-template=chatml",
                "webllm.chat.options.temperature=0.2", "webllm.chat.options.max-tokens=40",
                "webllm.chat.options.tool-choice=required").run(context -> {
            assertThat(context).hasSingleBean(WebLlmChatModel.class).hasBean(ModelSpec.DEFAULT_MODEL_NAME);
            assertThat(factory.loads).singleElement().satisfies(options -> {
                assertThat(options.modelFile()).isEqualTo(modelFile.toAbsolutePath());
                assertThat(options.modelId()).isEqualTo("tiny-model");
                assertThat(options.device()).isEqualTo(DeviceSelector.of("cpu"));
                assertThat(options.contextLength()).isEqualTo(512);
                assertThat(options.maxSequences()).isEqualTo(2);
                assertThat(options.maxQueuedRequests()).isEqualTo(3);
                assertThat(options.chatTemplate()).isEqualTo("chatml");
            });
            WebLlmChatModel model = context.getBean(WebLlmChatModel.class);
            assertThat(model.getOptions()).isEqualTo(WebLlmChatOptions.builder().model("tiny-model").temperature(0.2)
                    .maxTokens(40).toolChoice(io.webllm.engine.chat.ToolChoice.REQUIRED).build());
            assertThat(model.call(new Prompt("hi")).getResult().getOutput().getText())
                    .isEqualTo("hello from tiny-model");
            assertThat(factory.engines.getFirst().lastRequest().temperature()).isEqualTo(0.2);
        });
    }

    @Test
    void chatClientBuilderWorksOnTheModel() {
        runner.withPropertyValues("webllm.chat.model=" + modelFile).run(context -> {
            ChatClient client = context.getBean(ChatClient.Builder.class).build();
            assertThat(client.prompt("hi").call().content()).isEqualTo("hello from tiny-model");
        });
    }

    record Count(int n) {
    }

    private static ScriptedChatEngine answering(String text) {
        return new ScriptedChatEngine("own", new ChatCompletion("c", "own", 0,
                List.of(new ChatCompletion.Choice(0, text, null, List.of(), FinishReason.STOP, null)),
                new Usage(0, 0, 0, 0, 0, 0, 0, 0)), List.of(), false);
    }

    @Test
    void entityHandsItsSchemaToTheModelUnlessSwitchedOff() {
        ScriptedChatEngine json = answering("{\"n\": 3}");
        runner.withBean(ChatEngine.class, () -> json).run(context -> {
            Count count = context.getBean(ChatClient.Builder.class).build().prompt("how many?").call()
                    .entity(Count.class);
            assertThat(count).isEqualTo(new Count(3));
            assertThat(json.lastRequest().responseFormat().type())
                    .isEqualTo(io.webllm.engine.chat.ResponseFormat.Type.JSON_SCHEMA);
            assertThat(json.lastRequest().responseFormat().schema()).contains("\"n\"").contains("integer");
            assertThat(json.lastRequest().messages().getLast().content()).isEqualTo("how many?");
        });
        ScriptedChatEngine plain = answering("{\"n\": 4}");
        runner.withBean(ChatEngine.class, () -> plain).withPropertyValues("webllm.native-structured-output=false")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(WebLlmChatClientAutoConfiguration.class);
                    Count count = context.getBean(ChatClient.Builder.class).build().prompt("how many?").call()
                            .entity(Count.class);
                    assertThat(count).isEqualTo(new Count(4));
                    assertThat(plain.lastRequest().responseFormat())
                            .isEqualTo(io.webllm.engine.chat.ResponseFormat.TEXT);
                    assertThat(plain.lastRequest().messages().getLast().content()).startsWith("how many?")
                            .contains("JSON");
                });
    }

    @Test
    void springAiModelChatSelectsOrSwitchesOffTheProvider() {
        runner.withPropertyValues("webllm.chat.model=" + modelFile, "spring.ai.model.chat=none").run(context -> {
            assertThat(context).doesNotHaveBean(ChatModel.class).doesNotHaveBean(WebLlmEngines.class);
            assertThat(factory.loads).isEmpty();
        });
        runner.withPropertyValues("webllm.chat.model=" + modelFile, "spring.ai.model.chat=openai")
                .run(context -> assertThat(context).doesNotHaveBean(ChatModel.class));
        runner.withPropertyValues("webllm.chat.model=" + modelFile, "spring.ai.model.chat=webllm")
                .run(context -> assertThat(context).hasSingleBean(WebLlmChatModel.class));
    }

    @Test
    void backsOffWithoutSpringAiOrTheAdapterOnTheClassPath() {
        runner.withPropertyValues("webllm.chat.model=" + modelFile)
                .withClassLoader(new FilteredClassLoader(WebLlmChatModel.class))
                .run(context -> assertThat(context).doesNotHaveBean(WebLlmEngines.class)
                        .doesNotHaveBean(ChatModel.class));
    }

    @Test
    void withoutAConfiguredModelThereIsNoChatModel() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(ChatModel.class);
            assertThat(context).hasSingleBean(ModelRegistry.class).hasSingleBean(ModelStore.class)
                    .hasSingleBean(WebLlmEngines.class);
        });
    }

    @Test
    void applicationBeansReplaceTheAutoConfiguredOnes() {
        ModelRegistry registry = ModelRegistry.empty();
        ScriptedChatEngine own = new ScriptedChatEngine("own", new ChatCompletion("c", "own", 0, List.of(),
                new Usage(0, 0, 0, 0, 0, 0, 0, 0)), List.of(), false);
        WebLlmChatModel mine = WebLlmChatModel.builder().engine(own).build();
        runner.withPropertyValues("webllm.chat.model=" + modelFile)
                .withBean("myModel", WebLlmChatModel.class, () -> mine)
                .withBean(ModelRegistry.class, () -> registry)
                .run(context -> {
                    assertThat(context).hasSingleBean(WebLlmChatModel.class);
                    assertThat(context.getBean(ChatModel.class)).isSameAs(mine);
                    assertThat(context.getBean(ModelRegistry.class)).isSameAs(registry);
                    assertThat(context.getBean(ModelStore.class).registry()).isSameAs(registry);
                    assertThat(factory.loads).isEmpty();
                });
    }

    @Test
    void anApplicationChatEngineServesTheDefaultModel() {
        ScriptedChatEngine own = new ScriptedChatEngine("own", new ChatCompletion("c", "own", 0,
                List.of(new ChatCompletion.Choice(0, "mine", null, List.of(), FinishReason.STOP, null)),
                new Usage(0, 0, 0, 0, 0, 0, 0, 0)), List.of(), false);
        runner.withBean(ChatEngine.class, () -> own).withPropertyValues("webllm.chat.options.seed=4").run(context -> {
            WebLlmChatModel model = context.getBean(WebLlmChatModel.class);
            assertThat(model.engine()).isSameAs(own);
            assertThat(model.call(new Prompt("hi")).getResult().getOutput().getText()).isEqualTo("mine");
            assertThat(own.lastRequest().seed()).isEqualTo(4L);
            assertThat(factory.loads).isEmpty();
        });
    }

    @Test
    void namedModelsAreBeansOfTheirNameWithTheirOwnSettings() throws IOException {
        Path other = Files.write(dir.resolve("other.gguf"), new byte[] {1});
        runner.withPropertyValues("webllm.context-length=256", "webllm.device=cpu",
                "webllm.models.fast.model=" + modelFile, "webllm.models.fast.options.temperature=0",
                "webllm.models.smart.model=" + other, "webllm.models.smart.context-length=1024",
                "webllm.models.smart.primary=true").run(context -> {
            assertThat(context).hasBean("fast").hasBean("smart");
            assertThat(context.getBeansOfType(ChatModel.class)).hasSize(2);
            assertThat(context.getBean(ChatModel.class)).isSameAs(context.getBean("smart"));
            assertThat(factory.loads).extracting(EngineOptions::modelId).containsExactly("tiny-model", "other");
            assertThat(factory.loads).extracting(EngineOptions::contextLength).containsExactly(256, 1024);
            assertThat(factory.loads).extracting(EngineOptions::device).containsOnly(DeviceSelector.of("cpu"));
            assertThat(((WebLlmChatModel) context.getBean("fast")).getOptions().getTemperature()).isEqualTo(0.0);
            ChatClient client = context.getBean(ChatClient.Builder.class).build();
            assertThat(client.prompt("hi").call().content()).isEqualTo("hello from other");
        });
    }

    @Test
    void anApplicationChatModelOfTheSameNameReplacesANamedModel() {
        ScriptedChatEngine own = answering("own answer");
        WebLlmChatModel mine = WebLlmChatModel.builder().engine(own).build();
        runner.withPropertyValues("webllm.models.fast.model=" + modelFile, "webllm.models.smart.model=" + modelFile)
                .withBean("fast", ChatModel.class, () -> mine)
                .run(context -> {
                    assertThat(context.getBean("fast")).isSameAs(mine);
                    assertThat(context.getBean("smart")).isNotSameAs(mine).isInstanceOf(WebLlmChatModel.class);
                    assertThat(factory.loads).hasSize(1);
                });
    }

    @Test
    void theDefaultModelIsPrimaryUnlessANamedOneIsMarked() {
        runner.withPropertyValues("webllm.chat.model=" + modelFile, "webllm.models.second.model=" + modelFile)
                .run(context -> assertThat(context.getBean(ChatModel.class))
                        .isSameAs(context.getBean(ModelSpec.DEFAULT_MODEL_NAME)));
    }

    @Test
    void badConfigurationFailsStartupSayingWhatIsWrong() {
        assertFailure("webllm.context-length=-1", "webllm.context-length must be >= 0");
        assertFailure("webllm.max-sequences=0", "webllm.max-sequences must be >= 1");
        assertFailure("webllm.chat.options.temperature=3", "temperature must be in [0, 2] but was 3.0");
        assertFailure("webllm.chat.options.top-p=0", "top-p must be in (0, 1] but was 0.0");
        assertFailure("webllm.download-policy=sometimes", "webllm.download-policy");
        assertFailure("webllm.chat.model=qwen-does-not-exist", "unknown model id 'qwen-does-not-exist'");
        assertFailure("webllm.chat.model=" + dir.resolve("missing.gguf"), "missing.gguf does not exist");
        assertFailure("webllm.models.a.primary=true,webllm.models.a.model=" + modelFile
                + ",webllm.models.b.primary=true,webllm.models.b.model=" + modelFile, "only one model may be primary");
        assertFailure("webllm.models.2fast.model=" + modelFile, "a model name must start with a letter");
        assertFailure("webllm.models.x.options.top-k=-1", "top-k must be >= 0");
        assertFailure("webllm.models.webLlmEngines.model=" + modelFile, "the name is taken by a bean that is not a "
                + "ChatModel");
        assertFailure("webllm.registry.mine.context-length=4", "webllm.registry.mine.url must be set");
    }

    private void assertFailure(String properties, String message) {
        runner.withPropertyValues(properties.split(",")).run(context -> {
            assertThat(context).hasFailed();
            assertThat(messages(context.getStartupFailure())).as(properties).contains(message);
        });
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    @Test
    void lazyModelsLoadOnTheirFirstRequest() {
        runner.withPropertyValues("webllm.chat.model=" + modelFile, "webllm.lazy=true").run(context -> {
            ManagedChatEngine engine = context.getBean(WebLlmEngines.class).all().getFirst();
            assertThat(factory.loads).isEmpty();
            assertThat(engine.state()).isEqualTo(ManagedChatEngine.State.NOT_LOADED);
            assertThat(health(context)).isEqualTo(Status.UP);

            context.getBean(ChatModel.class).call(new Prompt("hi"));
            assertThat(factory.loads).hasSize(1);
            assertThat(engine.state()).isEqualTo(ManagedChatEngine.State.READY);
        });
    }

    @Test
    void loadingIsPublishedAsEventsAndEnginesCloseWithTheContext() {
        runner.withPropertyValues("webllm.chat.model=" + modelFile).run(context -> {
            Events events = context.getBean(Events.class);
            assertThat(events.of(ModelLoadProgressEvent.class))
                    .extracting(ModelLoadProgressEvent::getModelName, ModelLoadProgressEvent::getPhase,
                            ModelLoadProgressEvent::getFraction)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("webLlmChatModel", "upload", 0.0),
                            org.assertj.core.groups.Tuple.tuple("webLlmChatModel", "upload", 0.5),
                            org.assertj.core.groups.Tuple.tuple("webLlmChatModel", "upload", 1.0));
            assertThat(events.of(ModelStateChangedEvent.class)).extracting(ModelStateChangedEvent::getState)
                    .containsExactly(ManagedChatEngine.State.DOWNLOADING, ManagedChatEngine.State.LOADING,
                            ManagedChatEngine.State.READY);
            assertThat(factory.engines.getFirst().isClosed()).isFalse();
        });
        assertThat(factory.engines.getFirst().isClosed()).isTrue();
    }

    @Test
    void healthAndInfoDescribeTheModels() {
        Path missing = dir.resolve("later.gguf");
        runner.withPropertyValues("webllm.chat.model=" + modelFile, "webllm.models.later.model=" + missing,
                "webllm.models.later.lazy=true").run(context -> {
            assertThat(health(context)).isEqualTo(Status.UP);
            try {
                ((ChatModel) context.getBean("later")).call(new Prompt("hi"));
            } catch (ModelLoadException expected) {
                assertThat(expected).hasMessageContaining("model 'later'").hasMessageContaining("does not exist");
            }
            Health health = context.getBean(WebLlmHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> models = (Map<String, Map<String, Object>>) health.getDetails()
                    .get("models");
            assertThat(models.get("webLlmChatModel")).containsEntry("model", "tiny-model")
                    .containsEntry("state", "ready").containsEntry("file", modelFile.toAbsolutePath().toString());
            assertThat(models.get("later")).containsEntry("state", "failed").containsKey("error");

            Info.Builder info = new Info.Builder();
            context.getBean(WebLlmInfoContributor.class).contribute(info);
            assertThat(info.build().getDetails()).containsKey("webllm");
            assertThat(info.build().get("webllm").toString()).contains("webLlmChatModel").contains("later");
        });
    }

    @Test
    void registryEntriesFromPropertiesAreKnownById() {
        runner.withPropertyValues("webllm.registry.my-model.url=https://example.org/files/my-model-q4.gguf",
                "webllm.registry.my-model.size=2KB", "webllm.registry.my-model.quantization=Q4_0").run(context -> {
            var record = context.getBean(ModelRegistry.class).get("my-model");
            assertThat(record.fileName()).isEqualTo("my-model-q4.gguf");
            assertThat(record.sizeBytes()).isEqualTo(2048L);
            assertThat(record.quantization()).isEqualTo("Q4_0");
            assertThat(context.getBean(ModelRegistry.class).find("qwen2.5-0.5b-instruct-q4_k_m")).isPresent();
        });
    }

    private static Status health(org.springframework.context.ApplicationContext context) {
        return context.getBean(WebLlmHealthIndicator.class).health().getStatus();
    }
}
