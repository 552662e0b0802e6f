package io.webllm.spring.autoconfigure;

import io.micrometer.observation.ObservationRegistry;
import io.webllm.engine.chat.ChatEngine;
import io.webllm.spring.ai.WebLlmChatModel;
import io.webllm.spring.ai.WebLlmChatOptions;
import org.springframework.ai.chat.observation.ChatModelObservationConvention;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Builds the {@link WebLlmChatModel} beans the auto-configuration registers: one for {@code webllm.chat.model} and one
 * per {@code webllm.models.<name>}. Models that are not lazy are loaded here, so a model that cannot be loaded fails
 * the application's startup with the reason.
 */
public class WebLlmChatModelFactory {

    private final WebLlmProperties properties;
    private final WebLlmEngines engines;
    private final ObjectProvider<ChatEngine> userEngine;
    private final ObjectProvider<ToolCallingManager> toolCallingManager;
    private final ObjectProvider<ObservationRegistry> observationRegistry;
    private final ObjectProvider<ChatModelObservationConvention> observationConvention;

    public WebLlmChatModelFactory(WebLlmProperties properties, WebLlmEngines engines,
            ObjectProvider<ChatEngine> userEngine, ObjectProvider<ToolCallingManager> toolCallingManager,
            ObjectProvider<ObservationRegistry> observationRegistry,
            ObjectProvider<ChatModelObservationConvention> observationConvention) {
        this.properties = properties;
        this.engines = engines;
        this.userEngine = userEngine;
        this.toolCallingManager = toolCallingManager;
        this.observationRegistry = observationRegistry;
        this.observationConvention = observationConvention;
    }

    /** The model of {@code webllm.chat.*}, on the application's own {@link ChatEngine} bean when it has one. */
    public WebLlmChatModel createDefault() {
        ChatEngine engine = userEngine.getIfUnique();
        if (engine != null) {
            return build(engine, properties.getChat().getOptions().toOptions());
        }
        return create(ModelSpec.ofDefault(properties));
    }

    /** The model of {@code webllm.models.<name>.*}. */
    public WebLlmChatModel createNamed(String name) {
        return create(ModelSpec.ofNamed(name, properties));
    }

    private WebLlmChatModel create(ModelSpec spec) {
        ManagedChatEngine engine = engines.create(spec);
        if (!spec.lazy()) {
            engine.load();
        }
        return build(engine, spec.defaultOptions());
    }

    private WebLlmChatModel build(ChatEngine engine, WebLlmChatOptions defaults) {
        ObservationRegistry registry = observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP);
        WebLlmChatModel.Builder builder = WebLlmChatModel.builder()
                .engine(engine)
                .defaultOptions(defaults)
                .observationRegistry(registry);
        ToolCallingManager manager = toolCallingManager.getIfUnique();
        if (manager != null) {
            builder.toolCallingManager(manager);
        }
        WebLlmChatModel model = builder.build();
        observationConvention.ifAvailable(model::setObservationConvention);
        return model;
    }
}
