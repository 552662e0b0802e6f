/**
 * Turning a step's logits into the next token: logit bias, penalties, the constrained-decoding mask, temperature,
 * top-k / top-p / min-p truncation and a seeded draw, plus the logprobs that OpenAI-style responses report.
 *
 * <p>The pieces are stateless apart from {@link io.webllm.engine.sampling.SamplingState}, which holds everything a
 * single sequence needs (token counts, PRNG, scratch buffers), so one {@link io.webllm.engine.sampling.Sampler} can
 * serve every sequence of a batch.
 */
@org.jspecify.annotations.NullMarked
package io.webllm.engine.sampling;
