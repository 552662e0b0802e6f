package io.webllm.spring.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.webllm.engine.chat.ChatChunk;
import io.webllm.engine.chat.ChatCompletion;
import io.webllm.engine.chat.ChatMessage;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.chat.FinishReason;
import io.webllm.engine.chat.ResponseFormat;
import io.webllm.engine.chat.ToolCall;
import io.webllm.engine.chat.ToolChoice;
import io.webllm.engine.chat.Usage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.MessageAggregator;
import org.springframework.ai.chat.observation.ChatModelObservationContext;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.content.Media;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.method.MethodToolCallbackProvider;
import org.springframework.util.MimeTypeUtils;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

class WebLlmChatModelTests {

    private static final Usage USAGE = new Usage(12, 3, 4, 0.25, 480.0, 96.5, 0.3, 0.001);

    private static final ChatCompletion COMPLETION = new ChatCompletion("chatcmpl-1", "tiny", 1_700_000_000L,
            List.of(new ChatCompletion.Choice(0, "It is sunny.", "check the sky",
                    List.of(new ToolCall("call_1", "weather", "{\"city\":\"Paris\"}")), FinishReason.TOOL_CALLS,
                    null)),
            USAGE);

    private static final List<ChatChunk> CHUNKS = List.of(
            chunk(new ChatChunk.Delta(0, "It ", "hm", List.of(), null, null)),
            chunk(new ChatChunk.Delta(0, "is ", " ok", List.of(), null, null)),
            chunk(new ChatChunk.Delta(0, "", null, List.of(new ToolCall("call_7", "weather", "{\"city\":\"Oslo\"}")),
                    null, null)),
            chunk(new ChatChunk.Delta(0, "done", null, List.of(), FinishReason.TOOL_CALLS, null)),
            new ChatChunk("chatcmpl-2", "tiny", 1_700_000_001L, List.of(), USAGE));

    private ScriptedChatEngine engine = new ScriptedChatEngine("tiny", COMPLETION, CHUNKS, false);

