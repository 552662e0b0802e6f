package io.webllm.engine.registry;

import io.webllm.engine.output.ToolCallFormat;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One downloadable GGUF model: where it comes from and what the engine needs to know before opening it.
 *
 * @param id             the short name users write, e.g. {@code qwen2.5-0.5b-instruct-q4_k_m} (lower case)
 * @param displayName    a human readable name for logs and UIs
 * @param url            the http(s) address of the single GGUF file, usually
 *                       {@code https://huggingface.co/<repo>/resolve/main/<file>.gguf}
 * @param fileName       the file name the model is stored under; the last segment of {@code url}
 * @param sizeBytes      the exact size of the file, or {@code null} when it is not known
 * @param sha256         the lower-case hex SHA-256 of the file, or {@code null} when it is not known
 * @param quantization   the GGML quantization of most weights, e.g. {@code Q4_K_M}
 * @param contextLength  the context length the model was trained for, in tokens
 * @param architecture   the GGUF {@code general.architecture}, e.g. {@code qwen2}, {@code llama}
 * @param toolCallFormat how the model writes tool calls
 */
public record ModelRecord(
        String id,
        String displayName,
        URI url,
        String fileName,
        @Nullable Long sizeBytes,
        @Nullable String sha256,
        String quantization,
        int contextLength,
        String architecture,
        ToolCallFormat toolCallFormat) {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ModelRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(quantization, "quantization");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(toolCallFormat, "toolCallFormat");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("model id must be lower case letters, digits, '.', '_' or '-' but was '"
                    + id + "'");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("model '" + id + "': expected an http(s) URL but found '" + url + "'");
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("model '" + id + "': URL has no host: '" + url + "'");
        }
        if (fileName.isBlank() || fileName.contains("/") || fileName.contains("\\") || fileName.startsWith(".")) {
            throw new IllegalArgumentException("model '" + id + "': expected a plain file name but found '"
                    + fileName + "'");
        }
        if (sizeBytes != null && sizeBytes <= 0) {
            throw new IllegalArgumentException("model '" + id + "': size must be positive but was " + sizeBytes);
        }
        if (sha256 != null) {
            sha256 = sha256.toLowerCase(Locale.ROOT);
            if (!SHA256.matcher(sha256).matches()) {
                throw new IllegalArgumentException("model '" + id + "': expected sha256 as 64 hex digits but found '"
                        + sha256 + "'");
            }
        }
        if (contextLength <= 0) {
            throw new IllegalArgumentException("model '" + id + "': context length must be positive but was "
                    + contextLength);
        }
    }

    /** Where and what to download for this model. */
    public DownloadSource source() {
        return new DownloadSource(url, fileName, sizeBytes, sha256);
    }
}
