package io.webllm.engine.registry;

import java.nio.file.Path;

/**
 * The downloading thread was interrupted. The partial file stays on disk so that a later call resumes it; the
 * thread's interrupt flag is set again before this is thrown.
 */
public class DownloadCancelledException extends ModelStoreException {

    private final Path partFile;

    public DownloadCancelledException(String message, Path partFile, Throwable cause) {
        super(message, cause);
        this.partFile = partFile;
    }

    /** The partial file kept for a later resume. */
    public Path partFile() {
        return partFile;
    }
}
