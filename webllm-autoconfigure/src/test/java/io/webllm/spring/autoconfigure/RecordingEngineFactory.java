package io.webllm.spring.autoconfigure;

import io.webllm.engine.chat.ChatCompletion;
import io.webllm.engine.chat.FinishReason;
import io.webllm.engine.chat.Usage;
import io.webllm.engine.runtime.EngineOptions;
import io.webllm.spring.ai.ScriptedChatEngine;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ChatEngineFactory} for auto-configuration tests: records the options it was asked to load with, reports
 * upload progress through the options' listener as the real engine does, and returns scripted engines that answer
 * with the model id they were loaded as.
 */
final class RecordingEngineFactory implements ChatEngineFactory {

    final List<EngineOptions> loads = new CopyOnWriteArrayList<>();
    final List<ScriptedChatEngine> engines = new CopyOnWriteArrayList<>();

    @Override
    public ScriptedChatEngine load(EngineOptions options) {
        loads.add(options);
        options.loadListener().progress("upload", 0, 1000);
        options.loadListener().progress("upload", 500, 1000);
        options.loadListener().progress("upload", 1000, 1000);
        String id = options.modelId() != null ? options.modelId() : options.modelFile().getFileName().toString();
        ChatCompletion answer = new ChatCompletion("c", id, 0, List.of(new ChatCompletion.Choice(0, "hello from " + id,
                null, List.of(), FinishReason.STOP, null)), new Usage(1, 1, 0, 0, 0, 0, 0, 0));
        ScriptedChatEngine engine = new ScriptedChatEngine(id, answer, List.of(), false);
        engines.add(engine);
        return engine;
    }
}
