package io.webllm.sample.ai;

import io.webllm.engine.chat.ChatChunk;
import io.webllm.engine.chat.ChatCompletion;
import io.webllm.engine.chat.ChatEngine;
import io.webllm.engine.chat.ChatMessage;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.chat.FinishReason;
import io.webllm.engine.chat.ToolCall;
import io.webllm.engine.chat.ToolDefinition;
import io.webllm.engine.chat.Usage;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * A Spring AI {@link ChatModel} over the engine's {@link ChatEngine}, so that {@code ChatClient}, its tool-calling
 * advisor and chat memory work on the model in this JVM.
 *
 * <p>Stand-in for the starter's {@code WebLlmChatModel}, which was not on main when this app was written; it is
 * registered only while that class is missing, and then the starter's model (built on the same {@code ChatEngine}
 * bean) takes its place. It advertises the prompt's tools and returns the model's tool calls; {@code ToolCallingAdvisor}
 * runs them. Timings of the engine's {@link Usage} travel in the response metadata under the starter's keys, for the
 * page's tokens/s and time to first token.
 */
public final class EngineChatModel implements ChatModel {

    /** From the request's arrival to the first token, a {@link java.time.Duration}; the starter's key. */
    public static final String TIME_TO_FIRST_TOKEN = "webllm.time-to-first-token";
    /** Generated tokens per second after the first, a {@link Double}; the starter's key. */
    public static final String DECODE_TOKENS_PER_SECOND = "webllm.decode-tokens-per-second";

    private final ChatEngine engine;
    private final ToolCallingManager toolCallingManager;
    private final ToolCallingChatOptions defaultOptions;

    public EngineChatModel(ChatEngine engine, ToolCallingManager toolCallingManager, ToolCallingChatOptions defaults) {
        this.engine = engine;
        this.toolCallingManager = toolCallingManager;
        this.defaultOptions = defaults;
    }

    @Override
    public ChatOptions getOptions() {
        return defaultOptions;
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        ChatCompletion completion = engine.complete(toRequest(prompt));
        List<Generation> generations = completion.choices().stream()
                .map(c -> generation(c.content(), c.toolCalls(), c.finishReason()))
                .toList();
        return new ChatResponse(generations, metadata(completion.id(), completion.model(), completion.usage()));
    }

    @Override
    public Flux<ChatResponse> stream(Prompt prompt) {
        return Flux.defer(() -> JdkFlowAdapter.flowPublisherToFlux(engine.stream(toRequest(prompt))))
                .map(this::toResponse)
                // the engine may block while it queues the request; keep that off the event loop
                .subscribeOn(Schedulers.boundedElastic());
    }

    private ChatResponse toResponse(ChatChunk chunk) {
        if (chunk.choices().isEmpty()) {
            Usage usage = chunk.usage();
            return new ChatResponse(List.of(new Generation(new AssistantMessage(""))),
                    metadata(chunk.id(), chunk.model(), usage));
        }
        List<Generation> generations = chunk.choices().stream()
                .map(d -> generation(d.content() == null ? "" : d.content(), d.toolCalls(), d.finishReason()))
                .toList();
        return new ChatResponse(generations, metadata(chunk.id(), chunk.model(), chunk.usage()));
    }

    private static Generation generation(String content, List<ToolCall> calls, @Nullable FinishReason finish) {
        AssistantMessage message = AssistantMessage.builder()
                .content(content)
                .toolCalls(calls.stream()
                        .map(c -> new AssistantMessage.ToolCall(c.id(), "function", c.name(), c.argumentsJson()))
                        .toList())
                .build();
        ChatGenerationMetadata metadata = finish == null ? ChatGenerationMetadata.NULL
                : ChatGenerationMetadata.builder().finishReason(finish.wireName()).build();
        return new Generation(message, metadata);
    }

    private static ChatResponseMetadata metadata(String id, String model, @Nullable Usage usage) {
        ChatResponseMetadata.Builder builder = ChatResponseMetadata.builder().id(id).model(model);
        if (usage != null) {
            builder.usage(new DefaultUsage(usage.promptTokens(), usage.completionTokens(), usage.totalTokens()))
                    .keyValue(TIME_TO_FIRST_TOKEN, java.time.Duration.ofNanos(Math.round(usage.timeToFirstTokenSeconds() * 1e9)))
                    .keyValue(DECODE_TOKENS_PER_SECOND, usage.decodeTokensPerSecond());
        }
        return builder.build();
    }

    ChatRequest toRequest(Prompt prompt) {
        ChatRequest.Builder request = ChatRequest.builder();
        for (Message message : prompt.getInstructions()) {
            switch (message) {
                case AssistantMessage assistant -> request.message(ChatMessage.assistant(text(assistant),
                        assistant.getToolCalls().stream()
                                .map(c -> new ToolCall(c.id(), c.name(), c.arguments()))
                                .toList()));
                case ToolResponseMessage tools -> tools.getResponses().forEach(r ->
                        request.message(ChatMessage.tool(r.id(), r.name(), r.responseData())));
                default -> request.message(switch (message.getMessageType()) {
                    case SYSTEM -> ChatMessage.system(text(message));
                    default -> ChatMessage.user(text(message));
                });
            }
        }
        ChatOptions options = prompt.getOptions() != null ? prompt.getOptions() : defaultOptions;
        request.maxTokens(options.getMaxTokens())
                .temperature(options.getTemperature())
                .topP(options.getTopP())
                .topK(options.getTopK())
                .frequencyPenalty(options.getFrequencyPenalty())
                .presencePenalty(options.getPresencePenalty());
        if (options.getStopSequences() != null) {
            request.stop(options.getStopSequences());
        }
        if (options instanceof ToolCallingChatOptions toolOptions) {
            List<ToolDefinition> tools = new ArrayList<>();
            for (var definition : toolCallingManager.resolveToolDefinitions(toolOptions)) {
                tools.add(new ToolDefinition(definition.name(), definition.description(), definition.inputSchema()));
            }
            request.tools(tools);
        }
        return request.build();
    }

    private static String text(Message message) {
        String text = message.getText();
        return text == null ? "" : text;
    }
}
