package io.webllm.sample.model;

import io.webllm.engine.chat.ChatChunk;
import io.webllm.engine.chat.ChatCompletion;
import io.webllm.engine.chat.ChatEngine;
import io.webllm.engine.chat.ChatRequest;
import java.util.concurrent.Flow;

/**
 * The application's {@link ChatEngine} bean: the engine that {@link ModelLoader} loads in the background. Until it
 * is ready, requests fail with {@link ModelNotReadyException}, which the web layer answers with 503.
 */
public final class LoadingChatEngine implements ChatEngine {

    private final ModelLoader loader;

    public LoadingChatEngine(ModelLoader loader) {
        this.loader = loader;
    }

    @Override
    public String modelId() {
        return loader.modelId();
    }

    @Override
    public ChatCompletion complete(ChatRequest request) {
        return loader.engine().complete(request);
    }

    @Override
    public Flow.Publisher<ChatChunk> stream(ChatRequest request) {
        return subscriber -> {
            ChatEngine engine;
            try {
                engine = loader.engine();
            } catch (ModelNotReadyException e) {
                subscriber.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                    }

                    @Override
                    public void cancel() {
                    }
                });
                subscriber.onError(e);
                return;
            }
            engine.stream(request).subscribe(subscriber);
        };
    }

    @Override
    public void close() {
        loader.close();
    }
}
