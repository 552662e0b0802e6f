package io.webllm.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.webllm.engine.chat.ChatChunk;
import io.webllm.engine.chat.ChatCompletion;
import io.webllm.engine.chat.ChatMessage;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.chat.EngineBusyException;
import io.webllm.engine.chat.FinishReason;
import io.webllm.engine.chat.InvalidRequestException;
import io.webllm.engine.chat.ResponseFormat;
import io.webllm.engine.chat.TokenLogprob;
import io.webllm.engine.chat.ToolCall;
import io.webllm.engine.chat.ToolChoice;
import io.webllm.engine.chat.ToolDefinition;
import io.webllm.engine.model.StoriesReference;
import io.webllm.engine.testing.TestData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The engine end to end on PoCL with stories260K. A pass-through chat template (the messages' text after BOS) makes
 * the prompt exactly "Once upon a time", so greedy output can be checked against llama.cpp's reference.
 */
class LocalEngineTests {

    static final String PASS_THROUGH = "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}";
    static final String REFERENCE_CONTINUATION = StoriesReference.TEXT.substring("Once upon a time".length());
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static LocalEngine engine;

    @BeforeAll
    static void load() {
        engine = LocalEngine.load(EngineOptions.of(TestData.model("stories260K.gguf"))
                .withChatTemplate(PASS_THROUGH).withContextLength(256).withMaxSequences(4).withMaxQueuedRequests(8)
                .withDevice(io.webllm.engine.opencl.DeviceSelector.of(System.getProperty("webllm.test.device", "auto"))));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    static ChatRequest.Builder prompt(String text) {
        return ChatRequest.builder().message(ChatMessage.user(text));
    }

    @Test
    void greedyCompletionMatchesLlamaCpp() {
        long pickedOnDevice = engine.devicePickedTokens();
        ChatCompletion completion = engine.complete(prompt("Once upon a time").temperature(0.0).maxTokens(64).build());
        // a lone greedy request: every token after the prompt's was picked on the device (DeviceDecode)
        assertThat(engine.devicePickedTokens() - pickedOnDevice).isEqualTo(63);
        ChatCompletion.Choice choice = completion.choices().getFirst();
        assertThat(choice.content()).isEqualTo(REFERENCE_CONTINUATION);
        assertThat(choice.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(completion.usage().promptTokens()).isEqualTo(5);
        assertThat(completion.usage().completionTokens()).isEqualTo(64);
        assertThat(completion.usage().decodeTokensPerSecond()).isPositive();
        assertThat(completion.usage().timeToFirstTokenSeconds()).isPositive();
        assertThat(completion.model()).isEqualTo("stories260K");
    }

    @Test
    void streamingEqualsNonStreaming() throws Exception {
        ChatRequest request = prompt("Once upon a time").temperature(0.9).seed(11L).maxTokens(40).build();
        List<ChatChunk> chunks = collect(engine.stream(request));
        StringBuilder text = new StringBuilder();
        FinishReason finish = null;
        for (ChatChunk chunk : chunks) {
            for (ChatChunk.Delta delta : chunk.choices()) {
                if (delta.content() != null) {
                    text.append(delta.content());
                }
                if (delta.finishReason() != null) {
                    finish = delta.finishReason();
                }
            }
        }
        assertThat(chunks.getLast().usage()).isNotNull();
        assertThat(chunks.getLast().usage().completionTokens()).isEqualTo(40);
        assertThat(chunks.size()).isGreaterThan(10);
        ChatCompletion completion = engine.complete(request);
        assertThat(text.toString()).isEqualTo(completion.choices().getFirst().content());
        assertThat(finish).isEqualTo(completion.choices().getFirst().finishReason());
    }

    @Test
    void stopStringEndsGenerationAndIsNotEmitted() {
        ChatCompletion completion = engine.complete(prompt("Once upon a time").temperature(0.0).maxTokens(64).stop(List.of("Lily")).build());
        assertThat(completion.choices().getFirst().content()).isEqualTo(", there was a little girl named ");
        assertThat(completion.choices().getFirst().finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void seedsRepeatAndDiffer() {
        ChatRequest.Builder base = prompt("Once upon a time").temperature(1.0).maxTokens(30);
        String first = engine.complete(base.seed(7L).build()).choices().getFirst().content();
        String again = engine.complete(base.seed(7L).build()).choices().getFirst().content();
        String other = engine.complete(base.seed(8L).build()).choices().getFirst().content();
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    /**
     * A sampled request without logprobs draws its tokens on the device (sample.cl), one with logprobs on the host
     * (they need the logits there): the same seed gives the same text either way, since both draw the same uniform
     * numbers from the same weights. With min-p too. With -Dwebllm.sample.allOnDevice=false (switched off for this
     * engine here) top-k keeps the draws on the host.
     */
    @Test
    void sampledTokensDrawnOnTheDeviceAreTheHostsDraws() {
        for (ChatRequest.Builder base : List.of(prompt("Once upon a time").temperature(0.9).seed(21L).maxTokens(40),
                prompt("Once upon a time").temperature(1.2).minP(0.05).seed(22L).maxTokens(40))) {
            long before = engine.devicePickedTokens();
            String device = engine.complete(base.build()).choices().getFirst().content();
            long drawnOnDevice = engine.devicePickedTokens() - before;
            String host = engine.complete(base.logprobs(true).build()).choices().getFirst().content();
            assertThat(engine.devicePickedTokens() - before).as("logprobs draw on the host").isEqualTo(drawnOnDevice);
            assertThat(drawnOnDevice).as("tokens drawn on the device").isGreaterThanOrEqualTo(30);
            assertThat(device).isEqualTo(host).isNotEqualTo(REFERENCE_CONTINUATION.substring(0, Math.min(device.length(), REFERENCE_CONTINUATION.length())));
        }
        engine.drawAllOnDevice(false);
        try {
            long before = engine.devicePickedTokens();
            engine.complete(prompt("Once upon a time").temperature(0.9).topK(40).seed(23L).maxTokens(10).build());
            assertThat(engine.devicePickedTokens()).as("top-k draws on the host").isEqualTo(before);
        } finally {
            engine.drawAllOnDevice(io.webllm.engine.opencl.Tuning.DEVICE_SAMPLING_ALL);
        }
    }

    /**
     * With top-k, top-p and penalties drawn on the device too (-Dwebllm.sample.allOnDevice, the default; switched on
     * for this engine here whatever the build's setting), the same seed gives the same text as the host's draws. A top-p so close to 1 that the device cannot
     * tell its nucleus from the whole row is left to the host (DrawOnHostException): the text is still the host's.
     */
    @Test
    void topKTopPAndPenaltiesDrawnOnTheDeviceAreTheHostsDraws() {
        engine.drawAllOnDevice(true);
        try {
            for (ChatRequest.Builder request : List.of(
                    prompt("Once upon a time").temperature(0.9).topK(40).topP(0.9).seed(31L).maxTokens(40),
                    prompt("Once upon a time").temperature(0.8).repetitionPenalty(1.3).frequencyPenalty(0.6).presencePenalty(0.3)
                            .seed(33L).maxTokens(40),
                    prompt("Once upon a time").temperature(0.0).repetitionPenalty(1.5).maxTokens(40))) {
                long before = engine.devicePickedTokens();
                String device = engine.complete(request.build()).choices().getFirst().content();
                assertThat(engine.devicePickedTokens() - before).as("tokens drawn on the device").isGreaterThanOrEqualTo(30);
                assertThat(device).isEqualTo(engine.complete(request.logprobs(true).build()).choices().getFirst().content());
            }

            ChatRequest.Builder wide = prompt("Once upon a time").temperature(0.9).topP(0.99995).seed(32L).maxTokens(40);
            long declined = engine.deviceDeclinedDraws();
            String left = engine.complete(wide.build()).choices().getFirst().content();
            assertThat(engine.deviceDeclinedDraws()).as("draws left to the host").isGreaterThan(declined);
            assertThat(left).isEqualTo(engine.complete(wide.logprobs(true).build()).choices().getFirst().content());
        } finally {
            engine.drawAllOnDevice(io.webllm.engine.opencl.Tuning.DEVICE_SAMPLING_ALL);
        }
    }

    @Test
    void logitBiasBansAndForcesTokens() {
        int comma = engine.tokenizer().tokenId(",").orElseThrow();
        String banned = engine.complete(prompt("Once upon a time").temperature(0.0).maxTokens(3)
                .logitBias(Map.of(comma, -100f)).build()).choices().getFirst().content();
        assertThat(banned).doesNotStartWith(",");
        int lily = engine.tokenizer().tokenId("\u2581Lily").orElseThrow();
        String forced = engine.complete(prompt("Once upon a time").temperature(0.0).maxTokens(3)
                .logitBias(Map.of(lily, 100f)).build()).choices().getFirst().content();
        assertThat(forced).isEqualTo(" Lily Lily Lily");
    }

    @Test
    void logprobsReportChosenAndTopTokens() {
        long pickedOnDevice = engine.devicePickedTokens();
        ChatCompletion completion = engine.complete(prompt("Once upon a time").temperature(0.0).maxTokens(5)
                .logprobs(true).topLogprobs(3).build());
        assertThat(engine.devicePickedTokens()).as("logprobs need the host's logits").isEqualTo(pickedOnDevice);
        List<TokenLogprob> logprobs = completion.choices().getFirst().logprobs();
        assertThat(logprobs).hasSize(5);
        for (TokenLogprob logprob : logprobs) {
            assertThat(logprob.logprob()).isLessThanOrEqualTo(0f);
            assertThat(logprob.topLogprobs()).hasSize(3);
            // greedy: the chosen token is the most likely one
            assertThat(logprob.topLogprobs().getFirst().token()).isEqualTo(logprob.token());
            assertThat(logprob.topLogprobs().get(0).logprob()).isGreaterThanOrEqualTo(logprob.topLogprobs().get(1).logprob());
        }
        assertThat(logprobs.getFirst().token()).isEqualTo(",");
    }

    @Test
    void frequencyPenaltyReducesRepetition() {
        String plain = engine.complete(prompt("Once upon a time").temperature(0.0).maxTokens(60).build()).choices().getFirst().content();
        long pickedOnDevice = engine.devicePickedTokens();
        String penalised = engine.complete(prompt("Once upon a time").temperature(0.0).maxTokens(60).frequencyPenalty(2.0).build())
                .choices().getFirst().content();
        // penalties are applied where the token is drawn: on the device unless -Dwebllm.sample.allOnDevice=false
        if (io.webllm.engine.opencl.Tuning.DEVICE_SAMPLING_ALL) {
            assertThat(engine.devicePickedTokens() - pickedOnDevice).as("penalised tokens drawn on the device").isGreaterThanOrEqualTo(50);
        } else {
            assertThat(engine.devicePickedTokens()).as("penalties change the logits on the host").isEqualTo(pickedOnDevice);
        }
        assertThat(penalised).isNotEqualTo(plain);
        assertThat(count(penalised, " she")).isLessThanOrEqualTo(count(plain, " she"));
    }

    @Test
    void jsonSchemaOutputAlwaysValidates() {
        String schema = """
                {"type":"object","properties":{
                   "mood":{"enum":["happy","sad","sleepy"]},
                   "name":{"type":"string","maxLength":12},
                   "friends":{"type":"array","items":{"type":"boolean"},"maxItems":3}},
                 "required":["mood","name","friends"],"additionalProperties":false}""";
        for (long seed = 1; seed <= 4; seed++) {
            ChatCompletion completion = engine.complete(prompt("Once upon a time").temperature(1.0).seed(seed).maxTokens(240)
                    .responseFormat(ResponseFormat.jsonSchema(schema)).build());
            ChatCompletion.Choice choice = completion.choices().getFirst();
            assertThat(choice.finishReason()).isEqualTo(FinishReason.STOP);
            JsonNode json = JSON.readTree(choice.content());
            assertThat(json.get("mood").asString()).isIn("happy", "sad", "sleepy");
            assertThat(json.get("name").asString().length()).isLessThanOrEqualTo(12);
            assertThat(json.get("friends").isArray()).isTrue();
            assertThat(json.size()).isEqualTo(3);
            assertThat(completion.usage().grammarSecondsPerToken()).isPositive();
        }
    }

    @Test
    void requiredToolChoiceProducesAWellFormedCall() {
        ToolDefinition weather = new ToolDefinition("get_weather", "Weather of a city",
                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":16},\"unit\":{\"enum\":[\"c\",\"f\"]}},\"required\":[\"city\",\"unit\"]}");
        ToolDefinition time = new ToolDefinition("get_time", "Time now", "{\"type\":\"object\",\"properties\":{}}");
        ChatCompletion completion = engine.complete(prompt("Once upon a time").temperature(1.0).seed(3L).maxTokens(100)
                .tools(List.of(weather, time)).toolChoice(ToolChoice.function("get_weather")).build());
        ChatCompletion.Choice choice = completion.choices().getFirst();
        assertThat(choice.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(choice.toolCalls()).hasSize(1);
        ToolCall call = choice.toolCalls().getFirst();
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call.id()).startsWith("call_");
        JsonNode arguments = JSON.readTree(call.argumentsJson());
        assertThat(arguments.get("unit").asString()).isIn("c", "f");
        assertThat(arguments.get("city").isString()).isTrue();
    }

    @Test
    void cancellingAStreamFreesItsSlot() throws Exception {
        List<ChatChunk> received = new CopyOnWriteArrayList<>();
        CountDownLatch threeChunks = new CountDownLatch(3);
        Flow.Subscription[] subscription = new Flow.Subscription[1];
        engine.stream(prompt("Once upon a time").temperature(0.0).build()).subscribe(new Flow.Subscriber<>() {
            public void onSubscribe(Flow.Subscription s) {
                subscription[0] = s;
                s.request(Long.MAX_VALUE);
            }

            public void onNext(ChatChunk item) {
                received.add(item);
                threeChunks.countDown();
            }

            public void onError(Throwable t) {
            }

            public void onComplete() {
            }
        });
        assertThat(threeChunks.await(30, TimeUnit.SECONDS)).isTrue();
        subscription[0].cancel();
        int atCancel = received.size();
        Thread.sleep(300);
        // at most the step in flight may still arrive; the stream never completes with usage
        assertThat(received.size()).isLessThanOrEqualTo(atCancel + 1);
        assertThat(received).noneMatch(chunk -> chunk.usage() != null);
        // all four slots are usable again
        runConcurrently(4, i -> prompt("Once upon a time").temperature(0.0).maxTokens(8).build());
    }

    @Test
    void concurrentRequestsMatchSequentialOnes() throws Exception {
        String[] prompts = {"Once upon a time", "The cat", "Lily and Ben went to", "One day, a little bird"};
        List<String> sequential = new ArrayList<>();
        for (String text : prompts) {
            sequential.add(engine.complete(prompt(text).temperature(0.0).maxTokens(48).build()).choices().getFirst().content());
        }
        List<String> concurrent = runConcurrently(prompts.length, i -> prompt(prompts[i]).temperature(0.0).maxTokens(48).build());
        assertThat(concurrent).containsExactlyElementsOf(sequential);
    }

    /**
     * Sequences of one step draw their tokens at once on several threads (Scheduler.takeNextTokens): seeded sampling
     * with top-p, penalties and logprobs, and grammar-constrained output, give in a batch exactly what they give alone.
     */
    @Test
    void seededAndConstrainedRequestsInABatchMatchTheSameRequestsAlone() throws Exception {
        String schema = """
                {"type":"object","properties":{"mood":{"enum":["happy","sad"]},"name":{"type":"string","maxLength":8}},
                 "required":["mood","name"],"additionalProperties":false}""";
        java.util.function.IntFunction<ChatRequest> requests = i -> {
            ChatRequest.Builder builder = prompt(i % 2 == 0 ? "Once upon a time" : "The cat").temperature(1.0).seed(100L + i)
                    .maxTokens(40).topP(0.9).logprobs(true).topLogprobs(2);
            return (i % 3 == 0 ? builder.responseFormat(ResponseFormat.jsonSchema(schema)) : builder.presencePenalty(0.5)).build();
        };
        List<String> alone = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            alone.add(engine.complete(requests.apply(i)).choices().getFirst().content());
        }
        assertThat(runConcurrently(4, requests)).containsExactlyElementsOf(alone);
    }

    @Test
    void nextTurnReusesTheConversationsCache() {
        ChatCompletion first = engine.complete(prompt("Once upon a time").temperature(0.0).maxTokens(20).build());
        String answer = first.choices().getFirst().content();
        ChatRequest second = ChatRequest.builder().message(ChatMessage.user("Once upon a time"))
                .message(ChatMessage.assistant(answer)).message(ChatMessage.user(" Then")).temperature(0.0).maxTokens(10).build();
        ChatCompletion next = engine.complete(second);
        assertThat(next.usage().cachedPromptTokens()).isGreaterThanOrEqualTo(20);
        // the reused cache gives what a fresh evaluation gives
        try (LocalEngine fresh = LocalEngine.load(EngineOptions.of(TestData.model("stories260K.gguf"))
                .withChatTemplate(PASS_THROUGH).withContextLength(256).withMaxSequences(1))) {
            ChatCompletion expected = fresh.complete(second);
            assertThat(expected.usage().cachedPromptTokens()).isZero();
            assertThat(next.choices().getFirst().content()).isEqualTo(expected.choices().getFirst().content());
        }
    }

    @Test
    void generationEndsWithLengthAtTheContext() {
        try (LocalEngine small = LocalEngine.load(EngineOptions.of(TestData.model("stories260K.gguf"))
                .withChatTemplate(PASS_THROUGH).withContextLength(24).withMaxSequences(1))) {
            ChatCompletion completion = small.complete(prompt("Once upon a time").temperature(0.0).build());
            assertThat(completion.choices().getFirst().finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(completion.usage().completionTokens()).isEqualTo(24 - 5);
            assertThatThrownBy(() -> small.complete(prompt("Once upon a time ".repeat(10)).build()))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("messages: the prompt has").hasMessageContaining("the context holds 24");
        }
    }

    @Test
    void invalidRequestsFailBeforeAnyWorkNamingTheField() {
        assertThatThrownBy(() -> engine.complete(prompt("x").temperature(3.0).build()))
                .isInstanceOf(InvalidRequestException.class).extracting("field").isEqualTo("temperature");
        assertThatThrownBy(() -> engine.complete(prompt("x").maxTokens(-1).build()))
                .isInstanceOf(InvalidRequestException.class).extracting("field").isEqualTo("max_tokens");
        assertThatThrownBy(() -> engine.complete(prompt("x").tools(List.of(new ToolDefinition("a", "", "{}")))
                .toolChoice(ToolChoice.function("b")).build()))
                .isInstanceOf(InvalidRequestException.class).extracting("field").isEqualTo("tool_choice");
        assertThatThrownBy(() -> engine.complete(prompt("x").responseFormat(ResponseFormat.jsonSchema("{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#/nowhere\"}}}")).build()))
                .isInstanceOf(InvalidRequestException.class).extracting("field").isEqualTo("response_format.json_schema");
        assertThatThrownBy(() -> engine.complete(ChatRequest.builder().build()))
                .isInstanceOf(InvalidRequestException.class).extracting("field").isEqualTo("messages");
        assertThatThrownBy(() -> engine.complete(prompt("x").message(ChatMessage.tool("call_1", "get_time", "12:00")).build()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'call_1' answers no tool call")
                .extracting("field").isEqualTo("messages[1].tool_call_id");
    }

    @Test
    void aFullQueueRefusesWithAClearError() {
        try (LocalEngine busy = LocalEngine.load(EngineOptions.of(TestData.model("stories260K.gguf"))
                .withChatTemplate(PASS_THROUGH).withContextLength(2048).withMaxSequences(1).withMaxQueuedRequests(1))) {
            List<Flow.Subscription> subscriptions = new ArrayList<>();
            Flow.Subscriber<ChatChunk> idle = new Flow.Subscriber<>() {
                public void onSubscribe(Flow.Subscription s) { subscriptions.add(s); s.request(1); }
                public void onNext(ChatChunk item) { }
                public void onError(Throwable t) { }
                public void onComplete() { }
            };
            busy.stream(prompt("Once upon a time").temperature(0.0).ignoreEos(true).build()).subscribe(idle);
            waitUntil(() -> busy.stream(prompt("x").build()) != null);
            // the first request occupies the only slot (it runs to the 2048-token context); one more may wait
            busy.stream(prompt("Once upon a time").build()).subscribe(idle);
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 3; i++) {
                busy.stream(prompt("Once upon a time").build()).subscribe(new Flow.Subscriber<>() {
                    public void onSubscribe(Flow.Subscription s) { s.request(1); }
                    public void onNext(ChatChunk item) { }
                    public void onError(Throwable t) { errors.add(t); }
                    public void onComplete() { }
                });
            }
            assertThat(errors).isNotEmpty().allSatisfy(e -> assertThat(e).isInstanceOf(EngineBusyException.class)
                    .hasMessageContaining("requests are already waiting"));
            subscriptions.forEach(Flow.Subscription::cancel);
        }
    }

    @Test
    void severalChoicesWithOneSeedDiffer() {
        ChatCompletion completion = engine.complete(prompt("Once upon a time").temperature(1.0).seed(5L).maxTokens(20).n(2).build());
        assertThat(completion.choices()).hasSize(2);
        assertThat(completion.choices().get(0).content()).isNotEqualTo(completion.choices().get(1).content());
        assertThat(completion.usage().completionTokens()).isEqualTo(40);
    }

    /** Output rows past the tokenizer's vocabulary (padding, as in Qwen's 151,936 rows for 151,669 tokens) are never sampled. */
    @Test
    void paddedOutputRowsAreNeverSampled(@org.junit.jupiter.api.io.TempDir java.nio.file.Path temp) {
        java.nio.file.Path model = temp.resolve("padded.gguf");
        new io.webllm.engine.model.SyntheticModelWriter(io.webllm.engine.model.ModelShape.TINY, io.webllm.engine.tensor.GgmlType.Q8_0, 4)
                .write(model);
        java.nio.file.Path padded = temp.resolve("padded-vocab.gguf");
        truncateVocabulary(model, padded, 400);
        try (LocalEngine small = LocalEngine.load(EngineOptions.of(padded).withChatTemplate(PASS_THROUGH).withContextLength(128).withMaxSequences(1))) {
            // a +100 bias on a padding row would win every step if padding rows could be sampled
            ChatCompletion completion = small.complete(prompt("hello").temperature(1.0).seed(1L).maxTokens(40)
                    .logitBias(Map.of(450, 100f)).logprobs(true).build());
            assertThat(completion.usage().completionTokens()).isPositive();
            assertThat(small.tokenizer().vocabularySize()).isEqualTo(400);
            assertThat(completion.choices().getFirst().logprobs()).allSatisfy(l -> assertThat(l.bytes()).isNotNull());
        }
    }

    private static void truncateVocabulary(java.nio.file.Path source, java.nio.file.Path target, int tokens) {
        try (io.webllm.engine.gguf.GgufFile file = io.webllm.engine.gguf.GgufFile.open(source)) {
            io.webllm.engine.gguf.GgufWriter writer = new io.webllm.engine.gguf.GgufWriter();
            for (io.webllm.engine.gguf.GgufMetadata.Entry entry : file.metadata().entries().values()) {
                Object value = switch (entry.value()) {
                    case String[] strings when entry.key().startsWith("tokenizer.") -> java.util.Arrays.copyOf(strings, tokens);
                    case float[] floats when entry.key().startsWith("tokenizer.") -> java.util.Arrays.copyOf(floats, tokens);
                    case int[] ints when entry.key().startsWith("tokenizer.") -> java.util.Arrays.copyOf(ints, tokens);
                    default -> entry.value();
                };
                writer.copy(new io.webllm.engine.gguf.GgufMetadata.Entry(entry.key(), entry.type(), entry.elementType(), value));
            }
            for (io.webllm.engine.gguf.GgufTensorInfo info : file.tensors().values()) {
                writer.addTensor(info.name(), info.type(), info.dims(), data -> data.copyFrom(file.tensorData(info)));
            }
            writer.write(target);
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) {
        // the stream call itself never blocks; nothing to wait for beyond scheduling
        assertThat(condition.getAsBoolean()).isTrue();
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            count++;
        }
        return count;
    }

    private static List<String> runConcurrently(int n, java.util.function.IntFunction<ChatRequest> requests) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<ChatCompletion>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ChatRequest request = requests.apply(i);
                futures.add(pool.submit(() -> engine.complete(request)));
            }
            List<String> results = new ArrayList<>();
            for (Future<ChatCompletion> future : futures) {
                results.add(future.get(60, TimeUnit.SECONDS).choices().getFirst().content());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<ChatChunk> collect(Flow.Publisher<ChatChunk> publisher) throws Exception {
        List<ChatChunk> chunks = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        Throwable[] error = new Throwable[1];
        publisher.subscribe(new Flow.Subscriber<>() {
            public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }
            public void onNext(ChatChunk item) { chunks.add(item); }
            public void onError(Throwable t) { error[0] = t; done.countDown(); }
            public void onComplete() { done.countDown(); }
        });
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(error[0]).isNull();
        return chunks;
    }
}
