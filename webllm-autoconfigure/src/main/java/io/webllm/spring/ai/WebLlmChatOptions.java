package io.webllm.spring.ai;

import io.webllm.engine.chat.ResponseFormat;
import io.webllm.engine.chat.ToolChoice;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.model.tool.DefaultToolCallingChatOptions;
import org.springframework.ai.model.tool.StructuredOutputChatOptions;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;

/**
 * Options of a webllm chat request: every sampling control of the engine, the tools the model may call and the format
 * of its answer. Immutable; {@link #mutate()} returns a builder holding a copy. A field left {@code null} takes the
 * value of the model's defaults (from {@code webllm.chat.options.*}), and when those leave it unset too, the engine's
 * own default (OpenAI's: temperature 1, top-p 1).
 *
 * <p>An output schema handed over by {@code ChatClient.entity(...)} through {@link StructuredOutputChatOptions} becomes
 * a {@link ResponseFormat#jsonSchema(String) JSON-schema response format}: the engine masks every token that would
 * leave the schema, so the answer always parses into the requested type.
 */
public final class WebLlmChatOptions implements ToolCallingChatOptions, StructuredOutputChatOptions {

    private final @Nullable String model;
    private final @Nullable Integer maxTokens;
    private final @Nullable Double temperature;
    private final @Nullable Double topP;
    private final @Nullable Integer topK;
    private final @Nullable Double minP;
    private final @Nullable Long seed;
    private final @Nullable List<String> stopSequences;
    private final @Nullable Double frequencyPenalty;
    private final @Nullable Double presencePenalty;
    private final @Nullable Double repetitionPenalty;
    private final @Nullable Map<Integer, Float> logitBias;
    private final @Nullable Boolean logprobs;
    private final @Nullable Integer topLogprobs;
    private final @Nullable Integer n;
    private final @Nullable ToolChoice toolChoice;
    private final @Nullable ResponseFormat responseFormat;
    private final @Nullable Boolean enableThinking;
    private final @Nullable List<ToolCallback> toolCallbacks;
    private final @Nullable Map<String, Object> toolContext;

