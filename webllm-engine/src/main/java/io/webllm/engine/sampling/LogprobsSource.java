package io.webllm.engine.sampling;

/**
 * Which distribution reported logprobs describe.
 *
 * <p>OpenAI does not say whether its logprobs are taken before or after temperature and its other request settings.
 * llama.cpp's server, whose OpenAI endpoint we follow, reports by default ({@code post_sampling_probs: false}) the
 * softmax of the model's own logits: before logit bias, penalties, grammar, temperature and truncation. That is
 * {@link #MODEL}, the default, and it makes logprobs a property of the model and the text, comparable across requests
 * with different sampling settings. {@link #PROCESSED} is there for callers who want the distribution that was
 * actually drawn from, before truncation.
 */
public enum LogprobsSource {
    /** log-softmax of the logits as the model produced them. */
    MODEL,
    /**
     * log-softmax after logit bias, penalties, the allowed-token mask and temperature (temperature 0 counts as 1),
     * before top-k / top-p / min-p: masked and banned tokens have {@code -Infinity}.
     */
    PROCESSED
}
