package io.webllm.sample.model;

import io.webllm.engine.chat.ChatEngine;
import io.webllm.engine.registry.ModelStore;
import io.webllm.sample.SampleProperties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.context.event.EventListener;

/** The model named by {@code webllm.chat.model}, loaded in the background once the application is ready. */
@Configuration(proxyBeanMethods = false)
public class ModelConfiguration {

    /** The engine in this JVM; a {@code @Primary} factory elsewhere (tests) replaces it. */
    @Bean
    EngineFactory engineFactory() {
        return new LocalEngineFactory();
    }

    @Bean
    ModelLoader modelLoader(@Value("${webllm.chat.model:qwen2.5-0.5b-instruct-q4_k_m}") String model,
            SampleProperties properties, EngineFactory factory) {
        ModelStore.Builder store = ModelStore.builder();
        if (properties.modelCache() != null) {
            store.cacheDirectory(properties.modelCache());
        }
        return new ModelLoader(model, store.build(), properties.download(), factory);
    }

    /** Primary: the one the app serves, even where the engines it wraps are beans too. */
    @Bean
    @Primary
    ChatEngine chatEngine(ModelLoader loader) {
        return new LoadingChatEngine(loader);
    }

    @Bean
    ModelStarter modelStarter(ModelLoader loader) {
        return new ModelStarter(loader);
    }

    /** Starts loading when the server is listening, so the page is there to show the progress. */
    static final class ModelStarter {

        private final ModelLoader loader;

        ModelStarter(ModelLoader loader) {
            this.loader = loader;
        }

        @EventListener(ApplicationReadyEvent.class)
        void start() {
            loader.start();
        }
    }
}
