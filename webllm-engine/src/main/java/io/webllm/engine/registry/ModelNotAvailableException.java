package io.webllm.engine.registry;

import java.net.URI;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The model file is not on disk and may not, or could not, be downloaded (policy {@link DownloadPolicy#NEVER},
 * offline, or a local path that does not exist). The message says which file to put where.
 */
public class ModelNotAvailableException extends ModelStoreException {

    private final Path expectedPath;
    private final @Nullable URI url;

    public ModelNotAvailableException(String message, Path expectedPath, @Nullable URI url,
            @Nullable Throwable cause) {
        super(message, cause);
        this.expectedPath = expectedPath;
        this.url = url;
    }

    /** The absolute path where the file is expected. */
    public Path expectedPath() {
        return expectedPath;
    }

    /** Where the file can be downloaded from, when known. */
    public @Nullable URI url() {
        return url;
    }
}
