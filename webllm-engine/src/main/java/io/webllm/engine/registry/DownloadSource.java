package io.webllm.engine.registry;

import java.net.URI;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A file to fetch: its address and, when known, what it must look like once downloaded.
 *
 * @param url       http(s) address of the file
 * @param fileName  name to store it under
 * @param sizeBytes exact expected size, or {@code null} when unknown
 * @param sha256    expected lower-case hex SHA-256, or {@code null} when unknown
 */
public record DownloadSource(URI url, String fileName, @Nullable Long sizeBytes, @Nullable String sha256) {

    public DownloadSource {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(fileName, "fileName");
    }
}
