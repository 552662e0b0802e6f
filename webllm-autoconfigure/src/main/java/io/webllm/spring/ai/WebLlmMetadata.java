package io.webllm.spring.ai;

/**
 * Keys under which {@link WebLlmChatModel} puts what the engine measured into Spring AI's metadata maps. Timings in
 * {@code ChatResponseMetadata} are {@link java.time.Duration}s, rates are {@link Double}s.
 */
public final class WebLlmMetadata {

    /** The provider name in observations. */
    public static final String PROVIDER = "webllm";

    /** From the request's arrival to the first generated token ({@code Duration}). */
    public static final String TIME_TO_FIRST_TOKEN = "webllm.time-to-first-token";
    /** Prompt tokens processed per second, reused ones excluded ({@code Double}). */
    public static final String PREFILL_TOKENS_PER_SECOND = "webllm.prefill-tokens-per-second";
    /** Generated tokens per second after the first ({@code Double}). */
    public static final String DECODE_TOKENS_PER_SECOND = "webllm.decode-tokens-per-second";
    /** From the request's arrival to its last token ({@code Duration}). */
    public static final String END_TO_END_LATENCY = "webllm.end-to-end-latency";
    /** Time spent computing constrained-decoding masks per generated token ({@code Duration}). */
    public static final String GRAMMAR_TIME_PER_TOKEN = "webllm.grammar-time-per-token";
    /** Prompt tokens whose KV cache was reused from the conversation's previous turn ({@code Integer}). */
    public static final String CACHED_PROMPT_TOKENS = "webllm.cached-prompt-tokens";
    /** When the completion was created, in seconds since the epoch ({@code Long}). */
    public static final String CREATED = "created";

    /** In the assistant message's properties: the model's thinking, kept apart from the answer (as OpenAI's key). */
    public static final String REASONING_CONTENT = "reasoningContent";
    /** In the generation metadata: the engine's {@code List<TokenLogprob>} when log-probabilities were requested. */
    public static final String LOGPROBS = "logprobs";

    private WebLlmMetadata() {
    }
}
