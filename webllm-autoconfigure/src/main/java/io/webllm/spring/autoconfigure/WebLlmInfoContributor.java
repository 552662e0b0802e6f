package io.webllm.spring.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/** Adds {@code webllm.models} to the info endpoint: per configured model its id, source, device and state. */
public class WebLlmInfoContributor implements InfoContributor {

    private final WebLlmEngines engines;

    public WebLlmInfoContributor(WebLlmEngines engines) {
        this.engines = engines;
    }

    @Override
    public void contribute(Info.Builder builder) {
        Map<String, Object> models = new LinkedHashMap<>();
        engines.all().forEach(engine -> models.put(engine.name(), ModelDescriptions.describe(engine)));
        builder.withDetail("webllm", Map.of("models", models));
    }
}
