package io.webllm.engine.runtime;

import io.webllm.engine.model.LoadListener;
import io.webllm.engine.opencl.DeviceSelector;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * How to load a model into a {@link LocalEngine}.
 *
 * @param modelFile          the GGUF file
 * @param modelId            the name clients use for it; null: the file name without {@code .gguf}
 * @param device             which OpenCL device
 * @param contextLength      tokens per sequence; 0: the model's own, capped at 4096 to bound KV cache memory
 * @param maxSequences       sequences decoded together (KV cache slots)
 * @param maxQueuedRequests  requests waiting for a slot before new ones are refused
 * @param chatTemplate       a Jinja template, or the name of a built-in format (chatml, llama3, llama2, gemma, phi3),
 *                           to use instead of the model's; null: the model's own
 */
public record EngineOptions(
        Path modelFile,
        @Nullable String modelId,
        DeviceSelector device,
        int contextLength,
        int maxSequences,
        int maxQueuedRequests,
        @Nullable String chatTemplate,
        LoadListener loadListener) {

    public static EngineOptions of(Path modelFile) {
        return new EngineOptions(modelFile, null, DeviceSelector.AUTO, 0, 4, 64, null, LoadListener.NONE);
    }

    public EngineOptions withModelId(String id) {
        return new EngineOptions(modelFile, id, device, contextLength, maxSequences, maxQueuedRequests, chatTemplate, loadListener);
    }

    public EngineOptions withDevice(DeviceSelector selector) {
        return new EngineOptions(modelFile, modelId, selector, contextLength, maxSequences, maxQueuedRequests, chatTemplate, loadListener);
    }

    public EngineOptions withContextLength(int tokens) {
        return new EngineOptions(modelFile, modelId, device, tokens, maxSequences, maxQueuedRequests, chatTemplate, loadListener);
    }

    public EngineOptions withMaxSequences(int sequences) {
        return new EngineOptions(modelFile, modelId, device, contextLength, sequences, maxQueuedRequests, chatTemplate, loadListener);
    }

    public EngineOptions withMaxQueuedRequests(int requests) {
        return new EngineOptions(modelFile, modelId, device, contextLength, maxSequences, requests, chatTemplate, loadListener);
    }

    public EngineOptions withChatTemplate(@Nullable String template) {
        return new EngineOptions(modelFile, modelId, device, contextLength, maxSequences, maxQueuedRequests, template, loadListener);
    }

    public EngineOptions withLoadListener(LoadListener listener) {
        return new EngineOptions(modelFile, modelId, device, contextLength, maxSequences, maxQueuedRequests, chatTemplate, listener);
    }
}
