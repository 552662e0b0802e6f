package io.webllm.engine.chat;

/**
 * Token counts and timings of one request, as WebLLM reports them.
 *
 * @param cachedPromptTokens prompt tokens whose KV cache was reused from the conversation's previous turn
 * @param timeToFirstTokenSeconds from the request's arrival to the first generated token
 * @param prefillTokensPerSecond prompt tokens processed per second (excluding reused ones)
 * @param decodeTokensPerSecond generated tokens per second after the first
 * @param grammarSecondsPerToken time spent computing constrained-decoding masks, per generated token
 */
public record Usage(
        int promptTokens,
        int completionTokens,
        int cachedPromptTokens,
        double timeToFirstTokenSeconds,
        double prefillTokensPerSecond,
        double decodeTokensPerSecond,
        double endToEndLatencySeconds,
        double grammarSecondsPerToken) {

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
