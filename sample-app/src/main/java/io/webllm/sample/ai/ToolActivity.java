package io.webllm.sample.ai;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Tool calls as they happen, for the page. {@code ToolCallingAdvisor} keeps tool-call rounds out of the
 * {@code ChatClient} stream, so the calls are reported by the tool callbacks themselves.
 */
public final class ToolActivity {

    /** The tool context key that carries the chat id from the request to the tool callbacks. */
    public static final String CHAT_ID = "chatId";

    private final Sinks.Many<ToolEvent> events = Sinks.many().multicast().directBestEffort();

    void report(ToolEvent event) {
        events.emitNext(event, Sinks.EmitFailureHandler.busyLooping(java.time.Duration.ofMillis(100)));
    }

    public Flux<ToolEvent> events(String chatId) {
        return events.asFlux().filter(e -> e.chatId().equals(chatId));
    }
}
