package io.webllm.sample.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import io.webllm.sample.SampleApplication;
import io.webllm.sample.model.ModelLoader;
import io.webllm.sample.model.ModelStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The app with the real engine (LocalEngine on OpenCL; PoCL on a machine without a GPU) and the real stories260K
 * model from shared test data, driven by the OpenAI SDK. The model is tiny and was never taught to chat, so these
 * tests check what holds for any model: determinism under a seed, streaming equal to the whole answer, JSON that
 * matches the schema and tool calls that match their parameters (both enforced by constrained decoding).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = SampleApplication.class,
        properties = {
                "webllm.chat.model=${webllm.testdata}/models/stories260K.gguf",
                "webllm.sample.download=never",
                "webllm.sample.data-directory=target/test-data/${random.uuid}",
                "webllm.sample.max-tokens=256"})
class RealEngineTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MODEL = "stories260K";

    @LocalServerPort
    int port;

    @Autowired
    ModelLoader loader;

    private OpenAIClient client() {
        return OpenAIOkHttpClient.builder().baseUrl("http://localhost:" + port + "/v1").apiKey("unused")
                .maxRetries(0).build();
    }

    @BeforeEach
    void modelIsReady() {
        await().atMost(Duration.ofSeconds(60)).until(() -> loader.status().phase() == ModelStatus.Phase.READY
                || loader.status().phase() == ModelStatus.Phase.FAILED);
        assertThat(loader.status().message()).isEmpty();
        assertThat(loader.status().phase()).isEqualTo(ModelStatus.Phase.READY);
    }

    private ChatCompletionCreateParams.Builder story() {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Once upon a time")
                .maxCompletionTokens(24);
    }

    @Test
    void theSameSeedGivesTheSameStory() {
        ChatCompletion first = client().chat().completions().create(story().seed(7L).temperature(0.8).build());
        ChatCompletion again = client().chat().completions().create(story().seed(7L).temperature(0.8).build());

        String text = first.choices().getFirst().message().content().orElseThrow();
        assertThat(text).isNotBlank();
        assertThat(again.choices().getFirst().message().content()).contains(text);
        long tokens = first.usage().orElseThrow().completionTokens();
        assertThat(tokens).isBetween(1L, 24L);
        if (tokens == 24) {
            assertThat(first.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        }
    }

    @Test
    void theStreamAddsUpToTheWholeAnswer() {
        String whole = client().chat().completions().create(story().temperature(0.0).build())
                .choices().getFirst().message().content().orElseThrow();
        StringBuilder streamed = new StringBuilder();
        long[] usage = {-1};
        try (var stream = client().chat().completions().createStreaming(story().temperature(0.0)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                for (ChatCompletionChunk.Choice c : chunk.choices()) {
                    c.delta().content().ifPresent(streamed::append);
                }
                chunk.usage().ifPresent(u -> usage[0] = u.completionTokens());
            });
        }

        assertThat(streamed).hasToString(whole);
        assertThat(usage[0]).isPositive();
    }

    @Test
    void jsonSchemaIsHonouredByConstrainedDecoding() {
        Map<String, Object> schema = Map.of("type", "object",
                "properties", Map.of("done", Map.of("type", "boolean")),
                "required", List.of("done"), "additionalProperties", false);
        ChatCompletion completion = client().chat().completions().create(story()
                .maxCompletionTokens(40)
                .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(
                        ResponseFormatJsonSchema.JsonSchema.builder().name("flag").schema(
                                ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                                        .putAllAdditionalProperties(values(schema)).build()).build()).build())
                .build());

        String content = completion.choices().getFirst().message().content().orElseThrow();
        var validator = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(JSON.writeValueAsString(schema), InputFormat.JSON);
        assertThat(validator.validate(content, InputFormat.JSON)).isEmpty();
    }

    @Test
    void aForcedToolCallHasArgumentsMatchingItsParameters() {
        Map<String, Object> parameters = Map.of("type", "object",
                "properties", Map.of("id", Map.of("type", "integer")),
                "required", List.of("id"), "additionalProperties", false);
        ChatCompletion completion = client().chat().completions().create(story()
                .maxCompletionTokens(200) // the model's 512-token vocabulary spells JSON almost letter by letter
                .addFunctionTool(FunctionDefinition.builder().name("complete_todo")
                        .parameters(FunctionParameters.builder().putAllAdditionalProperties(values(parameters)).build())
                        .build())
                .toolChoice(ChatCompletionNamedToolChoice.builder()
                        .function(ChatCompletionNamedToolChoice.Function.builder().name("complete_todo").build())
                        .build())
                .build());

        var call = completion.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction();
        assertThat(call.function().name()).isEqualTo("complete_todo");
        JsonNode arguments = JSON.readTree(call.function().arguments());
        assertThat(arguments.path("id").isIntegralNumber()).isTrue();
        assertThat(completion.choices().getFirst().finishReason())
                .isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    }

    @Test
    void theChatPageApiStreamsTheModelsTokensThroughChatClient() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var response = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + port + "/api/chat/real1"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"message\": \"Once upon a time\"}"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        List<io.webllm.sample.ServerSentEvents.Event> events;
        try (var sse = new io.webllm.sample.ServerSentEvents(response.body())) {
            events = sse.all();
        }

        long tokens = events.stream().filter(e -> e.name().equals("token")).count();
        assertThat(tokens).isPositive();
        assertThat(events.getLast().name()).isEqualTo("done");
        JsonNode done = JSON.readTree(events.getLast().data());
        assertThat(done.path("tokens").asInt()).isGreaterThanOrEqualTo((int) tokens);
        assertThat(done.path("tokensPerSecond").asDouble()).isPositive();
    }

    private static Map<String, JsonValue> values(Map<String, Object> map) {
        Map<String, JsonValue> values = new java.util.LinkedHashMap<>();
        map.forEach((k, v) -> values.put(k, JsonValue.from(v)));
        return values;
    }
}
