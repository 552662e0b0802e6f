package io.webllm.engine.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * What a user named as the model: a registry entry, a remote file, or a file already on disk.
 */
public sealed interface ModelReference {

    /** A model from the {@link ModelRegistry}. */
    record Registered(ModelRecord record) implements ModelReference {
        public Registered {
            Objects.requireNonNull(record, "record");
        }
    }

    /** Any GGUF file reachable over http(s); nothing is known about its size or hash. */
    record Remote(URI url) implements ModelReference {
        public Remote {
            Objects.requireNonNull(url, "url");
            fileNameOf(url); // rejects URLs without a file name early
        }

        /** The download this reference stands for. */
        public DownloadSource source() {
            return new DownloadSource(url, fileNameOf(url), null, null);
        }
    }

    /** A file on the local disk, used in place: never copied into the cache. */
    record LocalFile(Path path) implements ModelReference {
        public LocalFile {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * Interprets a model reference.
     *
     * <ol>
     * <li>{@code http://} or {@code https://}: a remote file;</li>
     * <li>{@code file:} URI: a local file;</li>
     * <li>an id the registry knows (case ignored): that entry;</li>
     * <li>something that looks like a path (has a separator, starts with {@code ~} or ends in {@code .gguf}): a
     * local file, whether or not it exists yet (the store reports a missing one);</li>
     * <li>otherwise an {@link UnknownModelException} listing close matches and the known ids.</li>
     * </ol>
     */
    static ModelReference parse(String reference, ModelRegistry registry) {
        Objects.requireNonNull(reference, "reference");
        String text = reference.trim();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("model reference is empty; expected a model id, a .gguf path or an "
                    + "http(s) URL");
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            try {
                return new Remote(new URI(text));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("model reference '" + text + "' is not a valid URL: "
                        + e.getMessage(), e);
            }
        }
        if (lower.startsWith("file:")) {
            try {
                return new LocalFile(Path.of(new URI(text)));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new IllegalArgumentException("model reference '" + text + "' is not a valid file URI: "
                        + e.getMessage(), e);
            }
        }
        var registered = registry.find(text);
        if (registered.isPresent()) {
            return new Registered(registered.get());
        }
        boolean looksLikePath = text.contains("/") || text.contains("\\") || text.startsWith("~")
                || lower.endsWith(".gguf");
        if (looksLikePath) {
            try {
                return new LocalFile(expandHome(text));
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("model reference '" + text + "' is not a valid path: "
                        + e.getMessage(), e);
            }
        }
        throw registry.unknown(text);
    }

    private static Path expandHome(String text) {
        if (text.equals("~") || text.startsWith("~/")) {
            return Path.of(System.getProperty("user.home"), text.substring(1).replaceFirst("^/", ""));
        }
        return Path.of(text);
    }

    /** The decoded last path segment of a URL, which is what the file is stored as. */
    static String fileNameOf(URI url) {
        String path = url.getRawPath();
        if (path == null || path.isEmpty() || path.endsWith("/")) {
            throw new IllegalArgumentException("URL '" + url + "' does not end in a file name");
        }
        String name = URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1), StandardCharsets.UTF_8);
        if (name.isBlank() || name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("URL '" + url + "' does not end in a usable file name: '" + name + "'");
        }
        return name;
    }
}
