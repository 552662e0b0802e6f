package io.webllm.engine.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A chat completion request with OpenAI's fields. Unset sampling fields ({@code null}) take the engine's defaults
 * (OpenAI's: temperature 1, top_p 1). The engine validates the request before any work and names the field at fault.
 *
 * @param maxTokens     generated tokens at most; null: until the context is full
 * @param stop          strings that end generation when produced; never part of the output
 * @param logitBias     token id to bias added to its logit, in [-100, 100]
 * @param n             number of independent choices
 * @param ignoreEos     keep generating past end-of-generation tokens (benchmarks)
 * @param enableThinking for reasoning models whose template supports it; null: the template's default
 */
public record ChatRequest(
        List<ChatMessage> messages,
        @Nullable Integer maxTokens,
        @Nullable Double temperature,
        @Nullable Double topP,
        @Nullable Integer topK,
        @Nullable Double minP,
        @Nullable Long seed,
        List<String> stop,
        @Nullable Double frequencyPenalty,
        @Nullable Double presencePenalty,
        @Nullable Double repetitionPenalty,
        Map<Integer, Float> logitBias,
        boolean logprobs,
        @Nullable Integer topLogprobs,
        int n,
        boolean ignoreEos,
        ResponseFormat responseFormat,
        List<ToolDefinition> tools,
        ToolChoice toolChoice,
        @Nullable Boolean enableThinking) {

    public ChatRequest {
        messages = List.copyOf(messages);
        stop = List.copyOf(stop);
        logitBias = Map.copyOf(logitBias);
        tools = List.copyOf(tools);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder mutate() {
        Builder b = new Builder();
        b.messages = new ArrayList<>(messages);
        b.maxTokens = maxTokens;
        b.temperature = temperature;
        b.topP = topP;
        b.topK = topK;
        b.minP = minP;
        b.seed = seed;
        b.stop = new ArrayList<>(stop);
        b.frequencyPenalty = frequencyPenalty;
        b.presencePenalty = presencePenalty;
        b.repetitionPenalty = repetitionPenalty;
        b.logitBias = new LinkedHashMap<>(logitBias);
        b.logprobs = logprobs;
        b.topLogprobs = topLogprobs;
        b.n = n;
        b.ignoreEos = ignoreEos;
        b.responseFormat = responseFormat;
        b.tools = new ArrayList<>(tools);
        b.toolChoice = toolChoice;
        b.enableThinking = enableThinking;
        return b;
    }

    public static final class Builder {
        private List<ChatMessage> messages = new ArrayList<>();
        private @Nullable Integer maxTokens;
        private @Nullable Double temperature;
        private @Nullable Double topP;
        private @Nullable Integer topK;
        private @Nullable Double minP;
        private @Nullable Long seed;
        private List<String> stop = new ArrayList<>();
        private @Nullable Double frequencyPenalty;
        private @Nullable Double presencePenalty;
        private @Nullable Double repetitionPenalty;
        private Map<Integer, Float> logitBias = new LinkedHashMap<>();
        private boolean logprobs;
        private @Nullable Integer topLogprobs;
        private int n = 1;
        private boolean ignoreEos;
        private ResponseFormat responseFormat = ResponseFormat.TEXT;
        private List<ToolDefinition> tools = new ArrayList<>();
        private @Nullable ToolChoice toolChoice;
        private @Nullable Boolean enableThinking;

        public Builder messages(List<ChatMessage> messages) { this.messages = new ArrayList<>(messages); return this; }
        public Builder message(ChatMessage message) { this.messages.add(message); return this; }
        public Builder maxTokens(@Nullable Integer maxTokens) { this.maxTokens = maxTokens; return this; }
        public Builder temperature(@Nullable Double temperature) { this.temperature = temperature; return this; }
        public Builder topP(@Nullable Double topP) { this.topP = topP; return this; }
        public Builder topK(@Nullable Integer topK) { this.topK = topK; return this; }
        public Builder minP(@Nullable Double minP) { this.minP = minP; return this; }
        public Builder seed(@Nullable Long seed) { this.seed = seed; return this; }
        public Builder stop(List<String> stop) { this.stop = new ArrayList<>(stop); return this; }
        public Builder frequencyPenalty(@Nullable Double value) { this.frequencyPenalty = value; return this; }
        public Builder presencePenalty(@Nullable Double value) { this.presencePenalty = value; return this; }
        public Builder repetitionPenalty(@Nullable Double value) { this.repetitionPenalty = value; return this; }
        public Builder logitBias(Map<Integer, Float> logitBias) { this.logitBias = new LinkedHashMap<>(logitBias); return this; }
        public Builder logprobs(boolean logprobs) { this.logprobs = logprobs; return this; }
        public Builder topLogprobs(@Nullable Integer topLogprobs) { this.topLogprobs = topLogprobs; return this; }
        public Builder n(int n) { this.n = n; return this; }
        public Builder ignoreEos(boolean ignoreEos) { this.ignoreEos = ignoreEos; return this; }
        public Builder responseFormat(ResponseFormat format) { this.responseFormat = format; return this; }
        public Builder tools(List<ToolDefinition> tools) { this.tools = new ArrayList<>(tools); return this; }
        public Builder toolChoice(@Nullable ToolChoice toolChoice) { this.toolChoice = toolChoice; return this; }
        public Builder enableThinking(@Nullable Boolean enableThinking) { this.enableThinking = enableThinking; return this; }

        public ChatRequest build() {
            ToolChoice choice = toolChoice != null ? toolChoice : tools.isEmpty() ? ToolChoice.NONE : ToolChoice.AUTO;
            return new ChatRequest(messages, maxTokens, temperature, topP, topK, minP, seed, stop, frequencyPenalty,
                    presencePenalty, repetitionPenalty, logitBias, logprobs, topLogprobs, n, ignoreEos, responseFormat,
                    tools, choice, enableThinking);
        }
    }
}
