package io.webllm.spring.autoconfigure;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEvent;

/**
 * Progress of a model file's download, published about every 100 ms while it runs, on the downloading thread. Sizes
 * are -1 when the server does not tell them.
 */
public class ModelDownloadProgressEvent extends ApplicationEvent {

    public enum Stage { STARTED, PROGRESS, FINISHED }

    private final String modelName;
    private final String reference;
    private final Stage stage;
    private final long bytesDone;
    private final long totalBytes;
    private final double bytesPerSecond;
    private final @Nullable Path path;

    public ModelDownloadProgressEvent(Object source, String modelName, String reference, Stage stage, long bytesDone,
            long totalBytes, double bytesPerSecond, @Nullable Path path) {
        super(source);
        this.modelName = modelName;
        this.reference = reference;
        this.stage = stage;
        this.bytesDone = bytesDone;
        this.totalBytes = totalBytes;
        this.bytesPerSecond = bytesPerSecond;
        this.path = path;
    }

    /** The ChatModel bean's name. */
    public String getModelName() {
        return modelName;
    }

    /** The model as configured: registry id, path or URL. */
    public String getReference() {
        return reference;
    }

    public Stage getStage() {
        return stage;
    }

    public long getBytesDone() {
        return bytesDone;
    }

    public long getTotalBytes() {
        return totalBytes;
    }

    public double getBytesPerSecond() {
        return bytesPerSecond;
    }

    /** Where the verified file lies, once {@link Stage#FINISHED}. */
    public @Nullable Path getPath() {
        return path;
    }

    /** Done part in [0, 1], or -1 when the size is unknown. */
    public double getFraction() {
        return totalBytes > 0 ? Math.min(1.0, (double) bytesDone / totalBytes) : -1;
    }
}
