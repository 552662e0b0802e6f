package io.webllm.spring.autoconfigure;

import io.webllm.engine.chat.ResponseFormat;
import io.webllm.engine.chat.ToolChoice;
import io.webllm.spring.ai.WebLlmChatOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Default options of every request to a model ({@code webllm.chat.options.*}, {@code webllm.models.<name>.options.*}).
 * Values out of range fail at startup, naming the property.
 */
public class ChatOptionsProperties {

    /** Kinds of answer a model can be held to from the properties; a JSON schema comes with each request. */
    public enum ResponseFormatKind { TEXT, JSON_OBJECT }

    /** Tokens generated at most per answer. */
    private @Nullable Integer maxTokens;

    /** Sampling temperature in [0, 2]; 0 picks the most likely token every time. */
    private @Nullable Double temperature;

    /** Nucleus sampling: the smallest set of tokens whose probabilities add up to this, in (0, 1]. */
    private @Nullable Double topP;

    /** Sample among this many most likely tokens only; 0 turns the limit off. */
    private @Nullable Integer topK;

    /** Drop tokens less likely than this fraction of the most likely one, in [0, 1]. */
    private @Nullable Double minP;

    /** Seed of the sampler, for answers that repeat. */
    private @Nullable Long seed;

    /** Strings that end the answer when generated; never part of it. */
    private List<String> stop = new ArrayList<>();

    /** Penalty in [-2, 2] growing with how often a token already appeared. */
    private @Nullable Double frequencyPenalty;

    /** Penalty in [-2, 2] for any token that already appeared. */
    private @Nullable Double presencePenalty;

    /** llama.cpp's repetition penalty, greater than 0; 1 turns it off. */
    private @Nullable Double repetitionPenalty;

    /** Token id to a bias in [-100, 100] added to its logit. */
    private Map<Integer, Float> logitBias = new LinkedHashMap<>();

    /** Whether to return the log-probability of each generated token. */
    private @Nullable Boolean logprobs;

    /** Most likely alternatives returned per token with {@code logprobs}, in [0, 20]. */
    private @Nullable Integer topLogprobs;

    /** Whether and which tool the model must call: none, auto, required, or the name of one tool. */
    private @Nullable String toolChoice;

    /** Whether answers must be plain text or a JSON object. */
    private @Nullable ResponseFormatKind responseFormat;

    /** Whether reasoning models think before answering; unset: the chat template's default. */
    private @Nullable Boolean enableThinking;

    public WebLlmChatOptions toOptions() {
        WebLlmChatOptions.Builder b = WebLlmChatOptions.builder()
                .maxTokens(maxTokens)
                .temperature(temperature)
                .topP(topP)
                .topK(topK)
                .minP(minP)
                .seed(seed)
                .stopSequences(stop.isEmpty() ? null : stop)
                .frequencyPenalty(frequencyPenalty)
                .presencePenalty(presencePenalty)
                .repetitionPenalty(repetitionPenalty)
                .logitBias(logitBias.isEmpty() ? null : logitBias)
                .logprobs(logprobs)
                .topLogprobs(topLogprobs)
                .enableThinking(enableThinking);
        if (toolChoice != null) {
            b.toolChoice(parseToolChoice(toolChoice));
        }
        if (responseFormat != null) {
            b.responseFormat(responseFormat == ResponseFormatKind.JSON_OBJECT ? ResponseFormat.JSON_OBJECT
                    : ResponseFormat.TEXT);
        }
        return b.build();
    }

