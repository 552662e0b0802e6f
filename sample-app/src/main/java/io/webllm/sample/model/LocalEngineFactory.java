package io.webllm.sample.model;

import io.webllm.engine.chat.ChatEngine;
import io.webllm.engine.model.LoadListener;
import java.nio.file.Path;

/** Loads the model into the engine in this JVM, on the OpenCL device the engine picks. */
final class LocalEngineFactory implements EngineFactory {

    @Override
    public ChatEngine load(Path modelFile, String modelId, LoadListener listener) {
        // TODO(sample): LocalEngine.load(EngineOptions.of(modelFile).withModelId(modelId).withLoadListener(listener))
        // once io.webllm.engine.runtime.LocalEngine is on main.
        throw new UnsupportedOperationException("this build has no in-JVM engine yet (io.webllm.engine.runtime."
                + "LocalEngine is not on main); the page and the to-do list work, the assistant cannot answer");
    }
}
