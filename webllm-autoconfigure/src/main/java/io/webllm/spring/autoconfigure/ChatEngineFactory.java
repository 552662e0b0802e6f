package io.webllm.spring.autoconfigure;

import io.webllm.engine.chat.ChatEngine;
import io.webllm.engine.runtime.EngineOptions;
import io.webllm.engine.runtime.LocalEngine;

/**
 * Loads a model file into an engine. The default loads a {@link LocalEngine} on OpenCL; define a bean of this type to
 * load engines differently (or to test applications without a device).
 */
@FunctionalInterface
public interface ChatEngineFactory {

    /** The factory of {@link LocalEngine}s. */
    ChatEngineFactory LOCAL = LocalEngine::load;

    /** Loads the model; blocks until it is ready. */
    ChatEngine load(EngineOptions options);
}
