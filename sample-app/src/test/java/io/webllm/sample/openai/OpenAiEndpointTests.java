package io.webllm.sample.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.models.Model;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.chat.ResponseFormat;
import io.webllm.engine.chat.Role;
import io.webllm.engine.chat.ToolChoice;
import io.webllm.sample.RunningApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /v1} driven by the official OpenAI Java SDK: what the SDK sends must reach the engine field for field, and
 * what the engine answers must come back through the SDK's own parsing.
 */
class OpenAiEndpointTests extends RunningApp {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private OpenAIClient client() {
        return OpenAIOkHttpClient.builder().baseUrl(baseUrl() + "/v1").apiKey(API_KEY).maxRetries(0).build();
    }

    private ChatRequest lastEngineRequest() {
        return engine.requests().getLast();
    }

    @Test
    void completionCarriesEveryFieldToTheEngineAndTheAnswerBack() {
        ChatCompletion completion = client().chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addSystemMessage("be brief")
                .addUserMessage("hello there")
                .maxCompletionTokens(64)
                .temperature(0.5)
                .topP(0.9)
                .seed(1234L)
                .stopOfStrings(List.of("END"))
                .frequencyPenalty(0.25)
                .presencePenalty(0.5)
                .logprobs(true)
                .topLogprobs(2L)
                .build());

