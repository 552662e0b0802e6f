package io.webllm.engine.sampling;

import java.util.List;

/**
 * One in-place change to a step's logits, reading whatever it needs from the sequence's {@link SamplingState}.
 * Implementations must not allocate: they run once per token over vocabularies of 150k entries.
 */
@FunctionalInterface
public interface LogitProcessor {

    void process(float[] logits, SamplingState state);

    /**
     * llama.cpp's and OpenAI's order: logit bias, repetition penalty, frequency and presence penalties, then the
     * constrained-decoding mask (last, so nothing can revive a token it forbids). Temperature follows in the sampler.
     */
    List<LogitProcessor> STANDARD_CHAIN = List.of(
            new LogitBiasProcessor(),
            new RepetitionPenaltyProcessor(),
            new FrequencyPresencePenaltyProcessor(),
            new AllowedTokenMaskProcessor());
}
