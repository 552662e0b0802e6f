package io.webllm.sample.model;

import io.webllm.engine.chat.ChatEngine;
import io.webllm.engine.model.LoadListener;
import java.nio.file.Path;

/** Turns a model file into a running engine; the seam where tests put an engine that needs no GPU. */
@FunctionalInterface
public interface EngineFactory {

    ChatEngine load(Path modelFile, String modelId, LoadListener listener);
}
