package io.webllm.engine.chat;

import java.util.concurrent.Flow;

/**
 * Chat completions from one loaded model. Implementations are thread-safe: many callers may send requests at
 * once, and their sequences are decoded together.
 */
public interface ChatEngine extends AutoCloseable {

    /** The model's id as clients name it (the registry id or the file name). */
    String modelId();

    /** Runs the request to the end; blocks the calling thread (never call it on an event loop). */
    ChatCompletion complete(ChatRequest request);

    /**
     * Streams the completion. Nothing runs until a subscriber requests; cancelling the subscription stops generation
     * within one decode step and frees the sequence's cache slot. Invalid requests fail the stream before any work.
     */
    Flow.Publisher<ChatChunk> stream(ChatRequest request);

    /** Releases the model and its device memory; requests still running end with finish reason {@code abort}. */
    @Override
    void close();
}
