package io.webllm.spring.autoconfigure;

import io.webllm.engine.registry.DownloadPolicy;
import io.webllm.engine.registry.ModelStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEventPublisher;

/**
 * The engines of all configured models, by model name. Closes them, and so frees their device memory, when the
 * application context closes.
 */
public class WebLlmEngines implements DisposableBean {

    private static final Log LOG = LogFactory.getLog(WebLlmEngines.class);

    private final ModelStore store;
    private final DownloadPolicy downloadPolicy;
    private final ChatEngineFactory factory;
    private final ApplicationEventPublisher events;
    private final Map<String, ManagedChatEngine> engines = new LinkedHashMap<>();

    public WebLlmEngines(ModelStore store, DownloadPolicy downloadPolicy, ChatEngineFactory factory,
            ApplicationEventPublisher events) {
        this.store = store;
        this.downloadPolicy = downloadPolicy;
        this.factory = factory;
        this.events = events;
    }

    /** A new, not yet loaded engine for the model. */
    public synchronized ManagedChatEngine create(ModelSpec spec) {
        if (engines.containsKey(spec.name())) {
            throw new IllegalStateException("a model named '" + spec.name() + "' exists already");
        }
        ManagedChatEngine engine = new ManagedChatEngine(spec, store, downloadPolicy, factory, events);
        engines.put(spec.name(), engine);
        return engine;
    }

    public synchronized List<ManagedChatEngine> all() {
        return List.copyOf(engines.values());
    }

    public synchronized Optional<ManagedChatEngine> find(String name) {
        return Optional.ofNullable(engines.get(name));
    }

    /** Closes every engine, the last created first. */
    @Override
    public void destroy() {
        List<ManagedChatEngine> toClose;
        synchronized (this) {
            toClose = new ArrayList<>(engines.values());
        }
        for (ManagedChatEngine engine : toClose.reversed()) {
            try {
                engine.close();
            } catch (RuntimeException e) {
                LOG.warn("closing model '" + engine.name() + "' failed", e);
            }
        }
    }
}
