package io.webllm.spring.autoconfigure;

import io.micrometer.observation.ObservationRegistry;
import io.webllm.engine.chat.ChatEngine;
import io.webllm.engine.registry.ModelRegistry;
import io.webllm.engine.registry.ModelStore;
import io.webllm.spring.ai.WebLlmChatModel;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.observation.ChatModelObservationConvention;
import org.springframework.ai.model.SpringAIModelProperties;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of webllm: the model registry (built-in list plus {@code webllm.registry}), the model store
 * ({@code webllm.cache-directory}, {@code webllm.download-policy}), the engines, and one {@link WebLlmChatModel} bean
 * per configured model (see {@link WebLlmChatModelRegistrar}).
 *
 * <p>Active unless {@code spring.ai.model.chat} names another provider ({@code none} turns every provider off).
 */
@AutoConfiguration(afterName = "org.springframework.ai.model.tool.autoconfigure.ToolCallingAutoConfiguration")
@ConditionalOnClass({ ChatModel.class, WebLlmChatModel.class, ChatEngine.class })
@ConditionalOnProperty(name = SpringAIModelProperties.CHAT_MODEL, havingValue = WebLlmAutoConfiguration.PROVIDER,
        matchIfMissing = true)
@EnableConfigurationProperties(WebLlmProperties.class)
@Import(WebLlmChatModelRegistrar.class)
public class WebLlmAutoConfiguration {

    /** The value of {@code spring.ai.model.chat} that selects webllm. */
    public static final String PROVIDER = "webllm";

    @Bean
    @ConditionalOnMissingBean
    public ModelRegistry webLlmModelRegistry(WebLlmProperties properties) {
        ModelRegistry registry = ModelRegistry.builtIn();
        properties.getRegistry().forEach((id, entry) -> registry.register(entry.toRecord(id)));
        return registry;
    }

    @Bean
    @ConditionalOnMissingBean
    public ModelStore webLlmModelStore(WebLlmProperties properties, ModelRegistry registry) {
        return ModelStore.builder().cacheDirectory(properties.getCacheDirectory()).registry(registry).build();
    }

    @Bean
    @ConditionalOnMissingBean
    public ChatEngineFactory webLlmChatEngineFactory() {
        return ChatEngineFactory.LOCAL;
    }

    @Bean
    @ConditionalOnMissingBean
    public WebLlmEngines webLlmEngines(WebLlmProperties properties, ModelStore store, ChatEngineFactory factory,
            ApplicationEventPublisher events) {
        return new WebLlmEngines(store, properties.getDownloadPolicy(), factory, events);
    }

    @Bean
    @ConditionalOnMissingBean
    public WebLlmChatModelFactory webLlmChatModelFactory(WebLlmProperties properties, WebLlmEngines engines,
            ObjectProvider<ChatEngine> userEngine, ObjectProvider<ToolCallingManager> toolCallingManager,
            ObjectProvider<ObservationRegistry> observationRegistry,
            ObjectProvider<ChatModelObservationConvention> observationConvention) {
        return new WebLlmChatModelFactory(properties, engines, userEngine, toolCallingManager, observationRegistry,
                observationConvention);
    }
}