    static ToolChoice parseToolChoice(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> ToolChoice.NONE;
            case "auto" -> ToolChoice.AUTO;
            case "required" -> ToolChoice.REQUIRED;
            default -> ToolChoice.function(text.trim());
        };
    }

    public @Nullable Integer getMaxTokens() {
        return maxTokens;
    }

    public void setMaxTokens(@Nullable Integer maxTokens) {
        Checks.check(maxTokens == null || maxTokens > 0, "max-tokens", "positive", maxTokens);
        this.maxTokens = maxTokens;
    }

    public @Nullable Double getTemperature() {
        return temperature;
    }

    public void setTemperature(@Nullable Double temperature) {
        Checks.check(temperature == null || (temperature >= 0 && temperature <= 2), "temperature", "in [0, 2]", temperature);
        this.temperature = temperature;
    }

    public @Nullable Double getTopP() {
        return topP;
    }

    public void setTopP(@Nullable Double topP) {
        Checks.check(topP == null || (topP > 0 && topP <= 1), "top-p", "in (0, 1]", topP);
        this.topP = topP;
    }

    public @Nullable Integer getTopK() {
        return topK;
    }

    public void setTopK(@Nullable Integer topK) {
        Checks.check(topK == null || topK >= 0, "top-k", ">= 0", topK);
        this.topK = topK;
    }

    public @Nullable Double getMinP() {
        return minP;
    }

    public void setMinP(@Nullable Double minP) {
        Checks.check(minP == null || (minP >= 0 && minP <= 1), "min-p", "in [0, 1]", minP);
        this.minP = minP;
    }

    public @Nullable Long getSeed() {
        return seed;
    }

    public void setSeed(@Nullable Long seed) {
        this.seed = seed;
    }

    public List<String> getStop() {
        return stop;
    }

    public void setStop(List<String> stop) {
        Checks.check(stop.stream().noneMatch(String::isEmpty), "stop", "a list of non-empty strings", stop);
        this.stop = new ArrayList<>(stop);
    }

    public @Nullable Double getFrequencyPenalty() {
        return frequencyPenalty;
    }

    public void setFrequencyPenalty(@Nullable Double frequencyPenalty) {
        Checks.check(frequencyPenalty == null || Math.abs(frequencyPenalty) <= 2, "frequency-penalty", "in [-2, 2]",
                frequencyPenalty);
        this.frequencyPenalty = frequencyPenalty;
    }

    public @Nullable Double getPresencePenalty() {
        return presencePenalty;
    }

    public void setPresencePenalty(@Nullable Double presencePenalty) {
        Checks.check(presencePenalty == null || Math.abs(presencePenalty) <= 2, "presence-penalty", "in [-2, 2]",
                presencePenalty);
        this.presencePenalty = presencePenalty;
    }

    public @Nullable Double getRepetitionPenalty() {
        return repetitionPenalty;
    }

    public void setRepetitionPenalty(@Nullable Double repetitionPenalty) {
        Checks.check(repetitionPenalty == null || repetitionPenalty > 0, "repetition-penalty", "greater than 0",
                repetitionPenalty);
        this.repetitionPenalty = repetitionPenalty;
    }

    public Map<Integer, Float> getLogitBias() {
        return logitBias;
    }

    public void setLogitBias(Map<Integer, Float> logitBias) {
        logitBias.forEach((token, bias) -> Checks.check(token >= 0 && Math.abs(bias) <= 100, "logit-bias",
                "token ids >= 0 with biases in [-100, 100]", token + "=" + bias));
        this.logitBias = new LinkedHashMap<>(logitBias);
    }

    public @Nullable Boolean getLogprobs() {
        return logprobs;
    }

    public void setLogprobs(@Nullable Boolean logprobs) {
        this.logprobs = logprobs;
    }

    public @Nullable Integer getTopLogprobs() {
        return topLogprobs;
    }

    public void setTopLogprobs(@Nullable Integer topLogprobs) {
        Checks.check(topLogprobs == null || (topLogprobs >= 0 && topLogprobs <= 20), "top-logprobs", "in [0, 20]",
                topLogprobs);
        this.topLogprobs = topLogprobs;
    }

    public @Nullable String getToolChoice() {
        return toolChoice;
    }

    public void setToolChoice(@Nullable String toolChoice) {
        Checks.check(toolChoice == null || !toolChoice.isBlank(), "tool-choice",
                "none, auto, required or the name of a tool", "'" + toolChoice + "'");
        this.toolChoice = toolChoice;
    }

    public @Nullable ResponseFormatKind getResponseFormat() {
        return responseFormat;
    }

    public void setResponseFormat(@Nullable ResponseFormatKind responseFormat) {
        this.responseFormat = responseFormat;
    }

    public @Nullable Boolean getEnableThinking() {
        return enableThinking;
    }

    public void setEnableThinking(@Nullable Boolean enableThinking) {
        this.enableThinking = enableThinking;
    }
}