        ChatRequest sent = lastEngineRequest();
        assertThat(sent.messages()).extracting(m -> m.role(), m -> m.content())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Role.SYSTEM, "be brief"),
                        org.assertj.core.groups.Tuple.tuple(Role.USER, "hello there"));
        assertThat(sent.maxTokens()).isEqualTo(64);
        assertThat(sent.temperature()).isEqualTo(0.5);
        assertThat(sent.topP()).isEqualTo(0.9);
        assertThat(sent.seed()).isEqualTo(1234L);
        assertThat(sent.stop()).containsExactly("END");
        assertThat(sent.frequencyPenalty()).isEqualTo(0.25);
        assertThat(sent.presencePenalty()).isEqualTo(0.5);
        assertThat(sent.logprobs()).isTrue();
        assertThat(sent.topLogprobs()).isEqualTo(2);

        assertThat(completion.model()).isEqualTo(MODEL);
        ChatCompletion.Choice choice = completion.choices().getFirst();
        assertThat(choice.message().content()).contains("You said: hello there");
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        var logprobs = choice.logprobs().orElseThrow().content().orElseThrow();
        assertThat(logprobs).extracting(t -> t.token()).containsExactly("You ", "said: ", "hello ", "there");
        assertThat(logprobs.getFirst().topLogprobs()).hasSize(2);
        assertThat(logprobs.getFirst().bytes().orElseThrow()).containsExactly(89L, 111L, 117L, 32L); // "You "
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(4);
        assertThat(completion.usage().orElseThrow().totalTokens())
                .isEqualTo(completion.usage().orElseThrow().promptTokens() + 4);
    }

    @Test
    void noMaxTokensMeansTheServersCap() {
        client().chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("cap please").build());

        assertThat(lastEngineRequest().maxTokens()).isEqualTo(MAX_TOKENS);
    }

    @Test
    void streamingDeliversTheSameTextInPiecesAndUsageLast() {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(
                ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessage("stream these five words")
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                        .build())) {
            stream.stream().forEach(chunks::add);
        }

        StringBuilder text = new StringBuilder();
        int pieces = 0;
        for (ChatCompletionChunk chunk : chunks) {
            for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                if (choice.delta().content().isPresent() && !choice.delta().content().get().isEmpty()) {
                    text.append(choice.delta().content().get());
                    pieces++;
                }
            }
        }
        assertThat(text).hasToString("You said: stream these five words");
        assertThat(pieces).isEqualTo(6);
        assertThat(chunks.getFirst().choices().getFirst().delta().role()).isPresent();
        ChatCompletionChunk last = chunks.getLast();
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(6);
        assertThat(chunks.get(chunks.size() - 2).choices().getFirst().finishReason())
                .contains(ChatCompletionChunk.Choice.FinishReason.STOP);
    }

    @Test
    void streamWithoutIncludeUsageEndsWithDoneAndNoUsageChunk() throws Exception {
        HttpResponse<String> response = post("""
                {"model": "stories260K", "stream": true, "messages": [{"role": "user", "content": "two words"}]}
                """, true);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("text/event-stream"));
        List<String> data = response.body().lines().filter(l -> l.startsWith("data:"))
                .map(l -> l.substring(5).strip()).toList();
        assertThat(data.getLast()).isEqualTo("[DONE]");
        for (String event : data.subList(0, data.size() - 1)) {
            JsonNode chunk = JSON.readTree(event);
            assertThat(chunk.path("object").stringValue()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.path("choices")).isNotEmpty();
            assertThat(chunk.has("usage")).isFalse();
        }
    }

    @Test
    void toolRoundTripWithTheSdk() {
        FunctionDefinition addTodo = FunctionDefinition.builder()
                .name("add_todo")
                .description("Add a to-do")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("title", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("title")))
                        .build())
                .build();
        ChatCompletionCreateParams first = ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage("add water the plants")
                .addFunctionTool(addTodo)
                .toolChoice(ChatCompletionToolChoiceOption.Auto.AUTO)
                .build();

        ChatCompletion call = client().chat().completions().create(first);

        ChatRequest sent = lastEngineRequest();
        assertThat(sent.tools()).singleElement().satisfies(tool -> {
            assertThat(tool.name()).isEqualTo("add_todo");
            assertThat(JSON.readTree(tool.parametersSchema()).path("required").get(0).stringValue()).isEqualTo("title");
        });
        assertThat(sent.toolChoice()).isEqualTo(ToolChoice.AUTO);
        ChatCompletion.Choice choice = call.choices().getFirst();
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall toolCall = choice.message().toolCalls().orElseThrow().getFirst().asFunction();
        assertThat(toolCall.function().name()).isEqualTo("add_todo");
        assertThat(JSON.readTree(toolCall.function().arguments()).path("title").stringValue())
                .isEqualTo("water the plants");

        ChatCompletion answer = client().chat().completions().create(first.toBuilder()
                .addMessage(choice.message())
                .addMessage(ChatCompletionToolMessageParam.builder()
                        .toolCallId(toolCall.id())
                        .content("added #7 water the plants")
                        .build())
                .build());

        ChatRequest second = lastEngineRequest();
        assertThat(second.messages()).hasSize(3);
        assertThat(second.messages().get(1).toolCalls()).singleElement()
                .satisfies(c -> assertThat(c.id()).isEqualTo(toolCall.id()));
        assertThat(second.messages().get(2).role()).isEqualTo(Role.TOOL);
        assertThat(second.messages().get(2).toolCallId()).isEqualTo(toolCall.id());
        assertThat(answer.choices().getFirst().message().content()).contains("Done: added #7 water the plants");
    }

    @Test
    void streamedToolCallsAreNumberedDeltas() {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (var stream = client().chat().completions().createStreaming(ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage("how many are open?")
                .addFunctionTool(FunctionDefinition.builder().name("count_open_todos").build())
                .build())) {
            stream.stream().forEach(chunks::add);
        }

        var calls = chunks.stream().flatMap(c -> c.choices().stream())
                .flatMap(c -> c.delta().toolCalls().orElse(List.of()).stream()).toList();
        assertThat(calls).singleElement().satisfies(call -> {
            assertThat(call.index()).isZero();
            assertThat(call.function().orElseThrow().name()).contains("count_open_todos");
        });
    }

    @Test
    void jsonSchemaReachesTheEngineAndTheAnswerValidates() {
        Map<String, Object> schema = Map.of(
                "type", "object",
                "properties", Map.of(
                        "title", Map.of("type", "string"),
                        "priority", Map.of("type", "integer", "minimum", 1),
                        "tags", Map.of("type", "array", "items", Map.of("type", "string"))),
                "required", List.of("title", "priority", "tags"),
                "additionalProperties", false);
        ChatCompletion completion = client().chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage("make me a to-do as JSON")
                .responseFormat(ResponseFormatJsonSchema.builder()
                        .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                                .name("todo")
                                .strict(true)
                                .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                                        .putAllAdditionalProperties(toJsonValues(schema))
                                        .build())
                                .build())
                        .build())
                .build());

        ResponseFormat sent = lastEngineRequest().responseFormat();
        assertThat(sent.type()).isEqualTo(ResponseFormat.Type.JSON_SCHEMA);
        assertThat(JSON.readTree(sent.schema())).isEqualTo(JSON.valueToTree(schema));
        String content = completion.choices().getFirst().message().content().orElseThrow();
        Schema validator = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(JSON.writeValueAsString(schema), InputFormat.JSON);
        assertThat(validator.validate(content, InputFormat.JSON)).isEmpty();
    }

    @Test
    void everyRequestShapeMapsOntoTheEngine() throws Exception {
        HttpResponse<String> response = post("""
                {"model": "stories260K", "n": 2, "max_tokens": 30, "stop": "STOP", "top_k": 40, "min_p": 0.05,
                 "repetition_penalty": 1.1, "logit_bias": {"17": -100, "42": 5.5},
                 "response_format": {"type": "json_object"},
                 "messages": [
                   {"role": "developer", "content": "answer in JSON"},
                   {"role": "user", "content": [{"type": "text", "text": "two "}, {"type": "text", "text": "parts"}]}]}
                """, true);

        assertThat(response.statusCode()).isEqualTo(200);
        ChatRequest sent = lastEngineRequest();
        assertThat(sent.n()).isEqualTo(2);
        assertThat(sent.maxTokens()).isEqualTo(30);
        assertThat(sent.stop()).containsExactly("STOP");
        assertThat(sent.topK()).isEqualTo(40);
        assertThat(sent.minP()).isEqualTo(0.05);
        assertThat(sent.repetitionPenalty()).isEqualTo(1.1);
        assertThat(sent.logitBias()).containsExactlyInAnyOrderEntriesOf(Map.of(17, -100f, 42, 5.5f));
        assertThat(sent.responseFormat()).isEqualTo(ResponseFormat.JSON_OBJECT);
        assertThat(sent.messages().get(0).role()).isEqualTo(Role.SYSTEM);
        assertThat(sent.messages().get(1).content()).isEqualTo("two parts");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("choices")).hasSize(2);
        assertThat(body.path("choices").get(1).path("index").asInt()).isEqualTo(1);
        assertThat(JSON.readTree(body.path("choices").get(0).path("message").path("content").stringValue())
                .path("answer").stringValue()).isEqualTo("two parts");
    }

    @Test
    void toolChoiceModesMapOntoTheEngine() throws Exception {
        String tools = """
                "tools": [{"type": "function", "function": {"name": "add_todo",
                  "parameters": {"type": "object", "properties": {"title": {"type": "string"}}}}}]""";
        for (var mode : Map.of("\"none\"", ToolChoice.NONE, "\"required\"", ToolChoice.REQUIRED,
                "{\"type\": \"function\", \"function\": {\"name\": \"add_todo\"}}",
                ToolChoice.function("add_todo")).entrySet()) {
            HttpResponse<String> response = post("{\"model\": \"stories260K\", " + tools + ", \"tool_choice\": "
                    + mode.getKey() + ", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", true);
            assertThat(response.statusCode()).as(mode.getKey()).isEqualTo(200);
            assertThat(lastEngineRequest().toolChoice()).isEqualTo(mode.getValue());
        }

        HttpResponse<String> unknown = post("{\"model\": \"stories260K\", " + tools + ", \"tool_choice\": "
                + "{\"type\": \"function\", \"function\": {\"name\": \"rm_rf\"}}, "
                + "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", true);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(unknown.body()).path("error").path("param").stringValue()).isEqualTo("tool_choice");
    }

    @Test
    void aFailureAfterTheFirstChunkEndsTheStreamWithAnErrorEvent() throws Exception {
        HttpResponse<String> response = post("""
                {"model": "stories260K", "stream": true, "messages": [{"role": "user", "content": "fail midway please"}]}
                """, true);

        assertThat(response.statusCode()).isEqualTo(200);
        List<String> data = response.body().lines().filter(l -> l.startsWith("data:"))
                .map(l -> l.substring(5).strip()).toList();
        assertThat(data).hasSize(3).doesNotContain("[DONE]");
        assertThat(JSON.readTree(data.get(0)).path("choices").get(0).path("delta").path("content").stringValue())
                .isEqualTo("You ");
        JsonNode error = JSON.readTree(data.getLast()).path("error");
        assertThat(error.path("type").stringValue()).isEqualTo("server_error");
        assertThat(error.path("message").stringValue()).doesNotContain("device lost"); // internals stay in the log
    }

    @Test
    void modelsListsTheLoadedModel() {
        List<Model> models = client().models().list().data();

        assertThat(models).extracting(Model::id).containsExactly(MODEL);
        assertThat(client().models().retrieve(MODEL).id()).isEqualTo(MODEL);
    }

    @Test
    void unknownModelIs404InOpenAiFormat() {
        assertThatThrownBy(() -> client().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o").addUserMessage("hi").build()))
                .asInstanceOf(type(NotFoundException.class))
                .satisfies(e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.code()).contains("model_not_found");
                    assertThat(e.param()).contains("model");
                });
    }

    @Test
    void invalidFieldIs400NamingTheField() {
        assertThatThrownBy(() -> client().chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("hi").temperature(3.5).build()))
                .asInstanceOf(type(BadRequestException.class))
                .satisfies(e -> {
                    assertThat(e.param()).contains("temperature");
                    assertThat(e.type()).contains("invalid_request_error");
                });
        assertThatThrownBy(() -> client().chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("hi").maxCompletionTokens(MAX_TOKENS + 1).build()))
                .asInstanceOf(type(BadRequestException.class))
                .satisfies(e -> assertThat(e.param()).contains("max_completion_tokens"));
    }

    @Test
    void engineRefusalsKeepTheirFieldAndStatus() throws Exception {
        HttpResponse<String> invalid = post("""
                {"model": "stories260K", "top_k": -1, "messages": [{"role": "user", "content": "hi"}]}""", true);
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(invalid.body()).path("error").path("param").stringValue()).isEqualTo("top_k");

        HttpResponse<String> invalidStream = post("""
                {"model": "stories260K", "stream": true, "top_k": -1,
                 "messages": [{"role": "user", "content": "hi"}]}""", true);
        assertThat(invalidStream.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(invalidStream.body()).path("error").path("param").stringValue()).isEqualTo("top_k");

        engine.refuseNextAsBusy();
        assertThatThrownBy(() -> client().chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("hi").build()))
                .isInstanceOf(RateLimitException.class);
    }

    @Test
    void missingOrWrongKeyIs401() throws Exception {
        HttpResponse<String> noKey = post("{\"model\": \"stories260K\", \"messages\": []}", false);
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(noKey.body()).path("error").path("code").stringValue()).isEqualTo("invalid_api_key");

        OpenAIClient wrongKey = OpenAIOkHttpClient.builder().baseUrl(baseUrl() + "/v1").apiKey("sk-wrong")
                .maxRetries(0).build();
        assertThatThrownBy(() -> wrongKey.models().list()).isInstanceOf(UnauthorizedException.class);
    }

    @Test
    void malformedAndOversizedBodiesAreRefused() throws Exception {
        HttpResponse<String> malformed = post("{\"model\": ", true);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(malformed.body()).path("error").path("code").stringValue()).isEqualTo("invalid_json");

        String big = "x".repeat(70 * 1024);
        HttpResponse<String> oversized = post("{\"model\": \"stories260K\", \"messages\": [{\"role\": \"user\","
                + " \"content\": \"" + big + "\"}]}", true);
        assertThat(oversized.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(oversized.body()).path("error").path("code").stringValue())
                .isEqualTo("request_too_large");

        HttpResponse<String> images = post("""
                {"model": "stories260K", "messages": [{"role": "user", "content": [
                  {"type": "image_url", "image_url": {"url": "file:///etc/passwd"}}]}]}""", true);
        assertThat(images.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(images.body()).path("error").path("param").stringValue())
                .isEqualTo("messages[0].content[0].type");
    }

    @Test
    void unknownPathsAndMethodsAnswerInOpenAiFormat() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/embeddings"))
                .header("Authorization", "Bearer " + API_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).path("error").path("code").stringValue()).isEqualTo("unknown_url");

        HttpResponse<String> wrongMethod = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + API_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
    }

    @Test
    void sdkSeesErrorBodies() {
        assertThatThrownBy(() -> client().chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("hi").n(99L).build()))
                .asInstanceOf(type(OpenAIServiceException.class))
                .satisfies(e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.param()).contains("n");
                });
    }

    private HttpResponse<String> post(String body, boolean withKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (withKey) {
            request.header("Authorization", "Bearer " + API_KEY);
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static Map<String, JsonValue> toJsonValues(Map<String, Object> map) {
        Map<String, JsonValue> values = new java.util.LinkedHashMap<>();
        map.forEach((k, v) -> values.put(k, JsonValue.from(v)));
        return values;
    }
}
