package io.webllm.engine.runtime;

import io.webllm.engine.chat.ChatChunk;
import io.webllm.engine.chat.ChatCompletion;
import io.webllm.engine.chat.FinishReason;
import io.webllm.engine.chat.TokenLogprob;
import io.webllm.engine.chat.ToolCall;
import io.webllm.engine.chat.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;

/**
 * Turns a chunk stream into one completion, so {@code complete()} and {@code stream()} share one code path and
 * give the same result. Interrupting the waiting thread cancels the generation.
 */
final class CompletionCollector implements Flow.Subscriber<ChatChunk> {

    private final StringBuilder[] content;
    private final StringBuilder[] reasoning;
    private final List<List<ToolCall>> toolCalls = new ArrayList<>();
    private final List<List<TokenLogprob>> logprobs = new ArrayList<>();
    private final FinishReason[] finish;
    private final CompletableFuture<ChatCompletion> result = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private String id = "";
    private String model = "";
    private long created;
    private boolean wantsLogprobs;

    private CompletionCollector(int choices) {
        content = new StringBuilder[choices];
        reasoning = new StringBuilder[choices];
        finish = new FinishReason[choices];
        for (int i = 0; i < choices; i++) {
            content[i] = new StringBuilder();
            reasoning[i] = new StringBuilder();
            toolCalls.add(new ArrayList<>());
            logprobs.add(new ArrayList<>());
        }
    }

    static ChatCompletion collect(Flow.Publisher<ChatChunk> stream, int choices) {
        CompletionCollector collector = new CompletionCollector(choices);
        stream.subscribe(collector);
        try {
            return collector.result.get();
        } catch (InterruptedException e) {
            Flow.Subscription s = collector.subscription;
            if (s != null) {
                s.cancel();
            }
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CancellationException("interrupted while waiting for the completion");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(ChatChunk chunk) {
        id = chunk.id();
        model = chunk.model();
        created = chunk.createdEpochSeconds();
        if (chunk.usage() != null) {
            result.complete(build(chunk.usage()));
            return;
        }
        for (ChatChunk.Delta delta : chunk.choices()) {
            int i = delta.index();
            if (delta.content() != null) {
                content[i].append(delta.content());
            }
            if (delta.reasoning() != null) {
                reasoning[i].append(delta.reasoning());
            }
            toolCalls.get(i).addAll(delta.toolCalls());
            if (delta.logprobs() != null) {
                wantsLogprobs = true;
                logprobs.get(i).addAll(delta.logprobs());
            }
            if (delta.finishReason() != null) {
                finish[i] = delta.finishReason();
            }
        }
    }

    private ChatCompletion build(Usage usage) {
        List<ChatCompletion.Choice> choices = new ArrayList<>();
        for (int i = 0; i < content.length; i++) {
            choices.add(new ChatCompletion.Choice(i, content[i].toString(),
                    reasoning[i].isEmpty() ? null : reasoning[i].toString(), List.copyOf(toolCalls.get(i)),
                    finish[i] == null ? FinishReason.ABORT : finish[i], wantsLogprobs ? List.copyOf(logprobs.get(i)) : null));
        }
        return new ChatCompletion(id, model, created, choices, usage);
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        if (!result.isDone()) {
            result.completeExceptionally(new IllegalStateException("the completion stream ended without usage"));
        }
    }
}
