package io.webllm.sample;

import io.webllm.engine.chat.ChatChunk;
import io.webllm.engine.chat.ChatCompletion;
import io.webllm.engine.chat.ChatEngine;
import io.webllm.engine.chat.ChatMessage;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.chat.EngineBusyException;
import io.webllm.engine.chat.FinishReason;
import io.webllm.engine.chat.InvalidRequestException;
import io.webllm.engine.chat.ResponseFormat;
import io.webllm.engine.chat.Role;
import io.webllm.engine.chat.TokenLogprob;
import io.webllm.engine.chat.ToolCall;
import io.webllm.engine.chat.ToolChoice;
import io.webllm.engine.chat.ToolDefinition;
import io.webllm.engine.chat.Usage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@link ChatEngine} that follows a small script instead of running a model, so the web layer, Spring AI and
 * the page can be tested without a GPU. It answers from what it was sent: "add X" with tools becomes an
 * {@code add_todo} call, a tool result is acknowledged, a JSON schema gets an instance built from the schema, "story"
 * streams words until {@code max_tokens} or cancellation, and anything else is echoed as "You said: ...".
 * It records every request and every cancelled stream, for tests to compare with what clients sent.
 *
 * <p>Why a script and not the real engine here: these tests check the layers above the engine (OpenAI JSON, the
 * {@code ChatClient} tool loop, memory, the page), and need a model that calls the to-do tools when asked and answers
 * the same way every time, which no model small enough for CI does. {@code RealEngineTests} runs the same stack on
 * LocalEngine with stories260K for what any model must honour (seeds, streaming, schemas, forced tool calls).
 */
public final class ScriptedChatEngine implements ChatEngine {

    private static final Pattern ADD = Pattern.compile("(?i)^add (.+)$");
    private static final Pattern COMPLETE = Pattern.compile("(?i)^(?:complete|finish) (\\d+)$");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String modelId;
    private final Duration tokenDelay;
    private final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger cancelled = new AtomicInteger();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicBoolean busyOnce = new AtomicBoolean();

    public ScriptedChatEngine(String modelId, Duration tokenDelay) {
        this.modelId = modelId;
        this.tokenDelay = tokenDelay;
    }

    /** The script's answer to one request: text pieces (one per token) or tool calls. */
    record Script(List<String> tokens, List<ToolCall> toolCalls, FinishReason finishReason) {
    }

    public List<ChatRequest> requests() {
        return List.copyOf(requests);
    }

    public int cancelledStreams() {
        return cancelled.get();
    }

