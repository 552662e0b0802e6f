package io.webllm.engine.registry;

import java.nio.file.Path;

/**
 * Callbacks from a running download, called on the downloading thread. Implementations must be quick; the Spring
 * module turns them into application events.
 *
 * <p>Progress is reported at most about every 100 ms, plus once at the end. Sizes are {@code -1} when unknown.
 */
public interface DownloadListener {

    /** Ignores every callback. */
    DownloadListener NONE = new DownloadListener() {
    };

    /**
     * The download begins (or resumes).
     *
     * @param totalBytes size of the whole file, or -1 when the server does not say
     */
    default void started(long totalBytes) {
    }

    /**
     * Bytes arrived.
     *
     * @param bytesDone      bytes of the file on disk so far, a resumed prefix included
     * @param totalBytes     size of the whole file, or -1 when unknown
     * @param bytesPerSecond transfer rate of this download so far (the resumed prefix not counted)
     */
    default void progress(long bytesDone, long totalBytes, double bytesPerSecond) {
    }

    /** The file is verified and in place. */
    default void finished(Path path) {
    }

    /** A listener that logs a text progress bar through {@link System.Logger} about once a second. */
    static DownloadListener logging(String label) {
        return new LoggingDownloadListener(label);
    }
}
