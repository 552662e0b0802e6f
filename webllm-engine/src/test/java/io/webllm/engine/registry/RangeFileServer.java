package io.webllm.engine.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A real HTTP server on 127.0.0.1 serving one byte array under {@code /files/<name>}, with {@code Range} support
 * and switches for the failures a download has to survive: a connection cut after N bytes, Range ignored, error
 * statuses, a required bearer token, a redirect, and a pause in the middle of a response.
 */
final class RangeFileServer implements AutoCloseable {

    /** What one request asked for and what it got. */
    record Request(String path, @Nullable String range, @Nullable String authorization, int status) {
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");
    private static final int CHUNK = 8 * 1024;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private volatile byte[] content;
    private volatile boolean honourRange = true;
    private final AtomicInteger cutsLeft = new AtomicInteger();
    private volatile long cutAfterBytes;
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failureStatus;
    private volatile @Nullable String requiredToken;
    private volatile long pauseAfterBytes = -1;
    private volatile CountDownLatch pauseReached = new CountDownLatch(1);
    private volatile CountDownLatch resume = new CountDownLatch(0);
    private volatile @Nullable String linkedEtag;
    private volatile long linkedSize = -1;

    private RangeFileServer(byte[] content) throws IOException {
        this.content = content;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/files/", this::serveFile);
        server.createContext("/redirect/", this::redirect);
        server.setExecutor(executor);
        server.start();
    }

    static RangeFileServer serving(byte[] content) throws IOException {
        return new RangeFileServer(content);
    }

    URI url(String fileName) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/files/" + fileName);
    }

    URI redirectUrl(String fileName) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/redirect/" + fileName);
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    long fileRequests() {
        return requests.stream().filter(r -> r.path().startsWith("/files/")).count();
    }

    void content(byte[] content) {
        this.content = content;
    }

    void ignoreRange() {
        honourRange = false;
    }

    /** The next {@code times} responses stop after {@code bytes} body bytes and drop the connection. */
    void cutConnections(int times, long bytes) {
        cutAfterBytes = bytes;
        cutsLeft.set(times);
    }

    /** The next {@code times} requests get {@code status} instead of the file. */
    void fail(int times, int status) {
        failureStatus = status;
        failuresLeft.set(times);
    }

    /** Redirects carry {@code X-Linked-Etag} and {@code X-Linked-Size}, as Hugging Face sends for LFS files. */
    void declareOnRedirect(String etag, long size) {
        linkedEtag = etag;
        linkedSize = size;
    }

    void requireToken(String token) {
        requiredToken = token;
    }

    /** The next response stops after {@code bytes} body bytes until {@link #resumeResponses()}. */
    void pauseAfter(long bytes) {
        pauseReached = new CountDownLatch(1);
        resume = new CountDownLatch(1);
        pauseAfterBytes = bytes;
    }

    boolean awaitPause() throws InterruptedException {
        return pauseReached.await(10, TimeUnit.SECONDS);
    }

    void resumeResponses() {
        resume.countDown();
    }

    private void redirect(HttpExchange exchange) throws IOException {
        String name = exchange.getRequestURI().getPath().substring("/redirect/".length());
        requests.add(new Request(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Range"),
                exchange.getRequestHeaders().getFirst("Authorization"), 302));
        exchange.getResponseHeaders().add("Location", "/files/" + name);
        if (linkedEtag != null) {
            exchange.getResponseHeaders().add("X-Linked-Etag", linkedEtag);
            exchange.getResponseHeaders().add("X-Linked-Size", Long.toString(linkedSize));
        }
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private void serveFile(HttpExchange exchange) throws IOException {
        String range = exchange.getRequestHeaders().getFirst("Range");
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        String path = exchange.getRequestURI().getPath();
        byte[] body = content;
        try (exchange) {
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                respondText(exchange, failureStatus, "simulated failure", path, range, authorization);
                return;
            }
            String token = requiredToken;
            if (token != null && !("Bearer " + token).equals(authorization)) {
                exchange.getResponseHeaders().add("X-Error-Message", "Access to model is restricted");
                respondText(exchange, 401, "gated", path, range, authorization);
                return;
            }
            long start = 0;
            Matcher matcher = range == null ? null : RANGE.matcher(range);
            if (honourRange && matcher != null && matcher.matches()) {
                start = Long.parseLong(matcher.group(1));
                if (start >= body.length) {
                    exchange.getResponseHeaders().add("Content-Range", "bytes */" + body.length);
                    requests.add(new Request(path, range, authorization, 416));
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                exchange.getResponseHeaders().add("Content-Range",
                        "bytes " + start + "-" + (body.length - 1) + "/" + body.length);
                requests.add(new Request(path, range, authorization, 206));
                exchange.sendResponseHeaders(206, body.length - start);
            } else {
                requests.add(new Request(path, range, authorization, 200));
                exchange.sendResponseHeaders(200, body.length);
            }
            writeBody(exchange, body, (int) start);
        }
    }

    private void writeBody(HttpExchange exchange, byte[] body, int start) throws IOException {
        long cutAt = cutsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? cutAfterBytes : Long.MAX_VALUE;
        long pauseAt = pauseAfterBytes;
        pauseAfterBytes = -1;
        OutputStream out = exchange.getResponseBody();
        long written = 0;
        for (int position = start; position < body.length; ) {
            long limit = Math.min(cutAt, pauseAt >= 0 && written < pauseAt ? pauseAt : Long.MAX_VALUE);
            int length = (int) Math.min(Math.min(CHUNK, body.length - position), limit - written);
            if (length > 0) {
                out.write(body, position, length);
                position += length;
                written += length;
            }
            if (written == cutAt) {
                out.flush();
                // closing before all announced bytes are written makes the server drop the connection
                return;
            }
            if (pauseAt >= 0 && written == pauseAt) {
                out.flush();
                pauseReached.countDown();
                try {
                    if (!resume.await(30, TimeUnit.SECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                pauseAt = -1;
            }
        }
        out.flush();
    }

    private void respondText(HttpExchange exchange, int status, String text, String path, @Nullable String range,
            @Nullable String authorization) throws IOException {
        requests.add(new Request(path, range, authorization, status));
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        resume.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