    private WebLlmChatOptions(Builder b, @Nullable String model, @Nullable Integer maxTokens,
            @Nullable Double temperature, @Nullable Double topP, @Nullable Integer topK,
            @Nullable List<String> stopSequences, @Nullable Double frequencyPenalty, @Nullable Double presencePenalty,
            @Nullable List<ToolCallback> toolCallbacks, @Nullable Map<String, Object> toolContext) {
        this.model = model;
        this.maxTokens = maxTokens;
        this.temperature = temperature;
        this.topP = topP;
        this.topK = topK;
        this.stopSequences = stopSequences == null ? null : List.copyOf(stopSequences);
        this.frequencyPenalty = frequencyPenalty;
        this.presencePenalty = presencePenalty;
        this.toolCallbacks = toolCallbacks == null ? null : List.copyOf(toolCallbacks);
        this.toolContext = toolContext == null ? null : Map.copyOf(toolContext);
        this.minP = b.minP;
        this.seed = b.seed;
        this.repetitionPenalty = b.repetitionPenalty;
        this.logitBias = b.logitBias == null ? null : Map.copyOf(b.logitBias);
        this.logprobs = b.logprobs;
        this.topLogprobs = b.topLogprobs;
        this.n = b.n;
        this.toolChoice = b.toolChoice;
        this.responseFormat = b.responseFormat;
        this.enableThinking = b.enableThinking;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The options a request runs with: each field of {@code runtime} that is set replaces the one of {@code defaults}.
     * Lists and maps are replaced as a whole (stop sequences and tool callbacks are not concatenated, so merging
     * options that {@code ChatClient} already merged with the same defaults changes nothing); tool contexts are merged
     * key by key. Options of other providers contribute their portable fields.
     */
    public static WebLlmChatOptions merge(@Nullable ChatOptions runtime, WebLlmChatOptions defaults) {
        if (runtime == null) {
            return defaults;
        }
        Builder b = defaults.mutate();
        if (runtime.getModel() != null) {
            b.model(runtime.getModel());
        }
        if (runtime.getMaxTokens() != null) {
            b.maxTokens(runtime.getMaxTokens());
        }
        if (runtime.getTemperature() != null) {
            b.temperature(runtime.getTemperature());
        }
        if (runtime.getTopP() != null) {
            b.topP(runtime.getTopP());
        }
        if (runtime.getTopK() != null) {
            b.topK(runtime.getTopK());
        }
        if (runtime.getStopSequences() != null) {
            b.stopSequences(runtime.getStopSequences());
        }
        if (runtime.getFrequencyPenalty() != null) {
            b.frequencyPenalty(runtime.getFrequencyPenalty());
        }
        if (runtime.getPresencePenalty() != null) {
            b.presencePenalty(runtime.getPresencePenalty());
        }
        if (runtime instanceof ToolCallingChatOptions tools) {
            b.toolCallbacks(ToolCallingChatOptions.mergeToolCallbacks(tools.getToolCallbacks(), defaults.toolCallbacks));
            b.replaceToolContext(ToolCallingChatOptions.mergeToolContext(tools.getToolContext(), defaults.toolContext));
        }
        if (runtime instanceof WebLlmChatOptions web) {
            b.overlay(web.mutate());
        }
        else if (runtime instanceof StructuredOutputChatOptions structured && structured.getOutputSchema() != null) {
            b.outputSchema(structured.getOutputSchema());
        }
        return b.build();
    }

    @Override
    public @Nullable String getModel() {
        return model;
    }

    @Override
    public @Nullable Integer getMaxTokens() {
        return maxTokens;
    }

    @Override
    public @Nullable Double getTemperature() {
        return temperature;
    }

    @Override
    public @Nullable Double getTopP() {
        return topP;
    }

    @Override
    public @Nullable Integer getTopK() {
        return topK;
    }

    /** Tokens whose probability is below {@code minP} times the most likely token's are never sampled. */
    public @Nullable Double getMinP() {
        return minP;
    }

    /** Seed of the sampler: the same seed and request give the same answer. */
    public @Nullable Long getSeed() {
        return seed;
    }

    @Override
    public @Nullable List<String> getStopSequences() {
        return stopSequences;
    }

    @Override
    public @Nullable Double getFrequencyPenalty() {
        return frequencyPenalty;
    }

    @Override
    public @Nullable Double getPresencePenalty() {
        return presencePenalty;
    }

    /** llama.cpp's multiplicative repetition penalty; 1 turns it off. */
    public @Nullable Double getRepetitionPenalty() {
        return repetitionPenalty;
    }

    /** Token id to a bias in [-100, 100] added to its logit. */
    public @Nullable Map<Integer, Float> getLogitBias() {
        return logitBias;
    }

    /** Whether to return the log-probability of each generated token (in the generation metadata). */
    public @Nullable Boolean getLogprobs() {
        return logprobs;
    }

    public @Nullable Integer getTopLogprobs() {
        return topLogprobs;
    }

    /** Number of independent answers, each one {@code Generation} of the response. */
    public @Nullable Integer getN() {
        return n;
    }

    /**
     * Whether and which tool the model must call; null: {@code auto} when tools are offered. {@code none} hides the
     * tools from the model. A forced choice ({@code required}, a named function) applies until the tools have
     * answered; the request that carries their results runs with {@code auto}.
     */
    public @Nullable ToolChoice getToolChoice() {
        return toolChoice;
    }

    public @Nullable ResponseFormat getResponseFormat() {
        return responseFormat;
    }

    /** For reasoning models whose template supports it; null: the template's default. */
    public @Nullable Boolean getEnableThinking() {
        return enableThinking;
    }

    @Override
    public @Nullable List<ToolCallback> getToolCallbacks() {
        return toolCallbacks;
    }

    @Override
    public @Nullable Map<String, Object> getToolContext() {
        return toolContext;
    }

    /** The JSON schema the answer must follow, when the response format is a JSON schema. */
    @Override
    public @Nullable String getOutputSchema() {
        return responseFormat != null && responseFormat.type() == ResponseFormat.Type.JSON_SCHEMA
                ? responseFormat.schema() : null;
    }

    @Override
    public Builder mutate() {
        Builder b = new Builder()
                .model(model)
                .maxTokens(maxTokens)
                .temperature(temperature)
                .topP(topP)
                .topK(topK)
                .stopSequences(stopSequences)
                .frequencyPenalty(frequencyPenalty)
                .presencePenalty(presencePenalty)
                .toolCallbacks(toolCallbacks)
                .toolContext(toolContext);
        b.minP = minP;
        b.seed = seed;
        b.repetitionPenalty = repetitionPenalty;
        b.logitBias = logitBias == null ? null : new LinkedHashMap<>(logitBias);
        b.logprobs = logprobs;
        b.topLogprobs = topLogprobs;
        b.n = n;
        b.toolChoice = toolChoice;
        b.responseFormat = responseFormat;
        b.enableThinking = enableThinking;
        return b;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof WebLlmChatOptions that
                && Objects.equals(model, that.model) && Objects.equals(maxTokens, that.maxTokens)
                && Objects.equals(temperature, that.temperature) && Objects.equals(topP, that.topP)
                && Objects.equals(topK, that.topK) && Objects.equals(minP, that.minP)
                && Objects.equals(seed, that.seed) && Objects.equals(stopSequences, that.stopSequences)
                && Objects.equals(frequencyPenalty, that.frequencyPenalty)
                && Objects.equals(presencePenalty, that.presencePenalty)
                && Objects.equals(repetitionPenalty, that.repetitionPenalty)
                && Objects.equals(logitBias, that.logitBias) && Objects.equals(logprobs, that.logprobs)
                && Objects.equals(topLogprobs, that.topLogprobs) && Objects.equals(n, that.n)
                && Objects.equals(toolChoice, that.toolChoice) && Objects.equals(responseFormat, that.responseFormat)
                && Objects.equals(enableThinking, that.enableThinking)
                && Objects.equals(toolCallbacks, that.toolCallbacks) && Objects.equals(toolContext, that.toolContext);
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, maxTokens, temperature, topP, topK, minP, seed, stopSequences, frequencyPenalty,
                presencePenalty, repetitionPenalty, logitBias, logprobs, topLogprobs, n, toolChoice, responseFormat,
                enableThinking, toolCallbacks, toolContext);
    }

