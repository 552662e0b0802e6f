package io.webllm.engine.cli;

import io.webllm.engine.chat.ChatChunk;
import io.webllm.engine.chat.ChatEngine;
import io.webllm.engine.chat.ChatMessage;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.chat.FinishReason;
import io.webllm.engine.chat.Usage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * An interactive conversation with a {@link ChatEngine}, free of any terminal: user lines come from a reader, answers
 * stream to {@code out} as their tokens arrive, and a line of statistics per answer goes to {@code stats}. Every turn
 * sends the whole conversation, so the engine's prefix cache makes a turn prefill only what is new since the last.
 * {@link #cancelCurrent()} (the Ctrl-C handler calls it from another thread) stops the answer being generated.
 */
final class ChatSession {

    private static final String DIM = "\u001b[2m";
    private static final String RESET = "\u001b[0m";

    /**
     * @param system      the system message opening every conversation; null: none
     * @param temperature null: the engine's default
     * @param maxTokens   per answer; null: until the model stops or the context is full
     * @param ansi        dim reasoning text with ANSI codes (a terminal); otherwise mark it with a prefix
     */
    record Settings(@Nullable String system, @Nullable Double temperature, @Nullable Long seed, @Nullable Integer maxTokens,
            boolean ansi) {
    }

    /**
     * One answer.
     *
     * @param usage  the engine's counts and timings; null when the answer was cancelled (the stream ends without them)
     * @param finish null when cancelled
     */
    record Turn(String answer, String reasoning, boolean cancelled, @Nullable Usage usage, @Nullable FinishReason finish) {
    }

    private final ChatEngine engine;
    private final Settings settings;
    private final PrintStream out;
    private final PrintStream stats;
    private final List<ChatMessage> history = new ArrayList<>();
    private volatile @Nullable Generation current;

    ChatSession(ChatEngine engine, Settings settings, PrintStream out, PrintStream stats) {
        this.engine = engine;
        this.settings = settings;
        this.out = out;
        this.stats = stats;
        reset();
    }

    /** Reads lines until end of input or {@code /exit}; {@code /reset} starts a new conversation. */
    void run(BufferedReader input) {
        stats.println("webllm: chatting with " + engine.modelId() + "; /reset starts over, /exit or Ctrl-D quits, "
                + "Ctrl-C stops an answer");
        while (true) {
            out.print("> ");
            out.flush();
            String line;
            try {
                line = input.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException("reading the user's input", e);
            }
            if (line == null) {
                out.println();
                return;
            }
            String text = line.strip();
            if (text.isEmpty()) {
                continue;
            }
            if (text.equals("/exit") || text.equals("/quit")) {
                return;
            }
            if (text.equals("/reset")) {
                reset();
                stats.println("webllm: new conversation");
                continue;
            }
            try {
                send(line);
            } catch (RuntimeException e) {
                // a prompt that outgrew the context, a busy engine: the conversation goes on without this turn
                stats.println("webllm: " + e.getMessage());
            }
        }
    }

    /**
     * Sends one user message and streams the answer, which joins the history even when cancelled part-way.
     *
     * @throws RuntimeException the engine's refusal of the request (the user message is then not kept)
     */
    Turn send(String userText) {
        history.add(ChatMessage.user(userText));
        ChatRequest request = ChatRequest.builder().messages(history).temperature(settings.temperature())
                .seed(settings.seed()).maxTokens(settings.maxTokens()).build();
        Generation generation = new Generation();
        current = generation;
        try {
            engine.stream(request).subscribe(generation);
            generation.await();
        } finally {
            current = null;
        }
        Turn turn = generation.turn();
        if (generation.error != null && turn.answer().isEmpty()) {
            history.removeLast();
            throw generation.error instanceof RuntimeException e ? e : new IllegalStateException(generation.error);
        }
        history.add(ChatMessage.assistant(turn.answer()));
        out.println();
        out.flush();
        report(turn, generation);
        return turn;
    }

    private void report(Turn turn, Generation generation) {
        Usage usage = turn.usage();
        Throwable error = generation.error;
        if (error != null) {
            stats.printf("webllm: the answer broke off after %s: %s%n", generation.measuredHere(), error.getMessage());
            return;
        }
        if (turn.cancelled() || usage == null) {
            stats.printf("webllm: cancelled after %s; the partial answer stays in the conversation%n", generation.measuredHere());
            return;
        }
        stats.printf("webllm: %d tokens, %.1f tok/s, first token after %.0f ms, %d of %d prompt tokens reused from the cache (%s)%n",
                usage.completionTokens(), usage.decodeTokensPerSecond(), usage.timeToFirstTokenSeconds() * 1e3,
                usage.cachedPromptTokens(), usage.promptTokens(),
                turn.finish() == null ? "?" : turn.finish().name().toLowerCase(java.util.Locale.ROOT));
    }

    /** Forgets the conversation (the system message stays). */
    void reset() {
        history.clear();
        if (settings.system() != null && !settings.system().isBlank()) {
            history.add(ChatMessage.system(settings.system()));
        }
    }

    List<ChatMessage> history() {
        return List.copyOf(history);
    }

    /** Whether an answer is being generated now. */
    boolean generating() {
        return current != null;
    }

    /**
     * Stops the answer being generated, if any; its text so far stays in the conversation.
     *
     * @return false when no answer was being generated (Ctrl-C at the prompt then means quit)
     */
    boolean cancelCurrent() {
        Generation generation = current;
        return generation != null && generation.cancel();
    }

    /**
     * Receives one answer's chunks and prints them as they come. The publisher calls it from the engine's scheduler
     * thread; {@link #cancel()} may come from any thread, so state changes are synchronized.
     */
    private final class Generation implements Flow.Subscriber<ChatChunk> {

        private final CountDownLatch done = new CountDownLatch(1);
        private final long startNanos = System.nanoTime();
        private long firstPieceNanos;
        private long lastPieceNanos;
        private final StringBuilder answer = new StringBuilder();
        private final StringBuilder reasoning = new StringBuilder();
        private Flow.@Nullable Subscription subscription;
        private boolean cancelled;
        private boolean inReasoning;
        private int pieces;
        private @Nullable Usage usage;
        private @Nullable FinishReason finish;
        private volatile @Nullable Throwable error;

        @Override
        public synchronized void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (cancelled) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public synchronized void onNext(ChatChunk chunk) {
            if (cancelled) {
                return;
            }
            if (chunk.usage() != null) {
                usage = chunk.usage();
            }
            for (ChatChunk.Delta delta : chunk.choices()) {
                if (delta.index() != 0) {
                    continue;
                }
                if (delta.reasoning() != null && !delta.reasoning().isEmpty()) {
                    counted();
                    reasoning.append(delta.reasoning());
                    if (!inReasoning) {
                        inReasoning = true;
                        out.print(settings.ansi() ? DIM : "[thinking] ");
                    }
                    out.print(delta.reasoning());
                }
                if (delta.content() != null && !delta.content().isEmpty()) {
                    counted();
                    answer.append(delta.content());
                    endReasoning();
                    out.print(delta.content());
                }
                if (delta.finishReason() != null) {
                    finish = delta.finishReason();
                }
                out.flush();
            }
        }

        /** Each streamed piece is one generated token (the engine sends a chunk per decode step). */
        private void counted() {
            lastPieceNanos = System.nanoTime();
            if (pieces++ == 0) {
                firstPieceNanos = lastPieceNanos;
            }
        }

        /** Counts and timings taken here, for an answer that ended without the engine's usage. */
        synchronized String measuredHere() {
            if (pieces == 0) {
                return "0 tokens";
            }
            String text = "%d tokens, first token after %.0f ms".formatted(pieces, (firstPieceNanos - startNanos) / 1e6);
            if (pieces > 1) {
                text += ", %.1f tok/s".formatted((pieces - 1) / ((lastPieceNanos - firstPieceNanos) / 1e9));
            }
            return text;
        }

        private void endReasoning() {
            if (inReasoning) {
                inReasoning = false;
                out.print(settings.ansi() ? RESET + "\n" : "\n");
            }
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done.countDown();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }

        synchronized boolean cancel() {
            if (cancelled || done.getCount() == 0) {
                return false;
            }
            cancelled = true;
            if (subscription != null) {
                subscription.cancel();
            }
            done.countDown();
            return true;
        }

        void await() {
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel();
            }
        }

        synchronized Turn turn() {
            endReasoning();
            return new Turn(answer.toString(), reasoning.toString(), cancelled, cancelled ? null : usage, cancelled ? null : finish);
        }
    }
}
