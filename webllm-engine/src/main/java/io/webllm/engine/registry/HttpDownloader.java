package io.webllm.engine.registry;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Fetches one file into {@code <target>.part}, resuming with HTTP {@code Range} after a broken connection, then
 * verifies size and SHA-256 and moves it into place atomically. The caller holds the {@link DownloadLock}.
 */
final class HttpDownloader {

    private static final System.Logger LOG = System.getLogger(HttpDownloader.class.getName());
    private static final int MAX_REDIRECTS = 10;
    private static final int BUFFER_BYTES = 1 << 16;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes\\s+\\*/(\\d+)", Pattern.CASE_INSENSITIVE);

    /** How the downloader talks to servers and how patient it is. */
    record Settings(@Nullable String bearerToken, Set<String> tokenHosts, int maxRetries, Duration initialBackoff,
            Duration maxBackoff, Duration requestTimeout, Duration readTimeout, String userAgent) {
    }

    /**
     * What the first server said about the file before redirecting to its storage: Hugging Face sends the SHA-256
     * of LFS and Xet files as {@code X-Linked-Etag} and their size as {@code X-Linked-Size}. These let a download be
     * verified even when the registry entry carries no hash.
     */
    private static final class Declared {
        @Nullable String sha256;
        @Nullable Long size;
    }

    private static final Pattern SHA256_ETAG = Pattern.compile("(?:W/)?\"?([0-9a-fA-F]{64})\"?");

    private final HttpClient client;
    private final Settings settings;

    HttpDownloader(HttpClient client, Settings settings) {
        this.client = client;
        this.settings = settings;
    }

    /**
     * Downloads {@code source} to {@code target}.
     *
     * @param fresh discard a leftover partial file instead of resuming it (policy ALWAYS: the remote file may have
     *              changed since the part was written)
     */
    void download(DownloadSource source, Path target, boolean fresh, DownloadListener listener) throws IOException {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Files.createDirectories(target.getParent());
        if (fresh) {
            Files.deleteIfExists(part);
        }
        ProgressMeter meter = new ProgressMeter(listener);
        Declared declared = new Declared();
        int failuresWithoutProgress = 0;
        String sha256;
        while (true) {
            try {
                sha256 = transferOnce(source, part, meter, declared);
                break;
            } catch (TransientFailure failure) {
                failuresWithoutProgress = failure.progressed ? 1 : failuresWithoutProgress + 1;
                if (failuresWithoutProgress > settings.maxRetries()) {
                    throw giveUp(source, target, part, meter, failure);
                }
                Duration wait = backoff(failuresWithoutProgress);
                int retry = failuresWithoutProgress;
                LOG.log(Level.WARNING, () -> "download of " + source.url() + " interrupted (" + failure.getMessage()
                        + "); retry " + retry + " of " + settings.maxRetries() + " in "
                        + wait.toMillis() + " ms, resuming from the bytes already on disk");
                sleep(wait, part);
            }
        }
        verify(source, declared, part, sha256);
        moveIntoPlace(part, target);
        listener.finished(target);
    }