    @Override
    public String toString() {
        return "WebLlmChatOptions[model=" + model + ", maxTokens=" + maxTokens + ", temperature=" + temperature
                + ", topP=" + topP + ", topK=" + topK + ", minP=" + minP + ", seed=" + seed + ", stop=" + stopSequences
                + ", frequencyPenalty=" + frequencyPenalty + ", presencePenalty=" + presencePenalty
                + ", repetitionPenalty=" + repetitionPenalty + ", logitBias=" + logitBias + ", logprobs=" + logprobs
                + ", topLogprobs=" + topLogprobs + ", n=" + n + ", toolChoice=" + toolChoice
                + ", responseFormat=" + responseFormat + ", enableThinking=" + enableThinking
                + ", tools=" + (toolCallbacks == null ? 0 : toolCallbacks.size()) + "]";
    }

    /**
     * Builder of {@link WebLlmChatOptions}; also the builder {@code ChatClient} merges request options with
     * ({@link #combineWith(ChatOptions.Builder)}: fields set on the other builder win).
     */
    public static final class Builder extends DefaultToolCallingChatOptions.Builder<Builder>
            implements StructuredOutputChatOptions.Builder<Builder> {

        private @Nullable Double minP;
        private @Nullable Long seed;
        private @Nullable Double repetitionPenalty;
        private @Nullable Map<Integer, Float> logitBias;
        private @Nullable Boolean logprobs;
        private @Nullable Integer topLogprobs;
        private @Nullable Integer n;
        private @Nullable ToolChoice toolChoice;
        private @Nullable ResponseFormat responseFormat;
        private @Nullable Boolean enableThinking;

        private Builder() {
        }

        public Builder minP(@Nullable Double minP) {
            this.minP = minP;
            return this;
        }

        public Builder seed(@Nullable Long seed) {
            this.seed = seed;
            return this;
        }

        public Builder repetitionPenalty(@Nullable Double repetitionPenalty) {
            this.repetitionPenalty = repetitionPenalty;
            return this;
        }

        public Builder logitBias(@Nullable Map<Integer, Float> logitBias) {
            this.logitBias = logitBias == null ? null : new LinkedHashMap<>(logitBias);
            return this;
        }

        public Builder logprobs(@Nullable Boolean logprobs) {
            this.logprobs = logprobs;
            return this;
        }

        public Builder topLogprobs(@Nullable Integer topLogprobs) {
            this.topLogprobs = topLogprobs;
            return this;
        }

        public Builder n(@Nullable Integer n) {
            this.n = n;
            return this;
        }

        public Builder toolChoice(@Nullable ToolChoice toolChoice) {
            this.toolChoice = toolChoice;
            return this;
        }

        public Builder responseFormat(@Nullable ResponseFormat responseFormat) {
            this.responseFormat = responseFormat;
            return this;
        }

        public Builder enableThinking(@Nullable Boolean enableThinking) {
            this.enableThinking = enableThinking;
            return this;
        }

        /** A JSON schema the answer must follow; null clears a schema set before. */
        @Override
        public Builder outputSchema(@Nullable String outputSchema) {
            this.responseFormat = outputSchema == null ? null : ResponseFormat.jsonSchema(outputSchema);
            return this;
        }

        @Override
        public Builder clone() {
            Builder copy = super.clone();
            copy.logitBias = logitBias == null ? null : new LinkedHashMap<>(logitBias);
            return copy;
        }

        @Override
        public Builder combineWith(ChatOptions.Builder<?> other) {
            super.combineWith(other);
            if (other instanceof Builder that) {
                overlay(that);
            }
            return this;
        }

        @Override
        public WebLlmChatOptions build() {
            return new WebLlmChatOptions(this, model, maxTokens, temperature, topP, topK, stopSequences,
                    frequencyPenalty, presencePenalty, toolCallbacks, toolContext);
        }

        private void replaceToolContext(@Nullable Map<String, Object> context) {
            this.toolContext = context == null ? null : new HashMap<>(context);
        }

        private void overlay(Builder that) {
            if (that.minP != null) {
                minP = that.minP;
            }
            if (that.seed != null) {
                seed = that.seed;
            }
            if (that.repetitionPenalty != null) {
                repetitionPenalty = that.repetitionPenalty;
            }
            if (that.logitBias != null) {
                logitBias = new LinkedHashMap<>(that.logitBias);
            }
            if (that.logprobs != null) {
                logprobs = that.logprobs;
            }
            if (that.topLogprobs != null) {
                topLogprobs = that.topLogprobs;
            }
            if (that.n != null) {
                n = that.n;
            }
            if (that.toolChoice != null) {
                toolChoice = that.toolChoice;
            }
            if (that.responseFormat != null) {
                responseFormat = that.responseFormat;
            }
            if (that.enableThinking != null) {
                enableThinking = that.enableThinking;
            }
        }
    }
}
