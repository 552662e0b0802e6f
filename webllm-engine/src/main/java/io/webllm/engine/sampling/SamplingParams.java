package io.webllm.engine.sampling;

import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * How one request wants its tokens chosen, with the ranges of the OpenAI API (and llama.cpp for the fields OpenAI
 * lacks). Every value is checked on construction; a bad one fails with an {@link InvalidSamplingParameterException}
 * naming the field, before any work is done.
 *
 * @param temperature       divides the logits; 0 means greedy (argmax), range [0, 2]
 * @param topP              nucleus: keep the most likely tokens until their mass reaches this, range (0, 1]
 * @param topK              keep only this many most likely tokens; 0 keeps all
 * @param minP              drop tokens less likely than this fraction of the most likely one, range [0, 1]
 * @param frequencyPenalty  subtracted once per earlier occurrence in the generated text, range [-2, 2]
 * @param presencePenalty   subtracted once if the token occurred in the generated text, range [-2, 2]
 * @param repetitionPenalty llama.cpp's multiplicative penalty over prompt and generated tokens; 1 is off, must be
 *                          above 0
 * @param logitBias         token id to a bias in [-100, 100] added to its logit; -100 bans the token
 * @param seed              makes the draws repeatable; {@code null} draws a fresh seed per request
 * @param logprobs          whether to report the chosen token's log probability
 * @param topLogprobs       how many most likely alternatives to report with it, 0 to 20 (needs {@code logprobs})
 */
public record SamplingParams(
        double temperature,
        double topP,
        int topK,
        double minP,
        double frequencyPenalty,
        double presencePenalty,
        double repetitionPenalty,
        Map<Integer, Float> logitBias,
        @Nullable Long seed,
        boolean logprobs,
        int topLogprobs) {

    /** OpenAI's defaults: temperature 1, no truncation, no penalties, unseeded. */
    public static final SamplingParams DEFAULTS = builder().build();

    /** The largest {@code top_logprobs} OpenAI accepts. */
    public static final int MAX_TOP_LOGPROBS = 20;

    public SamplingParams {
        requireRange("temperature", temperature, 0, 2);
        if (!(topP > 0 && topP <= 1)) {
            throw new InvalidSamplingParameterException("top_p", "expected a value in (0, 1] but found " + topP);
        }
        if (topK < 0) {
            throw new InvalidSamplingParameterException("top_k", "expected 0 (off) or a positive count but found " + topK);
        }
        requireRange("min_p", minP, 0, 1);
        requireRange("frequency_penalty", frequencyPenalty, -2, 2);
        requireRange("presence_penalty", presencePenalty, -2, 2);
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw new InvalidSamplingParameterException("repetition_penalty",
                    "expected a finite value above 0 (1 is off) but found " + repetitionPenalty);
        }
        logitBias = validatedBias(logitBias);
        if (topLogprobs < 0 || topLogprobs > MAX_TOP_LOGPROBS) {
            throw new InvalidSamplingParameterException("top_logprobs",
                    "expected 0 to " + MAX_TOP_LOGPROBS + " but found " + topLogprobs);
        }
        if (topLogprobs > 0 && !logprobs) {
            throw new InvalidSamplingParameterException("top_logprobs",
                    "needs logprobs to be true but logprobs is false");
        }
    }

    private static void requireRange(String field, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new InvalidSamplingParameterException(field,
                    "expected a value in [" + fmt(min) + ", " + fmt(max) + "] but found " + value);
        }
    }

    private static String fmt(double bound) {
        return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
    }

    private static Map<Integer, Float> validatedBias(@Nullable Map<Integer, Float> bias) {
        if (bias == null || bias.isEmpty()) {
            return Map.of();
        }
        var copy = new TreeMap<Integer, Float>();
        for (var entry : bias.entrySet()) {
            Integer token = entry.getKey();
            Float value = entry.getValue();
            if (token == null || token < 0) {
                throw new InvalidSamplingParameterException("logit_bias",
                        "expected non-negative token ids but found " + token);
            }
            if (value == null || !(value >= -100 && value <= 100)) {
                throw new InvalidSamplingParameterException("logit_bias",
                        "expected a bias in [-100, 100] for token " + token + " but found " + value);
            }
            copy.put(token, value);
        }
        return java.util.Collections.unmodifiableMap(copy);
    }

    /** Whether the draw is an argmax: temperature 0 makes every other setting but the logit changes moot. */
    public boolean greedy() {
        return temperature == 0;
    }

    /**
     * Whether the draw is the argmax of the model's own logits: greedy, and no bias or penalty changes a logit first
     * (the allowed-token mask of constrained decoding is the caller's to check). Such a draw can be made on the
     * device (model.DeviceDecode).
     */
    public boolean argmaxOfModelLogits() {
        return greedy() && !penalized() && logitBias.isEmpty();
    }

    /** Whether a repetition, frequency or presence penalty changes the logits of tokens already seen. */
    public boolean penalized() {
        return frequencyPenalty != 0 || presencePenalty != 0 || repetitionPenalty != 1;
    }

    /**
     * Whether the device can draw with these settings (opencl kernels/greedy.cl and sample.cl): anything without a
     * logit bias, but top-k, top-p and the penalties only where {@code all} (their device draws are switched on);
     * otherwise the argmax of the model's own logits ({@link #argmaxOfModelLogits}) or temperature with min-p.
     */
    public boolean drawableOnDevice(boolean all) {
        if (!logitBias.isEmpty()) {
            return false;
        }
        return all || argmaxOfModelLogits() || (!penalized() && topK == 0 && topP >= 1);
    }

    public Builder mutate() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts from OpenAI's defaults; {@link #build()} validates. */
    public static final class Builder {
        private double temperature = 1;
        private double topP = 1;
        private int topK;
        private double minP;
        private double frequencyPenalty;
        private double presencePenalty;
        private double repetitionPenalty = 1;
        private Map<Integer, Float> logitBias = Map.of();
        private @Nullable Long seed;
        private boolean logprobs;
        private int topLogprobs;

        private Builder() {
        }

        private Builder(SamplingParams p) {
            temperature = p.temperature;
            topP = p.topP;
            topK = p.topK;
            minP = p.minP;
            frequencyPenalty = p.frequencyPenalty;
            presencePenalty = p.presencePenalty;
            repetitionPenalty = p.repetitionPenalty;
            logitBias = p.logitBias;
            seed = p.seed;
            logprobs = p.logprobs;
            topLogprobs = p.topLogprobs;
        }

        public Builder temperature(double value) { temperature = value; return this; }
        public Builder topP(double value) { topP = value; return this; }
        public Builder topK(int value) { topK = value; return this; }
        public Builder minP(double value) { minP = value; return this; }
        public Builder frequencyPenalty(double value) { frequencyPenalty = value; return this; }
        public Builder presencePenalty(double value) { presencePenalty = value; return this; }
        public Builder repetitionPenalty(double value) { repetitionPenalty = value; return this; }
        public Builder logitBias(Map<Integer, Float> value) { logitBias = value; return this; }
        public Builder seed(@Nullable Long value) { seed = value; return this; }
        public Builder logprobs(boolean value) { logprobs = value; return this; }
        public Builder topLogprobs(int value) { topLogprobs = value; return this; }

        public SamplingParams build() {
            return new SamplingParams(temperature, topP, topK, minP, frequencyPenalty, presencePenalty,
                    repetitionPenalty, logitBias, seed, logprobs, topLogprobs);
        }
    }
}
