package io.webllm.spring.autoconfigure;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What health and info tell about one model. */
final class ModelDescriptions {

    private ModelDescriptions() {
    }

    static Map<String, Object> describe(ManagedChatEngine engine) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("model", engine.modelId());
        details.put("reference", engine.spec().reference());
        details.put("state", engine.state().name().toLowerCase(java.util.Locale.ROOT));
        String device = engine.deviceDescription();
        details.put("device", device != null ? device : engine.spec().device());
        Path file = engine.modelFile();
        if (file != null) {
            details.put("file", file.toString());
        }
        Throwable failure = engine.failure();
        if (failure != null) {
            details.put("error", String.valueOf(failure.getMessage()));
        }
        return details;
    }
}