    /** One request: resumes from the current part file, returns the SHA-256 of the complete file. */
    private String transferOnce(DownloadSource source, Path part, ProgressMeter meter, Declared declared)
            throws TransientFailure, IOException {
        checkInterrupted(part, null);
        long offset = Files.exists(part) ? Files.size(part) : 0;
        Long knownSize = source.sizeBytes() != null ? source.sizeBytes() : declared.size;
        if (knownSize != null && offset > knownSize) {
            LOG.log(Level.WARNING, () -> part + " is larger than the expected " + knownSize + " bytes; starting over");
            Files.delete(part);
            offset = 0;
        }
        MessageDigest digest = sha256();
        hashPrefix(part, offset, digest);
        if (knownSize != null && offset == knownSize && offset > 0) {
            return HexFormat.of().formatHex(digest.digest()); // complete already, a previous run stopped before moving it
        }
        HttpResponse<InputStream> response = send(source, offset, part, declared);
        try (InputStream body = response.body()) {
            Long expectedSize = source.sizeBytes() != null ? source.sizeBytes() : declared.size;
            int status = response.statusCode();
            long total;
            boolean append;
            switch (status) {
                case 206 -> {
                    String header = response.headers().firstValue("content-range").orElse("");
                    Matcher range = CONTENT_RANGE.matcher(header);
                    if (!range.find() || Long.parseLong(range.group(1)) != offset) {
                        Files.deleteIfExists(part);
                        throw new TransientFailure("expected a range starting at byte " + offset
                                + " but the server sent Content-Range '" + header + "'; starting over", false, null);
                    }
                    total = range.group(3).equals("*") ? -1 : Long.parseLong(range.group(3));
                    append = true;
                }
                case 200 -> {
                    if (offset > 0) {
                        long ignoredOffset = offset;
                        LOG.log(Level.INFO, () -> "server ignored the range request for " + source.url()
                                + "; downloading again from the start instead of byte " + ignoredOffset);
                        digest.reset();
                        offset = 0;
                    }
                    total = response.headers().firstValueAsLong("content-length").orElse(-1);
                    append = false;
                }
                case 416 -> {
                    String header = response.headers().firstValue("content-range").orElse("");
                    Matcher range = UNSATISFIED_RANGE.matcher(header);
                    if (offset > 0 && range.find() && Long.parseLong(range.group(1)) == offset) {
                        return HexFormat.of().formatHex(digest.digest()); // the part is the whole file
                    }
                    Files.deleteIfExists(part);
                    throw new TransientFailure("server cannot serve bytes from " + offset + " (HTTP 416, "
                            + "Content-Range '" + header + "'); starting over", false, null);
                }
                default -> throw failureFor(status, response, source, body);
            }
            if (expectedSize != null && total >= 0 && total != expectedSize) {
                Files.deleteIfExists(part);
                throw new ModelIntegrityException("size mismatch for " + source.fileName() + ": expected "
                        + expectedSize + " bytes but the server reports " + total + " bytes at " + source.url(),
                        source.url());
            }
            meter.start(total, offset);
            long received = copy(body, part, append, digest, meter, offset, total);
            if (total >= 0 && offset + received != total) {
                throw new TransientFailure("connection closed after " + (offset + received) + " of " + total
                        + " bytes", received > 0, null);
            }
            meter.complete(offset + received);
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    /** Streams the body into the part file; returns the bytes written. */
    private long copy(InputStream body, Path part, boolean append, MessageDigest digest, ProgressMeter meter,
            long offset, long total) throws TransientFailure, IOException {
        long received = 0;
        byte[] buffer = new byte[BUFFER_BYTES];
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
                StallWatchdog watchdog = new StallWatchdog(body, settings.readTimeout())) {
            while (true) {
                checkInterrupted(part, null);
                int read;
                try {
                    read = body.read(buffer);
                } catch (IOException e) {
                    checkInterrupted(part, e);
                    throw new TransientFailure(watchdog.fired() ? stalled() : describe(e), received > 0, e);
                }
                if (watchdog.fired()) {
                    throw new TransientFailure(stalled(), received > 0, null);
                }
                watchdog.touch();
                if (read < 0) {
                    return received;
                }
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, read);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                // hashed only once on disk, so that digest and part file always hold the same bytes
                digest.update(buffer, 0, read);
                received += read;
                meter.progress(offset + received, total);
            }
        }
    }

    private String stalled() {
        return "no data for " + settings.readTimeout().toMillis() + " ms; reconnecting";
    }

