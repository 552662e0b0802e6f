package io.webllm.spring.autoconfigure;

import io.webllm.engine.chat.ChatChunk;
import io.webllm.engine.chat.ChatCompletion;
import io.webllm.engine.chat.ChatEngine;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.model.LoadListener;
import io.webllm.engine.opencl.DeviceSelector;
import io.webllm.engine.registry.DownloadListener;
import io.webllm.engine.registry.DownloadPolicy;
import io.webllm.engine.registry.ModelReference;
import io.webllm.engine.registry.ModelStore;
import io.webllm.engine.runtime.EngineOptions;
import io.webllm.engine.runtime.LocalEngine;
import java.nio.file.Path;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;

/**
 * A configured model and the lifecycle of its engine: resolve the file (downloading it when the policy allows), load
 * it onto the device, serve requests, close it. Loading happens once, on {@link #load()} or on the first request;
 * after a failure the next request tries again (e.g. once the missing file is in place). Progress and state changes
 * are published as application events.
 */
public final class ManagedChatEngine implements ChatEngine {

    /** Where a model is in its lifecycle. */
    public enum State { NOT_LOADED, DOWNLOADING, LOADING, READY, FAILED, CLOSED }

    private final ModelSpec spec;
    private final ModelStore store;
    private final DownloadPolicy downloadPolicy;
    private final ChatEngineFactory factory;
    private final ApplicationEventPublisher events;
    private final ModelReference reference;
    private final String modelId;

    private volatile @Nullable ChatEngine engine;
    private volatile State state = State.NOT_LOADED;
    private volatile @Nullable Throwable failure;
    private volatile @Nullable Path modelFile;

    ManagedChatEngine(ModelSpec spec, ModelStore store, DownloadPolicy downloadPolicy, ChatEngineFactory factory,
            ApplicationEventPublisher events) {
        this.spec = spec;
        this.store = store;
        this.downloadPolicy = downloadPolicy;
        this.factory = factory;
        this.events = events;
        // parsed now so that an unknown id fails at startup with the list of known ids, even for lazy models
        this.reference = store.registry().resolve(spec.reference());
        this.modelId = modelIdOf(reference);
    }

    /** The id clients see: the registry id, or the file name without {@code .gguf}. */
    static String modelIdOf(ModelReference reference) {
        return switch (reference) {
            case ModelReference.Registered registered -> registered.record().id();
            case ModelReference.LocalFile local -> withoutExtension(local.path().getFileName().toString());
            case ModelReference.Remote remote -> withoutExtension(remote.source().fileName());
        };
    }

    private static String withoutExtension(String fileName) {
        return fileName.replaceFirst("(?i)\\.gguf$", "");
    }

    public String name() {
        return spec.name();
    }

    public ModelSpec spec() {
        return spec;
    }

    @Override
    public String modelId() {
        return modelId;
    }

    public State state() {
        return state;
    }

    /** Why the last load failed, while {@link #state()} is {@link State#FAILED}. */
    public @Nullable Throwable failure() {
        return failure;
    }

    /** The model file on disk, once resolved. */
    public @Nullable Path modelFile() {
        return modelFile;
    }

    /** The device the engine runs on, once loaded. */
    public @Nullable String deviceDescription() {
        return engine instanceof LocalEngine local ? local.deviceDescription() : null;
    }

    /** Loads the engine unless it is loaded; blocks until it is ready. */
    public ChatEngine load() {
        ChatEngine loaded = engine;
        if (loaded != null) {
            return loaded;
        }
        synchronized (this) {
            if (engine != null) {
                return engine;
            }
            if (state == State.CLOSED) {
                throw new IllegalStateException("model '" + name() + "' (" + spec.reference() + ") is closed");
            }
            try {
                moveTo(State.DOWNLOADING, null);
                Path file = store.resolve(reference, downloadPolicy, downloadListener());
                modelFile = file;
                moveTo(State.LOADING, null);
                EngineOptions options = EngineOptions.of(file)
                        .withModelId(modelId)
                        .withDevice(DeviceSelector.of(spec.device()))
                        .withContextLength(spec.contextLength())
                        .withMaxSequences(spec.maxSequences())
                        .withMaxQueuedRequests(spec.maxQueuedRequests())
                        .withChatTemplate(spec.chatTemplate())
                        .withLoadListener(loadListener());
                ChatEngine created = factory.load(options);
                engine = created;
                moveTo(State.READY, null);
                return created;
            } catch (RuntimeException | Error e) {
                moveTo(State.FAILED, e);
                throw new ModelLoadException("model '" + name() + "' (" + spec.reference() + ") failed to load: "
                        + e.getMessage(), e);
            }
        }
    }

    @Override
    public ChatCompletion complete(ChatRequest request) {
        return load().complete(request);
    }

    @Override
    public Flow.Publisher<ChatChunk> stream(ChatRequest request) {
        return load().stream(request);
    }

    @Override
    public synchronized void close() {
        ChatEngine loaded = engine;
        engine = null;
        if (loaded != null) {
            loaded.close();
        }
        if (state != State.CLOSED) {
            moveTo(State.CLOSED, null);
        }
    }

    private void moveTo(State next, @Nullable Throwable cause) {
        state = next;
        failure = cause;
        events.publishEvent(new ModelStateChangedEvent(this, name(), next, cause));
    }

    private DownloadListener downloadListener() {
        DownloadListener log = DownloadListener.logging(name() + " (" + spec.reference() + ")");
        return new DownloadListener() {
            @Override
            public void started(long totalBytes) {
                log.started(totalBytes);
                events.publishEvent(new ModelDownloadProgressEvent(ManagedChatEngine.this, name(), spec.reference(),
                        ModelDownloadProgressEvent.Stage.STARTED, 0, totalBytes, 0, null));
            }

            @Override
            public void progress(long bytesDone, long totalBytes, double bytesPerSecond) {
                log.progress(bytesDone, totalBytes, bytesPerSecond);
                events.publishEvent(new ModelDownloadProgressEvent(ManagedChatEngine.this, name(), spec.reference(),
                        ModelDownloadProgressEvent.Stage.PROGRESS, bytesDone, totalBytes, bytesPerSecond, null));
            }

            @Override
            public void finished(Path path) {
                log.finished(path);
                long size = path.toFile().length();
                events.publishEvent(new ModelDownloadProgressEvent(ManagedChatEngine.this, name(), spec.reference(),
                        ModelDownloadProgressEvent.Stage.FINISHED, size, size, 0, path));
            }
        };
    }

    private LoadListener loadListener() {
        ProgressLog log = new ProgressLog(name());
        return (phase, done, total) -> {
            log.progress(phase, done, total);
            events.publishEvent(new ModelLoadProgressEvent(this, name(), phase, done, total));
        };
    }

    @Override
    public String toString() {
        return "ManagedChatEngine[" + name() + ": " + spec.reference() + ", " + state + "]";
    }
}
