package io.webllm.spring.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEvent;

/** A managed model moved to a new {@link ManagedChatEngine.State} (e.g. ready, or failed with the cause). */
public class ModelStateChangedEvent extends ApplicationEvent {

    private final String modelName;
    private final ManagedChatEngine.State state;
    private final @Nullable Throwable failure;

    public ModelStateChangedEvent(Object source, String modelName, ManagedChatEngine.State state,
            @Nullable Throwable failure) {
        super(source);
        this.modelName = modelName;
        this.state = state;
        this.failure = failure;
    }

    public String getModelName() {
        return modelName;
    }

    public ManagedChatEngine.State getState() {
        return state;
    }

    public @Nullable Throwable getFailure() {
        return failure;
    }
}