    /**
     * Takes note of the hash and size the original server declared, and fails before any data is written when they
     * contradict the registry entry: the file changed upstream and the download could never verify.
     */
    private static void checkDeclared(DownloadSource source, HttpResponse<InputStream> firstReply,
            Declared declared, Path part) throws IOException {
        // only the server we asked speaks for the file; storage hosts further on send their own etags
        Matcher etag = SHA256_ETAG.matcher(firstReply.headers().firstValue("x-linked-etag").orElse(""));
        if (etag.matches()) {
            declared.sha256 = etag.group(1).toLowerCase(Locale.ROOT);
        }
        firstReply.headers().firstValue("x-linked-size").flatMap(HttpDownloader::parseLong)
                .ifPresent(size -> declared.size = size);
        String sha = source.sha256();
        if (sha != null && declared.sha256 != null && !sha.equals(declared.sha256)) {
            Files.deleteIfExists(part);
            throw new ModelIntegrityException("sha256 mismatch for " + source.fileName() + ": expected " + sha
                    + " but " + source.url().getHost() + " declares " + declared.sha256 + " (X-Linked-Etag); the "
                    + "file has changed upstream, so update the model entry", source.url());
        }
        Long size = source.sizeBytes();
        if (size != null && declared.size != null && !size.equals(declared.size)) {
            Files.deleteIfExists(part);
            throw new ModelIntegrityException("size mismatch for " + source.fileName() + ": expected " + size
                    + " bytes but " + source.url().getHost() + " declares " + declared.size + " bytes "
                    + "(X-Linked-Size); the file has changed upstream, so update the model entry", source.url());
        }
    }

