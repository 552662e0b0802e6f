package io.webllm.engine.sampling;

/**
 * Chooses the next token from a step's logits. Stateless: everything a sequence carries lives in its
 * {@link SamplingState}, so one sampler serves a whole batch. Implementations may overwrite {@code logits}.
 */
@FunctionalInterface
public interface Sampler {

    /**
     * @param logits one value per vocabulary entry (at least {@link SamplingState#vocabularySize()}); may be
     *               modified in place
     * @param state  the sequence's state; the caller records the returned token with {@link SamplingState#accept}
     * @return the chosen token id
     */
    int sample(float[] logits, SamplingState state);

    /**
     * The most likely token (lowest id on ties), honouring only the allowed-token mask: no bias, penalties or
     * randomness. For tests and reference runs that must not depend on request settings.
     */
    Sampler ARGMAX = (logits, state) -> {
        LogitSampler.MASK.process(logits, state);
        return LogitSampler.argmax(logits, state.vocabularySize());
    };

    /** The most likely token of raw logits (lowest id on ties), for tools that keep no per-request state. */
    static int argmax(float[] logits) {
        return LogitSampler.argmax(logits, logits.length);
    }

    /** The full pipeline of the request's {@link SamplingParams}, reporting logprobs of the model's distribution. */
    static Sampler standard() {
        return new LogitSampler(LogitProcessor.STANDARD_CHAIN, LogprobsSource.MODEL);
    }
}
