package io.webllm.spring.ai;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.webllm.engine.chat.ChatEngine;
import io.webllm.engine.chat.ChatRequest;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.MessageAggregator;
import org.springframework.ai.chat.observation.ChatModelObservationContext;
import org.springframework.ai.chat.observation.ChatModelObservationConvention;
import org.springframework.ai.chat.observation.ChatModelObservationDocumentation;
import org.springframework.ai.chat.observation.DefaultChatModelObservationConvention;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.tool.definition.ToolDefinition;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Spring AI's {@link ChatModel} on a local webllm {@link ChatEngine}.
 *
 * <ul>
 * <li>{@link #call(Prompt)} blocks the calling thread until the answer is complete; called on a non-blocking
 * (event-loop) thread it refuses with an {@link IllegalStateException} instead of stalling the loop.</li>
 * <li>{@link #stream(Prompt)} starts generation on a bounded-elastic thread when subscribed and delivers chunks there,
 * never on the engine's scheduler thread; cancelling the subscription cancels the generation within one decode
 * step.</li>
 * <li>Tools are not run here (Spring AI 2.0): their definitions are resolved with the {@link ToolCallingManager} and
 * offered to the model; its calls come back in the {@code AssistantMessage} (streamed too) for {@code ChatClient}'s
 * tool-calling advisor to execute.</li>
 * <li>Each call is observed with {@link ChatModelObservationDocumentation#CHAT_MODEL_OPERATION} under the provider
 * name {@value WebLlmMetadata#PROVIDER}.</li>
 * </ul>
 */
public final class WebLlmChatModel implements ChatModel {

    private static final ChatModelObservationConvention DEFAULT_OBSERVATION_CONVENTION =
            new DefaultChatModelObservationConvention();

    private final ChatEngine engine;
    private final WebLlmChatOptions defaultOptions;
    private final ToolCallingManager toolCallingManager;
    private final ObservationRegistry observationRegistry;
    private final Scheduler scheduler;
    private ChatModelObservationConvention observationConvention = DEFAULT_OBSERVATION_CONVENTION;

    private WebLlmChatModel(Builder b) {
        this.engine = Objects.requireNonNull(b.engine, "engine must be set");
        WebLlmChatOptions options = b.defaultOptions != null ? b.defaultOptions : WebLlmChatOptions.builder().build();
        // the model id goes into the defaults so that observations and ChatClient's merged options name it
        this.defaultOptions = options.getModel() != null ? options : options.mutate().model(engine.modelId()).build();
        this.toolCallingManager = b.toolCallingManager != null ? b.toolCallingManager
                : ToolCallingManager.builder().observationRegistry(b.observationRegistry).build();
        this.observationRegistry = b.observationRegistry;
        this.scheduler = b.scheduler;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The engine that runs this model's requests. */
    public ChatEngine engine() {
        return engine;
    }

    /** The defaults every request starts from; the prompt's options override them field by field. */
    @Override
    public WebLlmChatOptions getOptions() {
        return defaultOptions;
    }

    public void setObservationConvention(ChatModelObservationConvention observationConvention) {
        this.observationConvention = Objects.requireNonNull(observationConvention, "observationConvention");
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        if (Schedulers.isInNonBlockingThread()) {
            throw new IllegalStateException("WebLlmChatModel.call() blocks until the whole answer is generated and "
                    + "cannot run on the non-blocking thread " + Thread.currentThread().getName()
                    + "; use stream(), or call it from Mono.fromCallable(...).subscribeOn(Schedulers.boundedElastic())");
        }
        Prompt requestPrompt = requestPrompt(prompt);
        ChatRequest request = engineRequest(requestPrompt);
        ChatModelObservationContext context = ChatModelObservationContext.builder()
                .prompt(requestPrompt)
                .provider(WebLlmMetadata.PROVIDER)
                .build();
        return ChatModelObservationDocumentation.CHAT_MODEL_OPERATION
                .observation(observationConvention, DEFAULT_OBSERVATION_CONVENTION, () -> context, observationRegistry)
                .observe(() -> {
                    ChatResponse response = ChatResponseMapper.fromCompletion(engine.complete(request));
                    context.setResponse(response);
                    return response;
                });
    }

    @Override
    public Flux<ChatResponse> stream(Prompt prompt) {
        return Flux.deferContextual(contextView -> {
            Prompt requestPrompt = requestPrompt(prompt);
            ChatRequest request = engineRequest(requestPrompt);
            ChatModelObservationContext context = ChatModelObservationContext.builder()
                    .prompt(requestPrompt)
                    .provider(WebLlmMetadata.PROVIDER)
                    .streaming(true)
                    .build();
            Observation observation = ChatModelObservationDocumentation.CHAT_MODEL_OPERATION.observation(
                    observationConvention, DEFAULT_OBSERVATION_CONVENTION, () -> context, observationRegistry);
            Observation parent = contextView.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
            observation.parentObservation(parent);
            try (Observation.Scope ignored = parent != null ? parent.openScope() : Observation.Scope.NOOP) {
                observation.start();
            }
            ChatResponseMapper.StreamMapper mapper = new ChatResponseMapper.StreamMapper();
            Flux<ChatResponse> responses = Flux
                    // a lazily loaded engine loads here, so on the bounded-elastic thread as well
                    .defer(() -> JdkFlowAdapter.flowPublisherToFlux(engine.stream(request)))
                    .subscribeOn(scheduler)
                    // hop off the engine's scheduler thread: subscribers' work must never stall decoding
                    .publishOn(scheduler)
                    .map(mapper::map)
                    .doOnError(observation::error)
                    .doFinally(signal -> observation.stop())
                    .contextWrite(ctx -> ctx.put(ObservationThreadLocalAccessor.KEY, observation));
            return new MessageAggregator().aggregate(responses, context::setResponse);
        });
    }

    private Prompt requestPrompt(Prompt prompt) {
        WebLlmChatOptions options = WebLlmChatOptions.merge(prompt.getOptions(), defaultOptions);
        String model = options.getModel();
        if (model != null && !model.equalsIgnoreCase(engine.modelId())) {
            throw new IllegalArgumentException("this ChatModel serves the model '" + engine.modelId()
                    + "' but the request asks for '" + model + "'; configure it under webllm.models.<name> and use "
                    + "the ChatModel bean of that name");
        }
        return prompt.mutate().chatOptions(options).build();
    }

    private ChatRequest engineRequest(Prompt prompt) {
        WebLlmChatOptions options = (WebLlmChatOptions) Objects.requireNonNull(prompt.getOptions());
        List<ToolDefinition> tools = toolCallingManager.resolveToolDefinitions(options);
        return ChatRequestMapper.toRequest(prompt.getInstructions(), options, tools);
    }

    /** Builder of {@link WebLlmChatModel}; only the engine is required. */
    public static final class Builder {

        private @Nullable ChatEngine engine;
        private @Nullable WebLlmChatOptions defaultOptions;
        private @Nullable ToolCallingManager toolCallingManager;
        private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;
        private Scheduler scheduler = Schedulers.boundedElastic();

        private Builder() {
        }

        public Builder engine(ChatEngine engine) {
            this.engine = engine;
            return this;
        }

        public Builder defaultOptions(WebLlmChatOptions defaultOptions) {
            this.defaultOptions = defaultOptions;
            return this;
        }

        /** Resolves tool callbacks into definitions; default: a {@link ToolCallingManager#builder()} one. */
        public Builder toolCallingManager(ToolCallingManager toolCallingManager) {
            this.toolCallingManager = toolCallingManager;
            return this;
        }

        public Builder observationRegistry(ObservationRegistry observationRegistry) {
            this.observationRegistry = Objects.requireNonNull(observationRegistry, "observationRegistry");
            return this;
        }

        /** Where streams are started and delivered; default {@link Schedulers#boundedElastic()}. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        public WebLlmChatModel build() {
            return new WebLlmChatModel(this);
        }
    }
}