    /** Sends a GET, following redirects itself so that the token only goes to the hosts it is meant for. */
    private HttpResponse<InputStream> send(DownloadSource source, long offset, Path part, Declared declared)
            throws TransientFailure, IOException {
        URI url = source.url();
        URI current = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(current).GET()
                    .timeout(settings.requestTimeout())
                    .header("User-Agent", settings.userAgent());
            if (offset > 0) {
                request.header("Range", "bytes=" + offset + "-");
            }
            String token = settings.bearerToken();
            if (token != null && tokenAllowed(current)) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<InputStream> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw cancelled(part, e);
            } catch (IOException e) {
                checkInterrupted(part, e);
                throw new TransientFailure(describe(e), false, e);
            }
            int status = response.statusCode();
            if (hop == 0) {
                try {
                    checkDeclared(source, response, declared, part);
                } catch (ModelIntegrityException e) {
                    closeQuietly(response.body());
                    throw e;
                }
            }
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                String location = response.headers().firstValue("location").orElse(null);
                closeQuietly(response.body());
                if (location == null) {
                    throw new ModelDownloadException("HTTP " + status + " redirect without a Location header from "
                            + current, url, status, null);
                }
                try {
                    current = current.resolve(location);
                } catch (IllegalArgumentException e) {
                    throw new ModelDownloadException("HTTP " + status + " redirect to an invalid Location '"
                            + location + "' from " + current, url, status, e);
                }
                continue;
            }
            return response;
        }
        throw new ModelDownloadException("more than " + MAX_REDIRECTS + " redirects starting at " + url, url, -1,
                null);
    }

    private boolean tokenAllowed(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        return settings.tokenHosts().stream()
                .map(allowed -> allowed.toLowerCase(Locale.ROOT))
                .anyMatch(allowed -> host.equals(allowed) || host.endsWith("." + allowed));
    }

    /** The exception for a reply that is neither data nor a redirect; retries server-side trouble only. */
    private ModelDownloadException failureFor(int status, HttpResponse<InputStream> response, DownloadSource source,
            InputStream body) throws TransientFailure {
        String detail = response.headers().firstValue("x-error-message").orElseGet(() -> errorText(body));
        String suffix = detail.isBlank() ? "" : " Server says: " + detail;
        URI url = source.url();
        if (status == 429 || status >= 500) {
            throw new TransientFailure("HTTP " + status + " from " + url + suffix, false, null);
        }
        String message = switch (status) {
            case 404 -> "model file not found (HTTP 404) at " + url
                    + ". Check the repository and file name; the file may have been renamed or removed." + suffix;
            case 401, 403 -> "access denied (HTTP " + status + ") to " + url
                    + ". If this is a gated Hugging Face repository, accept its license on the model page and set "
                    + "the HF_TOKEN environment variable (or configure a bearer token) to a token that has access."
                    + (settings.bearerToken() == null ? " No token was sent." : " A token was sent but rejected.")
                    + suffix;
            default -> "unexpected HTTP " + status + " from " + url + suffix;
        };
        return new ModelDownloadException(message, url, status, null);
    }

    private ModelStoreException giveUp(DownloadSource source, Path target, Path part, ProgressMeter meter,
            TransientFailure last) throws IOException {
        boolean nothingOnDisk = !Files.exists(part) || Files.size(part) == 0;
        if (nothingOnDisk && !meter.anyReply() && isUnreachable(last.getCause())) {
            return new ModelNotAvailableException("cannot reach " + source.url().getHost() + " to download "
                    + source.fileName() + " (" + last.getMessage() + "). If this machine is offline, download "
                    + source.url() + " elsewhere and put it at " + target.toAbsolutePath(), target.toAbsolutePath(),
                    source.url(), last.getCause());
        }
        String kept = Files.exists(part)
                ? " The partial file " + part.toAbsolutePath() + " (" + Files.size(part) + " bytes) is kept; "
                        + "resolving again resumes it."
                : "";
        return new ModelDownloadException("download of " + source.url() + " failed " + (settings.maxRetries() + 1)
                + " times in a row without progress; last error: " + last.getMessage() + "." + kept, source.url(),
                -1, last.getCause());
    }

    private static boolean isUnreachable(@Nullable Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof HttpConnectTimeoutException || t instanceof UnresolvedAddressException) {
                return true;
            }
        }
        return false;
    }

    private void verify(DownloadSource source, Declared declared, Path part, String actualSha256)
            throws IOException {
        long size = Files.size(part);
        Long expectedSize = source.sizeBytes() != null ? source.sizeBytes() : declared.size;
        if (expectedSize != null && size != expectedSize) {
            Files.deleteIfExists(part);
            throw new ModelIntegrityException("size mismatch for " + source.fileName() + ": expected " + expectedSize
                    + " bytes but downloaded " + size + " bytes from " + source.url() + "; the partial file was deleted",
                    source.url());
        }
        String expectedSha = source.sha256() != null ? source.sha256() : declared.sha256;
        if (expectedSha != null && !expectedSha.equals(actualSha256)) {
            Files.deleteIfExists(part);
            String origin = source.sha256() != null ? "" : " (declared by " + source.url().getHost() + ")";
            throw new ModelIntegrityException("sha256 mismatch for " + source.fileName() + ": expected "
                    + expectedSha + origin + " but found " + actualSha256 + " (" + size + " bytes from " + source.url()
                    + "); the corrupted download was deleted", source.url());
        }
    }

    private static void moveIntoPlace(Path part, Path target) throws IOException {
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // same directory, so this only happens on unusual file systems; a plain replace is the best left
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void hashPrefix(Path part, long length, MessageDigest digest) throws IOException {
        if (length == 0) {
            return;
        }
        try (InputStream in = Files.newInputStream(part)) {
            byte[] buffer = new byte[BUFFER_BYTES];
            long left = length;
            while (left > 0) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (read < 0) {
                    throw new IOException(part + " shrank while it was being hashed");
                }
                digest.update(buffer, 0, read);
                left -= read;
            }
        }
    }

    private Duration backoff(int failures) {
        long initial = settings.initialBackoff().toMillis();
        long millis = initial << Math.min(failures - 1, 20);
        return Duration.ofMillis(Math.min(millis, settings.maxBackoff().toMillis()));
    }

    private static void sleep(Duration wait, Path part) {
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cancelled(part, e);
        }
    }

    private static void checkInterrupted(Path part, @Nullable Throwable cause) {
        if (Thread.currentThread().isInterrupted()) {
            throw cancelled(part, cause == null ? new InterruptedException() : cause);
        }
    }

    private static DownloadCancelledException cancelled(Path part, Throwable cause) {
        return new DownloadCancelledException("download cancelled by thread interrupt; the partial file "
                + part.toAbsolutePath() + " is kept so that a later call resumes it", part, cause);
    }

    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** The start of an error body, which often says why (Hugging Face explains gated repositories there). */
    private static String errorText(InputStream body) {
        try {
            byte[] bytes = body.readNBytes(300);
            return new String(bytes, StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static Optional<Long> parseLong(String text) {
        try {
            long value = Long.parseLong(text.trim());
            return value > 0 ? Optional.of(value) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the redirect body carries nothing we need
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }

    /**
     * Closes the response body when no byte has arrived for the read timeout. The JDK client has no read timeout of
     * its own, and closing its stream is what wakes a reader blocked on a silent connection.
     */
    static final class StallWatchdog implements AutoCloseable {
        private final Thread thread;
        private final long timeoutNanos;
        private volatile long lastActivityNanos = System.nanoTime();
        private volatile boolean fired;

        StallWatchdog(InputStream body, Duration timeout) {
            this.timeoutNanos = timeout.toNanos();
            this.thread = Thread.ofVirtual().name("webllm-download-watchdog").start(() -> watch(body));
        }

        private void watch(InputStream body) {
            try {
                while (true) {
                    long idle = System.nanoTime() - lastActivityNanos;
                    if (idle >= timeoutNanos) {
                        fired = true;
                        body.close();
                        return;
                    }
                    Thread.sleep(Duration.ofNanos(timeoutNanos - idle));
                }
            } catch (InterruptedException | IOException e) {
                // stopped: the transfer ended, or the stream was closed anyway
            }
        }

        void touch() {
            lastActivityNanos = System.nanoTime();
        }

        boolean fired() {
            return fired;
        }

        @Override
        public void close() {
            thread.interrupt();
        }
    }

    /** A failure worth retrying: the connection broke or the server had a passing problem. */
    static final class TransientFailure extends Exception {
        final boolean progressed;

        TransientFailure(String message, boolean progressed, @Nullable Throwable cause) {
            super(message, cause);
            this.progressed = progressed;
        }
    }

    /** Throttles progress callbacks and measures the rate of this session's transfer. */
    static final class ProgressMeter {
        private static final long REPORT_INTERVAL_NANOS = 100_000_000L;

        private final DownloadListener listener;
        private boolean started;
        private long sessionStartNanos;
        private long sessionStartBytes = -1;
        private long lastReportNanos;
        private long total = -1;

        ProgressMeter(DownloadListener listener) {
            this.listener = listener;
        }

        boolean anyReply() {
            return started;
        }

        void start(long total, long offset) {
            if (!started) {
                started = true;
                sessionStartNanos = System.nanoTime();
                sessionStartBytes = offset;
                listener.started(total);
            } else if (offset < sessionStartBytes) {
                sessionStartBytes = offset; // the server made us start over
            }
            this.total = total;
            listener.progress(offset, total, rate(offset));
            lastReportNanos = System.nanoTime();
        }

        void progress(long done, long total) {
            long now = System.nanoTime();
            if (now - lastReportNanos >= REPORT_INTERVAL_NANOS) {
                lastReportNanos = now;
                listener.progress(done, total, rate(done));
            }
        }

        void complete(long done) {
            listener.progress(done, total < 0 ? done : total, rate(done));
        }

        private double rate(long done) {
            double seconds = (System.nanoTime() - sessionStartNanos) / 1e9;
            long bytes = done - sessionStartBytes;
            return seconds <= 0 || bytes <= 0 ? 0 : bytes / seconds;
        }
    }
}
