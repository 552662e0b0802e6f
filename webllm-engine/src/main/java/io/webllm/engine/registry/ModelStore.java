package io.webllm.engine.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The local cache of model files (WebLLM's Cache API, for GGUF): turns a model reference into a path on disk,
 * downloading it first when the {@link DownloadPolicy} allows.
 *
 * <p>Downloads go to {@code <file>.part} next to the final file, resume with an HTTP {@code Range} request after a
 * broken connection, are checked against the known size and SHA-256, and are moved into place atomically, so a file
 * under its final name is always complete. Two callers asking for the same file (threads of this JVM, or other
 * processes) download it once. Interrupting the calling thread cancels a download and keeps the part file.
 *
 * <p>Cache layout: see {@link #cachePath(DownloadSource)}.
 */
public final class ModelStore {

    private static final System.Logger LOG = System.getLogger(ModelStore.class.getName());

    private final Path cacheDirectory;
    private final ModelRegistry registry;
    private final HttpDownloader downloader;

    private ModelStore(Builder builder) {
        this.cacheDirectory = builder.cacheDirectory.toAbsolutePath().normalize();
        this.registry = builder.registry != null ? builder.registry : ModelRegistry.builtIn();
        HttpClient client = builder.httpClient != null ? builder.httpClient
                : HttpClient.newBuilder()
                        .connectTimeout(builder.connectTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER) // followed by hand, see HttpDownloader#send
                        .build();
        this.downloader = new HttpDownloader(client, new HttpDownloader.Settings(builder.bearerToken,
                Set.copyOf(builder.tokenHosts), builder.maxRetries, builder.initialBackoff, builder.maxBackoff,
                builder.requestTimeout, builder.readTimeout, builder.userAgent));
    }

    /** A store with the defaults: {@link #defaultCacheDirectory()}, the built-in registry, {@code HF_TOKEN}. */
    public static ModelStore createDefault() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code ~/.cache/webllm/models}. */
    public static Path defaultCacheDirectory() {
        return Path.of(System.getProperty("user.home"), ".cache", "webllm", "models");
    }

    public Path cacheDirectory() {
        return cacheDirectory;
    }

    public ModelRegistry registry() {
        return registry;
    }

    /**
     * The path of the model a user named, logging a progress bar through {@link System.Logger} if it downloads.
     *
     * @see #resolve(ModelReference, DownloadPolicy, DownloadListener)
     */
    public Path resolve(String reference, DownloadPolicy policy) {
        return resolve(reference, policy, DownloadListener.logging(reference));
    }

    /**
     * The path of the model a user named: a registry id, a local {@code .gguf} path or an http(s) URL.
     *
     * @see #resolve(ModelReference, DownloadPolicy, DownloadListener)
     */
    public Path resolve(String reference, DownloadPolicy policy, DownloadListener listener) {
        return resolve(registry.resolve(reference), policy, listener);
    }

    /**
     * The path of the model on disk, downloading it first if the policy says so.
     *
     * @throws ModelNotAvailableException the file is missing and policy NEVER, offline, or a local path that does
     *                                    not exist; the message says which file to put where
     * @throws ModelIntegrityException    the download has the wrong size or SHA-256 (and was deleted)
     * @throws ModelDownloadException     HTTP error or a connection that kept breaking
     * @throws DownloadCancelledException the thread was interrupted; the part file is kept for a later resume
     */
    public Path resolve(ModelReference reference, DownloadPolicy policy, DownloadListener listener) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(listener, "listener");
        return switch (reference) {
            case ModelReference.LocalFile local -> existingLocalFile(local.path());
            case ModelReference.Registered registered -> cached(registered.record().source(), policy, listener);
            case ModelReference.Remote remote -> cached(remote.source(), policy, listener);
        };
    }

    /**
     * Where a download is kept: {@code <cache>/<owner>/<repo>/<file>} for Hugging Face URLs (with a revision folder
     * when it is not {@code main}), {@code <cache>/<host>/<file>} for other servers.
     */
    public Path cachePath(DownloadSource source) {
        return cacheDirectory.resolve(CacheLayout.relativePath(source));
    }

    /** Whether the model is ready on disk without a download. */
    public boolean isAvailable(ModelReference reference) {
        return switch (reference) {
            case ModelReference.LocalFile local -> Files.isRegularFile(local.path());
            case ModelReference.Registered registered -> isComplete(registered.record().source());
            case ModelReference.Remote remote -> isComplete(remote.source());
        };
    }

    private Path cached(DownloadSource source, DownloadPolicy policy, DownloadListener listener) {
        Path target = cachePath(source);
        if (policy != DownloadPolicy.ALWAYS && isComplete(source)) {
            return target;
        }
        if (policy == DownloadPolicy.NEVER) {
            throw notAvailable(source, target);
        }
        try (DownloadLock ignored = DownloadLock.acquire(target)) {
            // another thread or process may have finished it while we waited for the lock
            if (policy == DownloadPolicy.IF_MISSING && isComplete(source)) {
                return target;
            }
            if (Files.exists(target) && policy == DownloadPolicy.IF_MISSING) {
                LOG.log(Level.WARNING, () -> target + " has " + sizeOf(target) + " bytes but " + source.sizeBytes()
                        + " are expected; downloading it again");
            }
            downloader.download(source, target, policy == DownloadPolicy.ALWAYS, listener);
            return target;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DownloadCancelledException("interrupted while waiting for another download of " + target,
                    target.resolveSibling(target.getFileName() + ".part"), e);
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new DownloadCancelledException("download of " + source.url() + " cancelled by interrupt",
                        target.resolveSibling(target.getFileName() + ".part"), e);
            }
            throw new UncheckedIOException("cannot write " + target + " while downloading " + source.url(), e);
        }
    }

    private boolean isComplete(DownloadSource source) {
        Path target = cachePath(source);
        if (!Files.isRegularFile(target)) {
            return false;
        }
        Long expected = source.sizeBytes();
        return expected == null || sizeOf(target) == expected;
    }

    private static long sizeOf(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return -1;
        }
    }

    private static Path existingLocalFile(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        if (!Files.isRegularFile(absolute)) {
            throw new ModelNotAvailableException("model file " + absolute + " does not exist"
                    + (Files.isDirectory(absolute) ? " (it is a directory; name the .gguf file inside it)" : ""),
                    absolute, null, null);
        }
        return absolute;
    }

    private static ModelNotAvailableException notAvailable(DownloadSource source, Path target) {
        String found = Files.exists(target)
                ? " The file there has " + sizeOf(target) + " bytes but " + source.sizeBytes() + " are expected."
                : "";
        return new ModelNotAvailableException("model file " + source.fileName() + " is not in the cache and the "
                + "download policy is NEVER. Download " + source.url() + " and save it as " + target
                + (source.sha256() != null ? " (sha256 " + source.sha256() + ")" : "") + ", or allow downloads."
                + found, target, source.url(), null);
    }

    /** Settings of a {@link ModelStore}; every one has a default. */
    public static final class Builder {
        private Path cacheDirectory = defaultCacheDirectory();
        private @Nullable ModelRegistry registry;
        private @Nullable HttpClient httpClient;
        private @Nullable String bearerToken = environmentToken();
        private Set<String> tokenHosts = Set.of("huggingface.co", "hf.co");
        private int maxRetries = 5;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private Duration readTimeout = Duration.ofSeconds(60);
        private String userAgent = "webllm-engine (Java " + Runtime.version().feature() + ")";

        private Builder() {
        }

        /** Where model files are kept; default {@code ~/.cache/webllm/models}. */
        public Builder cacheDirectory(Path cacheDirectory) {
            this.cacheDirectory = Objects.requireNonNull(cacheDirectory, "cacheDirectory");
            return this;
        }

        /** Registry used to look up ids; default a fresh {@link ModelRegistry#builtIn()}. */
        public Builder registry(ModelRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Client to use (proxies, SSL); it must not follow redirects itself, or a token could follow them to other
         * hosts. Default: a client with {@link #connectTimeout(Duration)}.
         */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
            return this;
        }

        /**
         * Token sent as {@code Authorization: Bearer} (gated Hugging Face repositories), or {@code null} for none.
         * Default: the {@code HF_TOKEN} environment variable, else {@code HUGGING_FACE_HUB_TOKEN}.
         */
        public Builder bearerToken(@Nullable String bearerToken) {
            this.bearerToken = bearerToken == null || bearerToken.isBlank() ? null : bearerToken.trim();
            return this;
        }

        /**
         * Hosts (and their subdomains) that receive the token; default {@code huggingface.co} and {@code hf.co}, so
         * that a token never leaks to a URL of some other server.
         */
        public Builder tokenHosts(Set<String> tokenHosts) {
            this.tokenHosts = Set.copyOf(tokenHosts);
            return this;
        }

        /** Consecutive failed attempts without new bytes that are retried; default 5. */
        public Builder maxRetries(int maxRetries) {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0 but was " + maxRetries);
            }
            this.maxRetries = maxRetries;
            return this;
        }

        /** Wait before the first retry, doubled for each further one up to {@code max}; default 1 s and 30 s. */
        public Builder backoff(Duration initial, Duration max) {
            if (initial.isNegative() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("expected 0 <= initial <= max backoff but found " + initial
                        + " and " + max);
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** Time to open a connection; default 30 s. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        /** Time until the response headers arrive; default 60 s. */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
            return this;
        }

        /**
         * Time without a single byte after which a connection is considered stalled, dropped and resumed; default
         * 60 s.
         */
        public Builder readTimeout(Duration readTimeout) {
            if (readTimeout.isNegative() || readTimeout.isZero()) {
                throw new IllegalArgumentException("readTimeout must be positive but was " + readTimeout);
            }
            this.readTimeout = readTimeout;
            return this;
        }

        public Builder userAgent(String userAgent) {
            this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
            return this;
        }

        public ModelStore build() {
            return new ModelStore(this);
        }

        private static @Nullable String environmentToken() {
            for (String name : new String[] {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
                String value = System.getenv(name);
                if (value != null && !value.isBlank()) {
                    return value.trim();
                }
            }
            return null;
        }
    }
}
