package io.webllm.engine.registry;

import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * A download failed: an HTTP error status, or the connection kept breaking beyond the retry budget.
 */
public class ModelDownloadException extends ModelStoreException {

    private final URI url;
    private final int statusCode;

    public ModelDownloadException(String message, URI url, int statusCode, @Nullable Throwable cause) {
        super(message, cause);
        this.url = url;
        this.statusCode = statusCode;
    }

    /** The address that failed. */
    public URI url() {
        return url;
    }

    /** The HTTP status of the failed reply, or -1 when no reply arrived. */
    public int statusCode() {
        return statusCode;
    }
}