    /** The next request is refused as if the queue were full. */
    public void refuseNextAsBusy() {
        busyOnce.set(true);
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public ChatCompletion complete(ChatRequest request) {
        accept(request);
        long created = System.currentTimeMillis() / 1000;
        List<ChatCompletion.Choice> choices = new ArrayList<>();
        int completionTokens = 0;
        for (int i = 0; i < request.n(); i++) {
            Script script = script(request);
            completionTokens += script.tokens().size();
            choices.add(new ChatCompletion.Choice(i, String.join("", script.tokens()), null, script.toolCalls(),
                    script.finishReason(), request.logprobs() ? logprobs(script.tokens(), request) : null));
        }
        return new ChatCompletion("chatcmpl-" + calls.get(), modelId, created, choices,
                usage(request, completionTokens, 0.001, 0.002));
    }

    @Override
    public Flow.Publisher<ChatChunk> stream(ChatRequest request) {
        return JdkFlowAdapter.publisherToFlowPublisher(Flux.defer(() -> {
            accept(request);
            long start = System.nanoTime();
            long created = System.currentTimeMillis() / 1000;
            String id = "chatcmpl-" + calls.get();
            Script script = script(request);
            Flux<ChatChunk> tokens = Flux.fromIterable(script.tokens())
                    .delayElements(tokenDelay)
                    .map(token -> new ChatChunk(id, modelId, created, List.of(new ChatChunk.Delta(0, token, null,
                            List.of(), null, request.logprobs() ? logprobs(List.of(token), request) : null)), null));
            ChatChunk last = new ChatChunk(id, modelId, created, List.of(new ChatChunk.Delta(0, null, null,
                    script.toolCalls(), script.finishReason(), null)), null);
            if (said(request).startsWith("fail midway")) { // the device failing after the answer began
                return tokens.take(2).concatWith(Flux.error(new IllegalStateException("device lost")));
            }
            return tokens.concatWith(Flux.defer(() -> {
                double seconds = (System.nanoTime() - start) / 1e9;
                Usage usage = usage(request, script.tokens().size(), tokenDelay.toNanos() / 1e9, seconds);
                return Flux.just(last, new ChatChunk(id, modelId, created, List.of(), usage));
            })).doOnCancel(cancelled::incrementAndGet);
        }));
    }

    private void accept(ChatRequest request) {
        if (busyOnce.getAndSet(false)) {
            throw new EngineBusyException("64 requests are waiting; try again later");
        }
        if (request.topK() != null && request.topK() < 0) {
            throw new InvalidRequestException("top_k", "expected 0 (off) or more, found " + request.topK());
        }
        requests.add(request);
        calls.incrementAndGet();
    }

    private static String said(ChatRequest request) {
        return request.messages().getLast().content().strip();
    }

    private Script script(ChatRequest request) {
        ChatMessage last = request.messages().getLast();
        if (last.role() == Role.TOOL) {
            return text("Done: " + summary(last.content()), request);
        }
        String said = last.content().strip();
        if (!request.tools().isEmpty() && request.toolChoice().mode() != ToolChoice.Mode.NONE) {
            List<ToolCall> call = toolCall(said, request);
            if (!call.isEmpty()) {
                return new Script(List.of(), call, FinishReason.TOOL_CALLS);
            }
        }
        if (request.responseFormat().type() == ResponseFormat.Type.JSON_SCHEMA) {
            String json = instanceOf(read(request.responseFormat().schema())).toString();
            return new Script(pieces(json, 3), List.of(), FinishReason.STOP);
        }
        if (request.responseFormat().type() == ResponseFormat.Type.JSON_OBJECT) {
            ObjectNode answer = JsonNodeFactory.instance.objectNode().put("answer", said);
            return new Script(pieces(answer.toString(), 3), List.of(), FinishReason.STOP);
        }
        if (said.toLowerCase().startsWith("story")) {
            int limit = request.maxTokens() != null ? request.maxTokens() : 10_000;
            List<String> words = new ArrayList<>();
            for (int i = 1; i <= limit; i++) {
                words.add("word" + i + " ");
            }
            return new Script(words, List.of(), FinishReason.LENGTH);
        }
        return text("You said: " + said, request);
    }

    /** A tool's JSON answer in words: a to-do by its title and id, a count as a count, anything else as it is. */
    private static String summary(String toolResult) {
        JsonNode result;
        try {
            result = JSON.readTree(toolResult);
        } catch (RuntimeException e) {
            return toolResult;
        }
        if (result.has("title") && result.has("id")) {
            return (result.path("done").asBoolean() ? "finished " : "added ") + "'" + result.path("title").asString()
                    + "' as #" + result.path("id").asInt() + ".";
        }
        if (result.isIntegralNumber()) {
            return result.asInt() + " open.";
        }
        return toolResult;
    }

    private List<ToolCall> toolCall(String said, ChatRequest request) {
        String id = "call_" + calls.get();
        if (request.toolChoice().mode() == ToolChoice.Mode.FUNCTION) {
            ToolDefinition tool = request.tools().stream()
                    .filter(t -> t.name().equals(request.toolChoice().function())).findFirst().orElseThrow();
            return List.of(new ToolCall(id, tool.name(), instanceOf(read(tool.parametersSchema())).toString()));
        }
        Matcher add = ADD.matcher(said);
        if (add.matches() && hasTool(request, "add_todo")) {
            return List.of(new ToolCall(id, "add_todo",
                    JsonNodeFactory.instance.objectNode().put("title", add.group(1)).toString()));
        }
        Matcher complete = COMPLETE.matcher(said);
        if (complete.matches() && hasTool(request, "complete_todo")) {
            return List.of(new ToolCall(id, "complete_todo",
                    JsonNodeFactory.instance.objectNode().put("id", Integer.parseInt(complete.group(1))).toString()));
        }
        if (said.toLowerCase().contains("how many") && hasTool(request, "count_open_todos")) {
            return List.of(new ToolCall(id, "count_open_todos", "{}"));
        }
        if (request.toolChoice().mode() == ToolChoice.Mode.REQUIRED) {
            ToolDefinition tool = request.tools().getFirst();
            return List.of(new ToolCall(id, tool.name(), instanceOf(read(tool.parametersSchema())).toString()));
        }
        return List.of();
    }

    private static boolean hasTool(ChatRequest request, String name) {
        return request.tools().stream().anyMatch(t -> t.name().equals(name));
    }

    private static Script text(String text, ChatRequest request) {
        List<String> tokens = new ArrayList<>();
        Matcher words = Pattern.compile("\\S+\\s*").matcher(text);
        while (words.find()) {
            tokens.add(words.group());
        }
        Integer max = request.maxTokens();
        if (max != null && tokens.size() > max) {
            return new Script(tokens.subList(0, max), List.of(), FinishReason.LENGTH);
        }
        return new Script(tokens, List.of(), FinishReason.STOP);
    }

    private static List<String> pieces(String text, int size) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < text.length(); i += size) {
            pieces.add(text.substring(i, Math.min(text.length(), i + size)));
        }
        return pieces;
    }

    private static JsonNode read(@Nullable String json) {
        return JSON.readTree(json == null ? "{}" : json);
    }

    /** A value that the schema accepts, built from its types: what constrained decoding guarantees. */
    static JsonNode instanceOf(JsonNode schema) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (schema.has("enum")) {
            return schema.get("enum").get(0);
        }
        String type = schema.path("type").isString() ? schema.path("type").stringValue() : "object";
        return switch (type) {
            case "string" -> f.stringNode("text");
            case "integer" -> f.numberNode(schema.path("minimum").asInt(1));
            case "number" -> f.numberNode(1.5);
            case "boolean" -> f.booleanNode(true);
            case "array" -> f.arrayNode().add(instanceOf(schema.path("items")));
            case "null" -> f.nullNode();
            default -> {
                ObjectNode object = f.objectNode();
                for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
                    object.set(property.getKey(), instanceOf(property.getValue()));
                }
                yield object;
            }
        };
    }

    private static List<TokenLogprob> logprobs(List<String> tokens, ChatRequest request) {
        int alternatives = request.topLogprobs() == null ? 0 : request.topLogprobs();
        List<TokenLogprob> logprobs = new ArrayList<>();
        for (String token : tokens) {
            List<TokenLogprob.Alternative> top = new ArrayList<>();
            for (int i = 0; i < alternatives; i++) {
                String alternative = i == 0 ? token : token + i;
                top.add(new TokenLogprob.Alternative(alternative, -0.25f * (i + 1),
                        alternative.getBytes(StandardCharsets.UTF_8)));
            }
            logprobs.add(new TokenLogprob(token, -0.25f, token.getBytes(StandardCharsets.UTF_8), top));
        }
        return logprobs;
    }

    private static Usage usage(ChatRequest request, int completionTokens, double ttft, double seconds) {
        int promptTokens = request.messages().stream().mapToInt(m -> m.content().split("\\s+").length).sum();
        double decode = completionTokens > 1 && seconds > ttft ? (completionTokens - 1) / (seconds - ttft) : 0;
        return new Usage(promptTokens, completionTokens, 0, ttft, promptTokens / ttft, decode, seconds, 0);
    }

    @Override
    public void close() {
    }
}
