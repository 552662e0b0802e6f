package io.webllm.engine.runtime;

import io.webllm.engine.chat.ChatChunk;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.chat.Usage;
import io.webllm.engine.grammar.CompiledGrammar;
import io.webllm.engine.output.ToolCallFormat;
import io.webllm.engine.sampling.SamplingParams;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One request on its way through the scheduler: its prompt, how its choices progress, its timings, and the
 * publisher its chunks go to. Touched only by the scheduler thread once admitted.
 */
final class RequestState {

    final String id;
    final String model;
    final long created;
    final ChatRequest request;
    final SamplingParams sampling;
    final int[] prompt;
    final ChunkPublisher<ChatChunk> publisher;
    final @Nullable CompiledGrammar grammar;
    /** Set when tool_choice forces a call: the output is the call's JSON in this format. */
    final @Nullable ToolCallFormat forcedToolCall;
    final long arrivalNanos;
    long prefillStartNanos;
    long firstTokenNanos;
    long grammarNanos;
    int completionTokens;
    int cachedPromptTokens;
    int unfinished;
    /** Whether the request failed on its own (Scheduler.failRequest): its stream ends with that error, no usage chunk. */
    boolean failed;

    RequestState(String id, String model, ChatRequest request, SamplingParams sampling, int[] prompt,
            ChunkPublisher<ChatChunk> publisher, @Nullable CompiledGrammar grammar, @Nullable ToolCallFormat forcedToolCall) {
        this.id = id;
        this.model = model;
        this.created = System.currentTimeMillis() / 1000;
        this.request = request;
        this.sampling = sampling;
        this.prompt = prompt;
        this.publisher = publisher;
        this.grammar = grammar;
        this.forcedToolCall = forcedToolCall;
        this.arrivalNanos = System.nanoTime();
        this.unfinished = request.n();
    }

    void emit(ChatChunk.Delta delta) {
        publisher.next(new ChatChunk(id, model, created, List.of(delta), null));
    }

    Usage usage(long endNanos) {
        int promptTokens = prompt.length;
        int choices = request.n();
        double prefillSeconds = (firstTokenNanos - prefillStartNanos) / 1e9;
        double decodeSeconds = (endNanos - firstTokenNanos) / 1e9;
        int decoded = Math.max(0, completionTokens - choices);
        return new Usage(promptTokens, completionTokens, cachedPromptTokens,
                firstTokenNanos == 0 ? 0 : (firstTokenNanos - arrivalNanos) / 1e9,
                prefillSeconds > 0 ? (promptTokens - cachedPromptTokens / (double) choices) / prefillSeconds : 0,
                decodeSeconds > 0 && decoded > 0 ? decoded / decodeSeconds : 0,
                (endNanos - arrivalNanos) / 1e9,
                completionTokens == 0 ? 0 : grammarNanos / 1e9 / completionTokens);
    }

    void finishStream(long endNanos) {
        publisher.next(new ChatChunk(id, model, created, List.of(), usage(endNanos)));
        publisher.complete();
    }
}
