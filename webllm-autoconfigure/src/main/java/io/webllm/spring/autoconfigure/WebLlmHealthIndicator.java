package io.webllm.spring.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the configured models: down when one failed to load, unknown while one downloads or loads, up otherwise
 * (a lazy model not loaded yet is healthy). Details: per model its id, device and state.
 */
public class WebLlmHealthIndicator implements HealthIndicator {

    private final WebLlmEngines engines;

    public WebLlmHealthIndicator(WebLlmEngines engines) {
        this.engines = engines;
    }

    @Override
    public Health health() {
        Map<String, Object> models = new LinkedHashMap<>();
        boolean failed = false;
        boolean busy = false;
        for (ManagedChatEngine engine : engines.all()) {
            models.put(engine.name(), ModelDescriptions.describe(engine));
            switch (engine.state()) {
                case FAILED, CLOSED -> failed = true;
                case DOWNLOADING, LOADING -> busy = true;
                case NOT_LOADED, READY -> { }
            }
        }
        Health.Builder health = failed ? Health.down() : busy ? Health.unknown() : Health.up();
        return health.withDetail("models", models).build();
    }
}
