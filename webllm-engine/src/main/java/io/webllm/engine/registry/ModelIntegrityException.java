package io.webllm.engine.registry;

import java.net.URI;

/**
 * The downloaded bytes are not the expected file: wrong size or wrong SHA-256. The partial file has been deleted.
 */
public class ModelIntegrityException extends ModelDownloadException {

    public ModelIntegrityException(String message, URI url) {
        super(message, url, -1, null);
    }
}
