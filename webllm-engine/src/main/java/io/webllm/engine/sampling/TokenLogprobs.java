package io.webllm.engine.sampling;

import java.util.List;

/**
 * The log probability of a chosen token and of the most likely alternatives at that step, as OpenAI's
 * {@code logprobs.content[]} reports them (the engine adds the token text). See {@link LogprobsSource} for which
 * distribution the numbers come from.
 *
 * @param token       the sampled token
 * @param logprob     its natural-log probability
 * @param topLogprobs the {@code top_logprobs} most likely tokens, most likely first (ties: lower id first)
 */
public record TokenLogprobs(int token, float logprob, List<Alternative> topLogprobs) {

    public TokenLogprobs {
        topLogprobs = List.copyOf(topLogprobs);
    }

    /** One of the most likely tokens at a step. */
    public record Alternative(int token, float logprob) {
    }
}