    private static ChatChunk chunk(ChatChunk.Delta delta) {
        return new ChatChunk("chatcmpl-2", "tiny", 1_700_000_001L, List.of(delta), null);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private WebLlmChatModel model(WebLlmChatOptions defaults) {
        return WebLlmChatModel.builder().engine(engine).defaultOptions(defaults).build();
    }

    @Test
    void convertsEveryKindOfMessage() {
        var assistant = AssistantMessage.builder().content("calling")
                .toolCalls(List.of(new AssistantMessage.ToolCall("c1", "function", "weather", "{\"city\":\"Rome\"}")))
                .build();
        var toolResult = ToolResponseMessage.builder().responses(List.of(
                new ToolResponseMessage.ToolResponse("c1", "weather", "{\"celsius\":21}"),
                new ToolResponseMessage.ToolResponse("c2", "time", "noon"))).build();
        model(WebLlmChatOptions.builder().build()).call(new Prompt(List.of(new SystemMessage("be brief"),
                new UserMessage("weather in Rome?"), assistant, toolResult)));

        assertThat(engine.lastRequest().messages()).containsExactly(
                ChatMessage.system("be brief"),
                ChatMessage.user("weather in Rome?"),
                ChatMessage.assistant("calling", List.of(new ToolCall("c1", "weather", "{\"city\":\"Rome\"}"))),
                ChatMessage.tool("c1", "weather", "{\"celsius\":21}"),
                ChatMessage.tool("c2", "time", "noon"));
    }

    @Test
    void mapsEverySamplingOptionIntoTheRequest() {
        WebLlmChatOptions options = WebLlmChatOptions.builder().maxTokens(7).temperature(0.3).topP(0.8).topK(20)
                .minP(0.05).seed(42L).stopSequences(List.of("END")).frequencyPenalty(0.1).presencePenalty(0.2)
                .repetitionPenalty(1.1).logitBias(Map.of(5, -100f)).logprobs(true).topLogprobs(3).n(2)
                .responseFormat(ResponseFormat.JSON_OBJECT).enableThinking(false).build();
        model(options).call(new Prompt("hi"));

        ChatRequest r = engine.lastRequest();
        assertThat(r.maxTokens()).isEqualTo(7);
        assertThat(r.temperature()).isEqualTo(0.3);
        assertThat(r.topP()).isEqualTo(0.8);
        assertThat(r.topK()).isEqualTo(20);
        assertThat(r.minP()).isEqualTo(0.05);
        assertThat(r.seed()).isEqualTo(42L);
        assertThat(r.stop()).containsExactly("END");
        assertThat(r.frequencyPenalty()).isEqualTo(0.1);
        assertThat(r.presencePenalty()).isEqualTo(0.2);
        assertThat(r.repetitionPenalty()).isEqualTo(1.1);
        assertThat(r.logitBias()).isEqualTo(Map.of(5, -100f));
        assertThat(r.logprobs()).isTrue();
        assertThat(r.topLogprobs()).isEqualTo(3);
        assertThat(r.n()).isEqualTo(2);
        assertThat(r.responseFormat()).isEqualTo(ResponseFormat.JSON_OBJECT);
        assertThat(r.enableThinking()).isFalse();
        assertThat(r.tools()).isEmpty();
        assertThat(r.toolChoice()).isEqualTo(ToolChoice.NONE);
    }

    @Test
    void promptOptionsOverrideTheDefaultsFieldByField() {
        WebLlmChatModel model = model(WebLlmChatOptions.builder().temperature(0.2).maxTokens(50).seed(1L).build());
        model.call(new Prompt("hi", ChatOptions.builder().maxTokens(9).build()));
        assertThat(engine.lastRequest().maxTokens()).isEqualTo(9);
        assertThat(engine.lastRequest().temperature()).isEqualTo(0.2);
        assertThat(engine.lastRequest().seed()).isEqualTo(1L);

        model.call(new Prompt("hi", WebLlmChatOptions.builder().seed(7L).build()));
        assertThat(engine.lastRequest().seed()).isEqualTo(7L);
        assertThat(engine.lastRequest().maxTokens()).isEqualTo(50);
    }

    static class WeatherTools {
        @Tool(description = "Current weather in a city")
        String weather(String city) {
            return "sunny in " + city;
        }
    }

    @Test
    void offersResolvedToolDefinitionsAndHonoursToolChoice() {
        ToolCallback[] callbacks = MethodToolCallbackProvider.builder().toolObjects(new WeatherTools()).build()
                .getToolCallbacks();
        WebLlmChatModel model = model(WebLlmChatOptions.builder().build());
        model.call(new Prompt("weather?", WebLlmChatOptions.builder().toolCallbacks(callbacks).build()));

        var expected = callbacks[0].getToolDefinition();
        assertThat(engine.lastRequest().tools()).containsExactly(new io.webllm.engine.chat.ToolDefinition(
                expected.name(), expected.description(), expected.inputSchema()));
        assertThat(engine.lastRequest().toolChoice()).isEqualTo(ToolChoice.AUTO);

        model.call(new Prompt("weather?", WebLlmChatOptions.builder().toolCallbacks(callbacks)
                .toolChoice(ToolChoice.function("weather")).build()));
        assertThat(engine.lastRequest().toolChoice()).isEqualTo(ToolChoice.function("weather"));

        model.call(new Prompt("weather?", WebLlmChatOptions.builder().toolCallbacks(callbacks)
                .toolChoice(ToolChoice.NONE).build()));
        assertThat(engine.lastRequest().tools()).isEmpty();
    }

    @Test
    void aForcedToolChoiceIsRelaxedOnceTheToolHasAnswered() {
        ToolCallback[] callbacks = MethodToolCallbackProvider.builder().toolObjects(new WeatherTools()).build()
                .getToolCallbacks();
        var call = AssistantMessage.builder().content("")
                .toolCalls(List.of(new AssistantMessage.ToolCall("c1", "function", "weather", "{\"city\":\"Oslo\"}")))
                .build();
        var answer = ToolResponseMessage.builder()
                .responses(List.of(new ToolResponseMessage.ToolResponse("c1", "weather", "sunny"))).build();
        model(WebLlmChatOptions.builder().build()).call(new Prompt(List.of(new UserMessage("weather?"), call, answer),
                WebLlmChatOptions.builder().toolCallbacks(callbacks).toolChoice(ToolChoice.REQUIRED).build()));

        assertThat(engine.lastRequest().toolChoice()).isEqualTo(ToolChoice.AUTO);
        assertThat(engine.lastRequest().tools()).hasSize(1);
    }

    @Test
    void anOutputSchemaBecomesAJsonSchemaResponseFormat() {
        String schema = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"]}";
        WebLlmChatOptions options = WebLlmChatOptions.builder().build().mutate().outputSchema(schema).build();
        model(WebLlmChatOptions.builder().build()).call(new Prompt("count", options));
        assertThat(engine.lastRequest().responseFormat()).isEqualTo(ResponseFormat.jsonSchema(schema));
    }

    @Test
    void callReturnsContentToolCallsFinishReasonUsageAndTimings() {
        ChatResponse response = model(WebLlmChatOptions.builder().build()).call(new Prompt("weather?"));

        AssistantMessage output = response.getResult().getOutput();
        assertThat(output.getText()).isEqualTo("It is sunny.");
        assertThat(output.getToolCalls()).containsExactly(
                new AssistantMessage.ToolCall("call_1", "function", "weather", "{\"city\":\"Paris\"}"));
        assertThat(output.getMetadata()).containsEntry(WebLlmMetadata.REASONING_CONTENT, "check the sky");
        assertThat(response.getResult().getMetadata().getFinishReason()).isEqualTo("TOOL_CALLS");
        assertThat(response.hasToolCalls()).isTrue();

        var metadata = response.getMetadata();
        assertThat(metadata.getId()).isEqualTo("chatcmpl-1");
        assertThat(metadata.getModel()).isEqualTo("tiny");
        assertThat(metadata.getUsage().getPromptTokens()).isEqualTo(12);
        assertThat(metadata.getUsage().getCompletionTokens()).isEqualTo(3);
        assertThat(metadata.getUsage().getTotalTokens()).isEqualTo(15);
        assertThat(metadata.getUsage().getNativeUsage()).isSameAs(USAGE);
        assertThat(((DefaultUsage) metadata.getUsage()).getCacheReadInputTokens()).isEqualTo(4L);
        assertThat((Duration) metadata.get(WebLlmMetadata.TIME_TO_FIRST_TOKEN)).isEqualTo(Duration.ofMillis(250));
        assertThat((Double) metadata.get(WebLlmMetadata.PREFILL_TOKENS_PER_SECOND)).isEqualTo(480.0);
        assertThat((Double) metadata.get(WebLlmMetadata.DECODE_TOKENS_PER_SECOND)).isEqualTo(96.5);
        assertThat((Duration) metadata.get(WebLlmMetadata.END_TO_END_LATENCY)).isEqualTo(Duration.ofMillis(300));
        assertThat((Integer) metadata.get(WebLlmMetadata.CACHED_PROMPT_TOKENS)).isEqualTo(4);
    }

    @Test
    void streamDeliversDeltasOffTheEngineThreadAndAggregatesLikeSpringAi() {
        List<String> threads = new CopyOnWriteArrayList<>();
        List<ChatResponse> responses = model(WebLlmChatOptions.builder().build()).stream(new Prompt("weather?"))
                .doOnNext(r -> threads.add(Thread.currentThread().getName()))
                .collectList().block(Duration.ofSeconds(10));

        assertThat(responses).hasSize(5);
        assertThat(threads).noneMatch(t -> t.equals(ScriptedChatEngine.THREAD_NAME));
        assertThat(responses).map(r -> r.getResult().getOutput().getText())
                .containsExactly("It ", "is ", "", "done", "");
        assertThat(responses.get(1).getResult().getOutput().getMetadata())
                .containsEntry(WebLlmMetadata.REASONING_CONTENT, "hm ok");
        ChatResponse last = responses.getLast();
        assertThat(last.getResult().getMetadata().getFinishReason()).isEqualTo("TOOL_CALLS");
        assertThat(last.getMetadata().getUsage().getTotalTokens()).isEqualTo(15);
        assertThat((Double) last.getMetadata().get(WebLlmMetadata.DECODE_TOKENS_PER_SECOND)).isEqualTo(96.5);

        ChatResponse[] aggregated = new ChatResponse[1];
        new MessageAggregator().aggregate(reactor.core.publisher.Flux.fromIterable(responses), r -> aggregated[0] = r)
                .blockLast();
        assertThat(aggregated[0].getResult().getOutput().getText()).isEqualTo("It is done");
        assertThat(aggregated[0].getResult().getOutput().getToolCalls()).containsExactly(
                new AssistantMessage.ToolCall("call_7", "function", "weather", "{\"city\":\"Oslo\"}"));
        assertThat(aggregated[0].hasToolCalls()).isTrue();
        assertThat(aggregated[0].getResult().getMetadata().getFinishReason()).isEqualTo("TOOL_CALLS");
    }

    @Test
    void cancellingTheFluxCancelsTheEngineStream() throws InterruptedException {
        engine.close();
        engine = new ScriptedChatEngine("tiny", COMPLETION, CHUNKS.subList(0, 2), true);
        List<ChatResponse> first = model(WebLlmChatOptions.builder().build()).stream(new Prompt("go"))
                .take(1).collectList().block(Duration.ofSeconds(10));

        assertThat(first).hasSize(1);
        for (int i = 0; i < 100 && engine.cancellations() == 0; i++) {
            Thread.sleep(10);
        }
        assertThat(engine.cancellations()).isEqualTo(1);
    }

    @Test
    void callRefusesToBlockANonBlockingThread() {
        WebLlmChatModel model = model(WebLlmChatOptions.builder().build());
        Mono<ChatResponse> onParallel = Mono.fromCallable(() -> model.call(new Prompt("hi")))
                .subscribeOn(Schedulers.parallel());
        assertThatThrownBy(() -> onParallel.block(Duration.ofSeconds(10)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("non-blocking thread");
        assertThat(engine.requests()).isEmpty();
    }

    @Test
    void refusesAnotherModelAndMedia() {
        WebLlmChatModel model = model(WebLlmChatOptions.builder().build());
        assertThatThrownBy(() -> model.call(new Prompt("hi", ChatOptions.builder().model("other").build())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("serves the model 'tiny'").hasMessageContaining("'other'");
        var picture = UserMessage.builder().text("what is this?")
                .media(List.of(new Media(MimeTypeUtils.IMAGE_PNG, new org.springframework.core.io.ByteArrayResource(
                        new byte[] {1, 2})))).build();
        assertThatThrownBy(() -> model.call(new Prompt(List.of(picture))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text only");
    }

    @Test
    void defaultsNameTheEnginesModel() {
        assertThat(model(WebLlmChatOptions.builder().temperature(0.5).build()).getOptions())
                .isEqualTo(WebLlmChatOptions.builder().temperature(0.5).model("tiny").build());
    }

    @Test
    void observesCallsAndStreamsWithSpringAiConventions() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        List<ChatModelObservationContext> stopped = new CopyOnWriteArrayList<>();
        registry.observationConfig().observationHandler(new ObservationHandler<ChatModelObservationContext>() {
            @Override
            public void onStop(ChatModelObservationContext context) {
                stopped.add(context);
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return context instanceof ChatModelObservationContext;
            }
        });
        WebLlmChatModel model = WebLlmChatModel.builder().engine(engine).observationRegistry(registry).build();
        model.call(new Prompt("hi"));
        TestObservationRegistryAssert.assertThat(registry).hasNumberOfObservationsEqualTo(1)
                .hasObservationWithNameEqualTo("gen_ai.client.operation").that()
                .hasContextualNameEqualTo("chat tiny")
                .hasLowCardinalityKeyValue("gen_ai.system", WebLlmMetadata.PROVIDER)
                .hasLowCardinalityKeyValue("gen_ai.request.model", "tiny")
                .hasLowCardinalityKeyValue("gen_ai.response.model", "tiny")
                .hasBeenStarted().hasBeenStopped();

        model.stream(new Prompt("hi")).blockLast(Duration.ofSeconds(10));
        // the observation stops in doFinally, which runs just after the last signal reached the subscriber
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> stopped.size() == 2);
        assertThat(stopped.getFirst().isStreaming()).isFalse();
        assertThat(stopped.get(1).isStreaming()).isTrue();
        assertThat(stopped.get(1).getResponse().getMetadata().getUsage().getTotalTokens()).isEqualTo(15);
        assertThat(stopped.get(1).getResponse().getResult().getOutput().getText()).isEqualTo("It is done");
    }
}
