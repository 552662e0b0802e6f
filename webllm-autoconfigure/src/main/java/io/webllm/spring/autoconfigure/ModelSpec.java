package io.webllm.spring.autoconfigure;

import io.webllm.spring.ai.WebLlmChatOptions;
import org.jspecify.annotations.Nullable;

/**
 * One model to serve, with its engine settings resolved: a named model's own settings, else those of
 * {@code webllm.*}.
 *
 * @param name      the ChatModel bean's name, used in events, logs, health and info
 * @param reference what the user wrote: a registry id, a {@code .gguf} path or an http(s) URL
 */
public record ModelSpec(String name, String reference, String device, int contextLength, int maxSequences,
        int maxQueuedRequests, @Nullable String chatTemplate, boolean lazy, WebLlmChatOptions defaultOptions) {

    /** Bean name of the default model of {@code webllm.chat.*}. */
    public static final String DEFAULT_MODEL_NAME = "webLlmChatModel";

    static ModelSpec ofDefault(WebLlmProperties properties) {
        String reference = properties.getChat().getModel();
        if (reference == null) {
            throw new IllegalStateException("webllm.chat.model is not set; expected a model id (e.g. "
                    + "qwen2.5-0.5b-instruct-q4_k_m), a .gguf path or an http(s) URL");
        }
        return new ModelSpec(DEFAULT_MODEL_NAME, reference, properties.getDevice(), properties.getContextLength(),
                properties.getMaxSequences(), properties.getMaxQueuedRequests(), properties.getChatTemplate(),
                properties.isLazy(), properties.getChat().getOptions().toOptions());
    }

    static ModelSpec ofNamed(String name, WebLlmProperties properties) {
        WebLlmProperties.NamedModel model = properties.getModels().get(name);
        if (model == null) {
            throw new IllegalStateException("no model named '" + name + "' under webllm.models; found "
                    + properties.getModels().keySet());
        }
        if (model.getModel() == null) {
            throw new IllegalStateException("webllm.models." + name + ".model is not set; expected a model id, a "
                    + ".gguf path or an http(s) URL");
        }
        return new ModelSpec(name, model.getModel(), orElse(model.getDevice(), properties.getDevice()),
                orElse(model.getContextLength(), properties.getContextLength()),
                orElse(model.getMaxSequences(), properties.getMaxSequences()),
                orElse(model.getMaxQueuedRequests(), properties.getMaxQueuedRequests()),
                model.getChatTemplate() != null ? model.getChatTemplate() : properties.getChatTemplate(),
                orElse(model.getLazy(), properties.isLazy()), model.getOptions().toOptions());
    }

    private static <T> T orElse(@Nullable T value, T fallback) {
        return value != null ? value : fallback;
    }
}
