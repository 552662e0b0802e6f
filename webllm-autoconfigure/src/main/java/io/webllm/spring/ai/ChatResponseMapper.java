package io.webllm.spring.ai;

import io.webllm.engine.chat.ChatChunk;
import io.webllm.engine.chat.ChatCompletion;
import io.webllm.engine.chat.FinishReason;
import io.webllm.engine.chat.TokenLogprob;
import io.webllm.engine.chat.ToolCall;
import io.webllm.engine.chat.Usage;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;

/** Turns the engine's completions and chunks into Spring AI responses with their metadata. */
final class ChatResponseMapper {

    private ChatResponseMapper() {
    }

    static ChatResponse fromCompletion(ChatCompletion completion) {
        List<Generation> generations = completion.choices().stream()
                .map(c -> generation(c.content(), c.reasoning(), c.toolCalls(), c.finishReason(), c.logprobs()))
                .toList();
        return new ChatResponse(generations, metadata(completion.id(), completion.model(),
                completion.createdEpochSeconds(), completion.usage()));
    }

    static DefaultUsage usage(Usage usage) {
        return new DefaultUsage(usage.promptTokens(), usage.completionTokens(), usage.totalTokens(), usage,
                (long) usage.cachedPromptTokens(), null);
    }

    static ChatResponseMetadata metadata(String id, String model, long created, @Nullable Usage usage) {
        ChatResponseMetadata.Builder b = ChatResponseMetadata.builder().id(id).model(model)
                .keyValue(WebLlmMetadata.CREATED, created);
        if (usage != null) {
            b.usage(usage(usage))
                    .keyValue(WebLlmMetadata.TIME_TO_FIRST_TOKEN, seconds(usage.timeToFirstTokenSeconds()))
                    .keyValue(WebLlmMetadata.PREFILL_TOKENS_PER_SECOND, usage.prefillTokensPerSecond())
                    .keyValue(WebLlmMetadata.DECODE_TOKENS_PER_SECOND, usage.decodeTokensPerSecond())
                    .keyValue(WebLlmMetadata.END_TO_END_LATENCY, seconds(usage.endToEndLatencySeconds()))
                    .keyValue(WebLlmMetadata.GRAMMAR_TIME_PER_TOKEN, seconds(usage.grammarSecondsPerToken()))
                    .keyValue(WebLlmMetadata.CACHED_PROMPT_TOKENS, usage.cachedPromptTokens());
        }
        return b.build();
    }

    static Generation generation(@Nullable String content, @Nullable String reasoning, List<ToolCall> toolCalls,
            @Nullable FinishReason finishReason, @Nullable List<TokenLogprob> logprobs) {
        Map<String, Object> properties = new HashMap<>();
        if (reasoning != null && !reasoning.isEmpty()) {
            properties.put(WebLlmMetadata.REASONING_CONTENT, reasoning);
        }
        AssistantMessage message = AssistantMessage.builder()
                .content(content == null ? "" : content)
                .properties(properties)
                .toolCalls(toolCalls.stream()
                        .map(c -> new AssistantMessage.ToolCall(c.id(), "function", c.name(), c.argumentsJson()))
                        .toList())
                .build();
        if (finishReason == null && logprobs == null) {
            return new Generation(message);
        }
        ChatGenerationMetadata.Builder metadata = ChatGenerationMetadata.builder()
                .finishReason(finishReason == null ? null : finishReason.name());
        if (logprobs != null) {
            metadata.metadata(WebLlmMetadata.LOGPROBS, logprobs);
        }
        return new Generation(message, metadata.build());
    }

    private static Duration seconds(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    /**
     * Maps the chunks of one stream. Each chunk becomes one response whose generations are its deltas; tool calls
     * arrive whole in the chunk of the step that completed them. The engine's last chunk (usage, no choices) becomes
     * a response with an empty generation per choice that repeats the choice's finish reason, so the last response
     * carries both usage and finish reason, as Spring AI's aggregation expects. Reasoning text is accumulated per
     * choice in {@link WebLlmMetadata#REASONING_CONTENT}.
     */
    static final class StreamMapper {

        private final Map<Integer, FinishReason> finishReasons = new LinkedHashMap<>();
        private final Map<Integer, StringBuilder> reasoning = new HashMap<>();

        ChatResponse map(ChatChunk chunk) {
            if (chunk.choices().isEmpty()) {
                List<Generation> last = finishReasons.isEmpty()
                        ? List.of(generation("", null, List.of(), null, null))
                        : finishReasons.values().stream()
                                .map(reason -> generation("", null, List.of(), reason, null)).toList();
                return new ChatResponse(last, metadata(chunk.id(), chunk.model(), chunk.createdEpochSeconds(),
                        chunk.usage()));
            }
            List<Generation> generations = chunk.choices().stream().map(delta -> {
                if (delta.finishReason() != null) {
                    finishReasons.put(delta.index(), delta.finishReason());
                }
                String thought = null;
                if (delta.reasoning() != null && !delta.reasoning().isEmpty()) {
                    thought = reasoning.computeIfAbsent(delta.index(), i -> new StringBuilder())
                            .append(delta.reasoning()).toString();
                }
                return generation(delta.content(), thought, delta.toolCalls(), delta.finishReason(), delta.logprobs());
            }).toList();
            return new ChatResponse(generations, metadata(chunk.id(), chunk.model(), chunk.createdEpochSeconds(),
                    chunk.usage()));
        }
    }
}
