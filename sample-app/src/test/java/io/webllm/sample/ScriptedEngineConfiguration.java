package io.webllm.sample;

import io.webllm.sample.model.EngineFactory;
import java.nio.file.Files;
import java.time.Duration;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * Puts {@link ScriptedChatEngine} behind the app's {@link EngineFactory}: the app still resolves the configured
 * model file (stories260K from shared test data) and reports load progress, but answers come from the script.
 */
@TestConfiguration(proxyBeanMethods = false)
public class ScriptedEngineConfiguration {

    @Bean
    ScriptedChatEngine scriptedChatEngine() {
        return new ScriptedChatEngine("stories260K", Duration.ofMillis(40));
    }

    @Bean
    @Primary
    EngineFactory scriptedEngineFactory(ScriptedChatEngine engine) {
        return (file, modelId, listener) -> {
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("expected the model file at " + file);
            }
            long size = file.toFile().length();
            for (long done = 0; done <= size; done += Math.max(1, size / 4)) {
                listener.progress("upload", Math.min(done, size), size);
            }
            return engine;
        };
    }
}
