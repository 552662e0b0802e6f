package io.webllm.sample.chat;

import io.webllm.sample.SampleProperties;
import io.webllm.sample.ai.ToolActivity;
import io.webllm.sample.ai.ToolEvent;
import io.webllm.spring.ai.WebLlmMetadata;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The page's chat: one answer per request, streamed as server-sent events ({@code token}, {@code tool},
 * {@code done}, {@code error}). Stopping cancels the {@code ChatClient} stream, and with it the engine's generation.
 */
@RestController
@RequestMapping("/api/chat")
class ChatController {

    record ChatInput(@Nullable String message) {
    }

    record Token(String text) {
    }

    record ToolUse(String name, String arguments, String result) {
        static ToolUse from(ToolEvent event) {
            return new ToolUse(event.name(), event.arguments(), event.result());
        }
    }

    /**
     * @param finishReason {@code stop}, {@code length}, or {@code stopped} when the user stopped it
     */
    record Done(double timeToFirstTokenSeconds, double tokensPerSecond, int tokens, String finishReason) {
    }

    record Failure(String message) {
    }

    static final int MAX_MESSAGE_LENGTH = 4000;
    private static final Pattern CHAT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final ChatClient assistant;
    private final ToolActivity tools;
    private final int maxTokens;
    private final Sinks.Many<String> stops = Sinks.many().multicast().directBestEffort();
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    ChatController(ChatClient assistant, ToolActivity tools, SampleProperties properties) {
        this.assistant = assistant;
        this.tools = tools;
        this.maxTokens = properties.maxTokens();
    }

    @PostMapping(path = "/{chatId}", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<?>> chat(@PathVariable String chatId, @RequestBody ChatInput input) {
        requireChatId(chatId);
        String message = input.message() == null ? "" : input.message().strip();
        if (message.isEmpty() || message.length() > MAX_MESSAGE_LENGTH) {
            throw new IllegalArgumentException("a message needs 1 to " + MAX_MESSAGE_LENGTH + " characters, found "
                    + message.length());
        }
        return Flux.defer(() -> answer(chatId, message));
    }

    /** Stops the chat's running answer; {@code stopped} says whether one was running. */
    @PostMapping("/{chatId}/stop")
    Map<String, Boolean> stop(@PathVariable String chatId) {
        requireChatId(chatId);
        boolean wasRunning = running.contains(chatId);
        stops.tryEmitNext(chatId);
        return Map.of("stopped", wasRunning);
    }

    private Flux<ServerSentEvent<?>> answer(String chatId, String message) {
        Metrics metrics = new Metrics();
        running.add(chatId);
        Flux<ServerSentEvent<?>> answer = assistant.prompt()
                .user(message)
                .options(ChatOptions.builder().maxTokens(maxTokens)) // a rambling model stops at the same cap as /v1
                .advisors(advisor -> advisor.param(ChatMemory.CONVERSATION_ID, chatId))
                .toolContext(Map.of(ToolActivity.CHAT_ID, chatId))
                .stream()
                .chatResponse()
                .takeUntilOther(stops.asFlux().filter(chatId::equals).next().doOnNext(id -> metrics.stopped = true))
                .<ServerSentEvent<?>>handle((response, sink) -> {
                    metrics.observe(response);
                    String text = text(response);
                    if (!text.isEmpty()) {
                        sink.next(ServerSentEvent.builder(new Token(text)).event("token").build());
                    }
                })
                .concatWith(Mono.fromSupplier(() -> ServerSentEvent.builder(metrics.done()).event("done").build()))
                .onErrorResume(e -> Mono.just(ServerSentEvent.builder(new Failure(String.valueOf(e.getMessage())))
                        .event("error").build()))
                .doFinally(signal -> running.remove(chatId));
        Flux<ServerSentEvent<?>> toolUses = tools.events(chatId)
                .map(ToolUse::from)
                .map(use -> ServerSentEvent.builder(use).event("tool").build());
        // the tool side never ends by itself: the response ends with the answer's last event, done or error (taking
        // it cancels the tool side; a stopped answer ends with done too)
        return Flux.merge(toolUses, answer).takeUntil(ChatController::isLast);
    }

    private static boolean isLast(ServerSentEvent<?> event) {
        return "done".equals(event.event()) || "error".equals(event.event());
    }

    private static String text(ChatResponse response) {
        var result = response.getResult();
        if (result == null) {
            return "";
        }
        String text = result.getOutput().getText();
        return text == null ? "" : text;
    }

    private static void requireChatId(String chatId) {
        if (!CHAT_ID.matcher(chatId).matches()) {
            throw new IllegalArgumentException("a chat id has 1 to 64 letters, digits, '-' or '_', found '"
                    + (chatId.length() > 64 ? chatId.substring(0, 64) + "..." : chatId) + "'");
        }
    }

    /**
     * Time to first token and tokens per second: the engine's own numbers when its usage arrives, otherwise (a
     * stopped answer has no usage) measured here, counting each streamed piece as a token.
     */
    private static final class Metrics {
        private final long start = System.nanoTime();
        private long firstToken;
        private long lastToken;
        private int pieces;
        private @Nullable Double engineTimeToFirstToken;
        private @Nullable Double engineTokensPerSecond;
        private int engineTokens;
        private String finishReason = "stop";
        volatile boolean stopped;

        void observe(ChatResponse response) {
            if (!text(response).isEmpty()) {
                long now = System.nanoTime();
                if (pieces == 0) {
                    firstToken = now;
                }
                lastToken = now;
                pieces++;
            }
            var result = response.getResult();
            if (result != null && result.getMetadata().getFinishReason() != null) {
                // OpenAI's lower-case names; Spring AI models differ in case ("stop", "STOP")
                finishReason = result.getMetadata().getFinishReason().toLowerCase(java.util.Locale.ROOT);
            }
            var metadata = response.getMetadata();
            if (metadata.get(WebLlmMetadata.TIME_TO_FIRST_TOKEN) instanceof java.time.Duration ttft) {
                engineTimeToFirstToken = ttft.toNanos() / 1e9;
            }
            if (metadata.get(WebLlmMetadata.DECODE_TOKENS_PER_SECOND) instanceof Double tps) {
                engineTokensPerSecond = tps;
            }
            if (metadata.getUsage() != null && metadata.getUsage().getCompletionTokens() != null
                    && metadata.getUsage().getCompletionTokens() > 0) {
                engineTokens = metadata.getUsage().getCompletionTokens();
            }
        }

        Done done() {
            double measuredTtft = pieces == 0 ? 0 : (firstToken - start) / 1e9;
            double decodeSeconds = (lastToken - firstToken) / 1e9;
            double measuredTps = pieces > 1 && decodeSeconds > 0 ? (pieces - 1) / decodeSeconds : 0;
            boolean useEngine = !stopped && engineTokensPerSecond != null;
            return new Done(
                    useEngine && engineTimeToFirstToken != null ? engineTimeToFirstToken : measuredTtft,
                    useEngine ? engineTokensPerSecond : measuredTps,
                    useEngine && engineTokens > 0 ? engineTokens : pieces,
                    stopped ? "stopped" : finishReason);
        }
    }
}
