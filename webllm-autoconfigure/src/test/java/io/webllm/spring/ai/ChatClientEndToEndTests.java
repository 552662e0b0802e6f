package io.webllm.spring.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.chat.ToolChoice;
import io.webllm.engine.opencl.DeviceSelector;
import io.webllm.engine.runtime.EngineOptions;
import io.webllm.engine.runtime.LocalEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.annotation.ToolParam;

/**
 * A real {@link ChatClient} on a real engine: stories260K (shared/testdata) on the OpenCL device the tests run on
 * (PoCL on a CPU). A pass-through chat template makes the prompt exactly the user's text, so greedy answers can be
 * checked against llama.cpp's reference continuation of "Once upon a time".
 */
class ChatClientEndToEndTests {

    static final String PASS_THROUGH = "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}";
    /** llama.cpp's first 64 greedy tokens after "Once upon a time" (shared/testdata/README.md). */
    static final String REFERENCE = ", there was a little girl named Lily. She loved to play outside in the park. "
            + "One day, she saw a big, red ball. She wanted to play with it, but it was too high.\nLily's mom said";

    static LocalEngine engine;
    static ChatClient client;

    static Path testData(String name) {
        return Path.of(System.getProperty("webllm.testdata"), "models", name);
    }

    @BeforeAll
    static void load() {
        engine = LocalEngine.load(EngineOptions.of(testData("stories260K.gguf"))
                .withChatTemplate(PASS_THROUGH).withContextLength(512).withMaxSequences(2)
                .withDevice(DeviceSelector.of(System.getProperty("webllm.test.device", "auto"))));
        WebLlmChatModel model = WebLlmChatModel.builder().engine(engine)
                .defaultOptions(WebLlmChatOptions.builder().temperature(0.0).maxTokens(64).build()).build();
        client = ChatClient.builder(model).build();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void callAnswersAsLlamaCppDoes() {
        ChatResponse response = client.prompt().user("Once upon a time").call().chatResponse();

        assertThat(response.getResult().getOutput().getText()).isEqualTo(REFERENCE);
        assertThat(response.getResult().getMetadata().getFinishReason()).isEqualTo("LENGTH");
        assertThat(response.getMetadata().getModel()).isEqualTo("stories260K");
        assertThat(response.getMetadata().getUsage().getPromptTokens()).isEqualTo(5);
        assertThat(response.getMetadata().getUsage().getCompletionTokens()).isEqualTo(64);
        assertThat((Double) response.getMetadata().get(WebLlmMetadata.DECODE_TOKENS_PER_SECOND)).isPositive();
        assertThat((Duration) response.getMetadata().get(WebLlmMetadata.TIME_TO_FIRST_TOKEN)).isPositive();
    }

    @Test
    void streamDeliversTheSameAnswerPieceByPiece() {
        List<ChatResponse> responses = client.prompt().user("Once upon a time").stream().chatResponse()
                .collectList().block(Duration.ofSeconds(60));

        assertThat(responses).hasSizeGreaterThan(10);
        assertThat(String.join("", responses.stream().map(r -> r.getResult().getOutput().getText()).toList()))
                .isEqualTo(REFERENCE);
        assertThat(responses.getLast().getMetadata().getUsage().getCompletionTokens()).isEqualTo(64);
        assertThat(responses.getLast().getResult().getMetadata().getFinishReason()).isEqualTo("LENGTH");
    }

    @Test
    void optionsPerRequestOverrideTheDefaults() {
        String five = client.prompt().user("Once upon a time").options(WebLlmChatOptions.builder().maxTokens(5))
                .call().content();
        ChatResponse sampled = client.prompt().user("Once upon a time")
                .options(WebLlmChatOptions.builder().temperature(1.0).seed(123L).maxTokens(12)).call().chatResponse();
        ChatResponse sampledAgain = client.prompt().user("Once upon a time")
                .options(WebLlmChatOptions.builder().temperature(1.0).seed(123L).maxTokens(12)).call().chatResponse();

        assertThat(REFERENCE).startsWith(five);
        assertThat(five.length()).isLessThan(REFERENCE.length() / 4);
        assertThat(sampled.getMetadata().getUsage().getCompletionTokens()).isEqualTo(12);
        assertThat(sampledAgain.getResult().getOutput().getText()).isEqualTo(sampled.getResult().getOutput().getText());
    }

    enum City { PARIS, OSLO, ROME }

    /** A tool whose argument is an enum, so that the random little model's forced call is short. */
    static final class Weather {
        final List<City> cities = new CopyOnWriteArrayList<>();

        @Tool(description = "The weather in a city")
        String currentWeather(@ToolParam(description = "the city") City city) {
            cities.add(city);
            return " It was sunny in " + city + ".";
        }
    }

    @Test
    void aToolCallGoesThroughTheToolCallingAdvisorAndBack() {
        Weather weather = new Weather();
        ChatResponse response = client.prompt().user("Once upon a time").tools(weather)
                .options(WebLlmChatOptions.builder().toolChoice(ToolChoice.function("currentWeather")).maxTokens(100)
                        .temperature(1.0).seed(5L))
                .call().chatResponse();

        assertThat(weather.cities).hasSize(1);
        assertThat(response.hasToolCalls()).isFalse();
        assertThat(response.getResult().getOutput().getText()).isNotEmpty();
        assertThat(response.getResult().getMetadata().getFinishReason()).isIn("STOP", "LENGTH");
    }

    @Test
    void aToolCallIsStreamedToTheAdvisorToo() {
        Weather weather = new Weather();
        List<ChatResponse> responses = client.prompt().user("Once upon a time").tools(weather)
                .options(WebLlmChatOptions.builder().toolChoice(ToolChoice.REQUIRED).maxTokens(100).temperature(1.0)
                        .seed(8L))
                .stream().chatResponse().collectList().block(Duration.ofSeconds(60));

        assertThat(weather.cities).hasSize(1);
        assertThat(responses).noneMatch(ChatResponse::hasToolCalls);
        assertThat(String.join("", responses.stream().map(r -> r.getResult().getOutput().getText()).toList()))
                .isNotEmpty();
    }

    enum Mood { HAPPY, SAD, SLEEPY }

    record Character(Mood mood, boolean brave) {
    }

    @Test
    void entityIsAlwaysParseableWithTheSchemaEnforced() {
        for (long seed = 1; seed <= 3; seed++) {
            long s = seed;
            Character character = client.prompt().user("Once upon a time")
                    .options(WebLlmChatOptions.builder().temperature(1.0).seed(s).maxTokens(200))
                    .call().entity(Character.class, spec -> spec.useProviderStructuredOutput());
            assertThat(character).isNotNull();
            assertThat(character.mood()).isIn((Object[]) Mood.values());
        }
    }

    @Test
    void cancellingTheStreamStopsGenerationAndFreesTheEngine() {
        List<ChatResponse> firstTwo = client.prompt().user("Once upon a time")
                .options(WebLlmChatOptions.builder().maxTokens(400)).stream().chatResponse().take(2)
                .collectList().block(Duration.ofSeconds(60));
        assertThat(firstTwo).hasSize(2);

        // both sequences of the engine are free again: two answers at once still match the reference
        List<String> both = reactor.core.publisher.Flux.range(0, 2)
                .flatMap(i -> client.prompt().user("Once upon a time").stream().content()
                        .reduce("", String::concat))
                .collectList().block(Duration.ofSeconds(60));
        assertThat(both).containsExactly(REFERENCE, REFERENCE);
    }
}
