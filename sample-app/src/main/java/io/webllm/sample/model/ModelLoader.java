package io.webllm.sample.model;

import io.webllm.engine.chat.ChatEngine;
import io.webllm.engine.registry.DownloadListener;
import io.webllm.engine.registry.DownloadPolicy;
import io.webllm.engine.registry.ModelStore;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Fetches and loads the model on a thread of its own, after the web server is up, so the page can show the download
 * and upload progress instead of a browser waiting on a port that is not open yet.
 */
public final class ModelLoader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelLoader.class);

    private final String reference;
    private final String modelId;
    private final ModelStore store;
    private final DownloadPolicy policy;
    private final EngineFactory factory;
    private final Sinks.Many<ModelStatus> statuses = Sinks.many().replay().latest();
    private final AtomicReference<ModelStatus> status;
    private volatile @Nullable ChatEngine engine;
    private volatile @Nullable Thread thread;

    public ModelLoader(String reference, ModelStore store, DownloadPolicy policy, EngineFactory factory) {
        this.reference = reference;
        this.modelId = idOf(reference);
        this.store = store;
        this.policy = policy;
        this.factory = factory;
        this.status = new AtomicReference<>(ModelStatus.waiting(modelId));
        statuses.tryEmitNext(status.get());
    }

    /** The name clients use: a registry id as it is, a file or URL by its file name without {@code .gguf}. */
    static String idOf(String reference) {
        String path = reference.replaceFirst("[?#].*$", ""); // a URL's query is not part of the name
        String name = path.substring(path.replace('\\', '/').lastIndexOf('/') + 1);
        return name.endsWith(".gguf") ? name.substring(0, name.length() - ".gguf".length()) : name;
    }

    public String modelId() {
        return modelId;
    }

    /** Starts loading unless it already started. */
    public synchronized void start() {
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name("webllm-model-loader").start(this::load);
        }
    }

    public ModelStatus status() {
        return status.get();
    }

    /** The current status, then every change; completes after {@code READY} or {@code FAILED}. */
    public Flux<ModelStatus> statuses() {
        return statuses.asFlux();
    }

    /** The loaded engine; throws {@link ModelNotReadyException} before that. */
    public ChatEngine engine() {
        ChatEngine loaded = engine;
        if (loaded == null) {
            throw new ModelNotReadyException(status.get());
        }
        return loaded;
    }

    private void load() {
        try {
            DownloadListener console = DownloadListener.logging(modelId); // the same progress as a bar in the log
            Path file = store.resolve(reference, policy, new DownloadListener() {
                @Override
                public void started(long totalBytes) {
                    console.started(totalBytes);
                    publish(new ModelStatus(ModelStatus.Phase.DOWNLOADING, modelId, 0, totalBytes, ""));
                }

                @Override
                public void progress(long bytesDone, long totalBytes, double bytesPerSecond) {
                    console.progress(bytesDone, totalBytes, bytesPerSecond);
                    publish(new ModelStatus(ModelStatus.Phase.DOWNLOADING, modelId, bytesDone, totalBytes, ""));
                }

                @Override
                public void finished(Path path) {
                    console.finished(path);
                }
            });
            publish(new ModelStatus(ModelStatus.Phase.LOADING, modelId, 0, -1, ""));
            ChatEngine loaded = factory.load(file, modelId, (phase, done, total) ->
                    publish(new ModelStatus(ModelStatus.Phase.LOADING, modelId, done, total, phase)));
            engine = loaded;
            publish(new ModelStatus(ModelStatus.Phase.READY, modelId, 1, 1, ""));
            LOG.info("Model {} is ready ({})", modelId, file);
        } catch (RuntimeException | LinkageError e) {
            String message = LoadFailureAdvice.explain(e, reference);
            if (LoadFailureAdvice.isUserFixable(e)) {
                LOG.error("Model {} could not be loaded: {}", modelId, message); // the message says it all
            } else {
                LOG.error("Model {} could not be loaded: {}", modelId, message, e);
            }
            publish(new ModelStatus(ModelStatus.Phase.FAILED, modelId, 0, -1, message));
        }
    }

    private void publish(ModelStatus next) {
        status.set(next);
        statuses.tryEmitNext(next); // the replay sink keeps the latest for late subscribers
        if (next.phase() == ModelStatus.Phase.READY || next.phase() == ModelStatus.Phase.FAILED) {
            statuses.tryEmitComplete();
        }
    }

    @Override
    public void close() {
        ChatEngine loaded = engine;
        engine = null;
        if (loaded != null) {
            loaded.close();
        }
        Thread running = thread;
        if (running != null) {
            running.interrupt(); // cancels a download, keeping the part file for the next start
        }
    }
}
