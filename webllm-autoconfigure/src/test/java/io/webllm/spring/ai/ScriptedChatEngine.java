package io.webllm.spring.ai;

import io.webllm.engine.chat.ChatChunk;
import io.webllm.engine.chat.ChatCompletion;
import io.webllm.engine.chat.ChatEngine;
import io.webllm.engine.chat.ChatRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ChatEngine} for tests of the adapter: answers with a completion and chunks given up front, records the
 * requests it got, and publishes chunks from its own thread (named like the engine's scheduler) as the real engine
 * does. A stream with {@code holdOpen} keeps running after its chunks until cancelled.
 */
public final class ScriptedChatEngine implements ChatEngine {

    public static final String THREAD_NAME = "scripted-engine";

    private final String modelId;
    private final ChatCompletion completion;
    private final List<ChatChunk> chunks;
    private final boolean holdOpen;
    private final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger cancellations = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, THREAD_NAME));

    public ScriptedChatEngine(String modelId, ChatCompletion completion, List<ChatChunk> chunks, boolean holdOpen) {
        this.modelId = modelId;
        this.completion = completion;
        this.chunks = List.copyOf(chunks);
        this.holdOpen = holdOpen;
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public ChatCompletion complete(ChatRequest request) {
        requests.add(request);
        return completion;
    }

    @Override
    public Flow.Publisher<ChatChunk> stream(ChatRequest request) {
        requests.add(request);
        return subscriber -> {
            SubmissionPublisher<ChatChunk> publisher = new SubmissionPublisher<>(thread, 16);
            publisher.subscribe(new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscriber.onSubscribe(new Flow.Subscription() {
                        @Override
                        public void request(long n) {
                            subscription.request(n);
                        }

                        @Override
                        public void cancel() {
                            cancellations.incrementAndGet();
                            subscription.cancel();
                            publisher.close();
                        }
                    });
                }

                @Override
                public void onNext(ChatChunk item) {
                    subscriber.onNext(item);
                }

                @Override
                public void onError(Throwable throwable) {
                    subscriber.onError(throwable);
                }

                @Override
                public void onComplete() {
                    subscriber.onComplete();
                }
            });
            thread.execute(() -> {
                chunks.forEach(publisher::submit);
                if (!holdOpen) {
                    publisher.close();
                }
            });
        };
    }

    @Override
    public void close() {
        closed.set(true);
        thread.shutdownNow();
    }

    public List<ChatRequest> requests() {
        return requests;
    }

    public ChatRequest lastRequest() {
        return requests.getLast();
    }

    public int cancellations() {
        return cancellations.get();
    }

    public boolean isClosed() {
        return closed.get();
    }
}
