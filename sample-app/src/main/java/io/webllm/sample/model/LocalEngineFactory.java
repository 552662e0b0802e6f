package io.webllm.sample.model;

import io.webllm.engine.chat.ChatEngine;
import io.webllm.engine.model.LoadListener;
import io.webllm.engine.runtime.EngineOptions;
import io.webllm.engine.runtime.LocalEngine;
import java.nio.file.Path;

/** Loads the model into the engine in this JVM, on the OpenCL device the engine picks. */
final class LocalEngineFactory implements EngineFactory {

    @Override
    public ChatEngine load(Path modelFile, String modelId, LoadListener listener) {
        return LocalEngine.load(EngineOptions.of(modelFile).withModelId(modelId).withLoadListener(listener));
    }
}
