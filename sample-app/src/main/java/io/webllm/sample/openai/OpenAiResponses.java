package io.webllm.sample.openai;

import io.webllm.engine.chat.ChatChunk;
import io.webllm.engine.chat.ChatCompletion;
import io.webllm.engine.chat.TokenLogprob;
import io.webllm.engine.chat.ToolCall;
import io.webllm.engine.chat.Usage;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Writes engine results as OpenAI's {@code chat.completion} and {@code chat.completion.chunk} objects. */
final class OpenAiResponses {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private OpenAiResponses() {
    }

    static ObjectNode completion(ChatCompletion completion) {
        ObjectNode root = header(completion.id(), "chat.completion", completion.createdEpochSeconds(),
                completion.model());
        ArrayNode choices = root.putArray("choices");
        for (ChatCompletion.Choice choice : completion.choices()) {
            ObjectNode c = choices.addObject();
            c.put("index", choice.index());
            ObjectNode message = c.putObject("message");
            message.put("role", "assistant");
            if (choice.content().isEmpty() && !choice.toolCalls().isEmpty()) {
                message.putNull("content");
            } else {
                message.put("content", choice.content());
            }
            if (choice.reasoning() != null) {
                message.put("reasoning_content", choice.reasoning());
            }
            if (!choice.toolCalls().isEmpty()) {
                ArrayNode calls = message.putArray("tool_calls");
                for (ToolCall call : choice.toolCalls()) {
                    toolCall(calls.addObject(), call);
                }
            }
            logprobs(c, choice.logprobs());
            c.put("finish_reason", choice.finishReason().wireName());
        }
        root.set("usage", usage(completion.usage()));
        return root;
    }

    /**
     * Turns the engine's chunks into OpenAI's: the first delta of each choice names the role, tool calls are numbered
     * per choice, and the usage chunk is kept only when the client asked for it.
     */
    static final class ChunkWriter {

        private final boolean includeUsage;
        private final Set<Integer> started = new HashSet<>();
        private final Map<Integer, Integer> toolCallsSoFar = new HashMap<>();

        ChunkWriter(boolean includeUsage) {
            this.includeUsage = includeUsage;
        }

        @Nullable ObjectNode write(ChatChunk chunk) {
            if (chunk.choices().isEmpty()) {
                if (!includeUsage || chunk.usage() == null) {
                    return null;
                }
                ObjectNode root = header(chunk.id(), "chat.completion.chunk", chunk.createdEpochSeconds(), chunk.model());
                root.putArray("choices");
                root.set("usage", usage(chunk.usage()));
                return root;
            }
            ObjectNode root = header(chunk.id(), "chat.completion.chunk", chunk.createdEpochSeconds(), chunk.model());
            ArrayNode choices = root.putArray("choices");
            for (ChatChunk.Delta d : chunk.choices()) {
                ObjectNode c = choices.addObject();
                c.put("index", d.index());
                ObjectNode delta = c.putObject("delta");
                if (started.add(d.index())) {
                    delta.put("role", "assistant");
                }
                if (d.content() != null) {
                    delta.put("content", d.content());
                }
                if (d.reasoning() != null) {
                    delta.put("reasoning_content", d.reasoning());
                }
                if (!d.toolCalls().isEmpty()) {
                    ArrayNode calls = delta.putArray("tool_calls");
                    for (ToolCall call : d.toolCalls()) {
                        ObjectNode node = calls.addObject();
                        node.put("index", toolCallsSoFar.merge(d.index(), 1, Integer::sum) - 1);
                        toolCall(node, call);
                    }
                }
                logprobs(c, d.logprobs());
                if (d.finishReason() != null) {
                    c.put("finish_reason", d.finishReason().wireName());
                } else {
                    c.putNull("finish_reason");
                }
            }
            if (includeUsage) {
                root.putNull("usage");
            }
            return root;
        }
    }

    static ObjectNode models(String modelId, long createdEpochSeconds) {
        ObjectNode root = JSON.objectNode();
        root.put("object", "list");
        root.putArray("data").add(model(modelId, createdEpochSeconds));
        return root;
    }

    static ObjectNode model(String modelId, long createdEpochSeconds) {
        ObjectNode model = JSON.objectNode();
        model.put("id", modelId);
        model.put("object", "model");
        model.put("created", createdEpochSeconds);
        model.put("owned_by", "webllm");
        return model;
    }

    static ObjectNode error(OpenAiException e) {
        ObjectNode root = JSON.objectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type());
        error.put("param", e.param());
        error.put("code", e.code());
        return root;
    }

    private static ObjectNode header(String id, String object, long created, String model) {
        ObjectNode root = JSON.objectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        return root;
    }

    private static void toolCall(ObjectNode node, ToolCall call) {
        node.put("id", call.id());
        node.put("type", "function");
        ObjectNode function = node.putObject("function");
        function.put("name", call.name());
        function.put("arguments", call.argumentsJson());
    }

    private static void logprobs(ObjectNode choice, @Nullable List<TokenLogprob> logprobs) {
        if (logprobs == null) {
            choice.putNull("logprobs");
            return;
        }
        ArrayNode content = choice.putObject("logprobs").putArray("content");
        for (TokenLogprob token : logprobs) {
            ObjectNode t = content.addObject();
            t.put("token", token.token());
            t.put("logprob", token.logprob());
            t.set("bytes", bytes(token.bytes()));
            ArrayNode top = t.putArray("top_logprobs");
            for (TokenLogprob.Alternative alternative : token.topLogprobs()) {
                ObjectNode a = top.addObject();
                a.put("token", alternative.token());
                a.put("logprob", alternative.logprob());
                a.set("bytes", bytes(alternative.bytes()));
            }
        }
    }

    private static JsonNode bytes(byte[] bytes) {
        ArrayNode array = JSON.arrayNode();
        for (byte b : bytes) {
            array.add(b & 0xff);
        }
        return array;
    }

    /** OpenAI's usage, with WebLLM's timings under {@code extra} as WebLLM reports them. */
    private static ObjectNode usage(Usage usage) {
        ObjectNode node = JSON.objectNode();
        node.put("prompt_tokens", usage.promptTokens());
        node.put("completion_tokens", usage.completionTokens());
        node.put("total_tokens", usage.totalTokens());
        node.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedPromptTokens());
        ObjectNode extra = node.putObject("extra");
        extra.put("time_to_first_token_s", usage.timeToFirstTokenSeconds());
        extra.put("prefill_tokens_per_s", usage.prefillTokensPerSecond());
        extra.put("decode_tokens_per_s", usage.decodeTokensPerSecond());
        extra.put("e2e_latency_s", usage.endToEndLatencySeconds());
        extra.put("grammar_per_token_s", usage.grammarSecondsPerToken());
        return node;
    }
}
