package io.webllm.engine.registry;

import io.webllm.engine.output.ToolCallFormat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTests {

    private static final int SIZE = 256 * 1024;
    private static final String FILE = "tiny-model-q4_k_m.gguf";

    @TempDir
    Path cache;

    private final byte[] content = randomBytes(SIZE, 42);
    private RangeFileServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = RangeFileServer.serving(content);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void downloadsTheWholeFileReportingProgressAndLeavesNoPartFile() throws IOException {
        RecordingListener listener = new RecordingListener();
        Path path = store().resolve(new ModelReference.Remote(server.url(FILE)), DownloadPolicy.IF_MISSING, listener);

        assertThat(Files.readAllBytes(path)).isEqualTo(content);
        assertThat(path).isEqualTo(cache.resolve("127.0.0.1_" + server.url(FILE).getPort()).resolve(FILE));
        assertThat(partOf(path)).doesNotExist();
        assertThat(listener.started).containsExactly((long) SIZE);
        assertThat(listener.progress).isNotEmpty();
        assertThat(listener.progress).isSortedAccordingTo(Long::compare);
        assertThat(listener.progress.getLast()).isEqualTo(SIZE);
        assertThat(listener.totals).containsOnly((long) SIZE);
        assertThat(listener.finished).containsExactly(path);
    }

    @Test
    void resumesWithARangeRequestAfterTheServerCutsTheConnectionMidFile() throws IOException {
        server.cutConnections(1, SIZE / 2);
        DownloadSource source = new DownloadSource(server.url(FILE), FILE, (long) SIZE, sha256(content));

        Path path = resolve(source, DownloadPolicy.IF_MISSING);

        assertThat(Files.readAllBytes(path)).isEqualTo(content);
        List<RangeFileServer.Request> requests = server.requests();
        assertThat(requests).extracting(RangeFileServer.Request::status).containsExactly(200, 206);
        assertThat(requests.getFirst().range()).isNull();
        // the client may lose the last buffer before the cut, so it resumes at what reached the disk
        assertThat(rangeStart(requests.get(1))).isPositive().isLessThanOrEqualTo(SIZE / 2);
    }

    @Test
    void restartsFromTheBeginningWhenTheServerIgnoresRange() throws IOException {
        server.ignoreRange();
        server.cutConnections(1, SIZE / 2);
        DownloadSource source = new DownloadSource(server.url(FILE), FILE, (long) SIZE, sha256(content));

        Path path = resolve(source, DownloadPolicy.IF_MISSING);

        assertThat(Files.readAllBytes(path)).isEqualTo(content);
        List<RangeFileServer.Request> requests = server.requests();
        assertThat(requests).hasSize(2);
        assertThat(rangeStart(requests.get(1))).isPositive().isLessThanOrEqualTo(SIZE / 2);
        assertThat(requests.get(1).status()).isEqualTo(200);
    }

    @Test
    void resumesAPartFileLeftByAnEarlierRunAndHashesItsPrefix() throws IOException {
        DownloadSource source = new DownloadSource(server.url(FILE), FILE, (long) SIZE, sha256(content));
        Path target = store().cachePath(source);
        Files.createDirectories(target.getParent());
        Files.write(partOf(target), Arrays.copyOf(content, 1000));

        Path path = resolve(source, DownloadPolicy.IF_MISSING);

        assertThat(Files.readAllBytes(path)).isEqualTo(content);
        assertThat(server.requests()).extracting(RangeFileServer.Request::range).containsExactly("bytes=1000-");
    }

    @Test
    void aCompletePartFileOfUnknownSizeIsFinishedWithoutDownloadingItAgain() throws IOException {
        DownloadSource source = new DownloadSource(server.url(FILE), FILE, null, sha256(content));
        Path target = store().cachePath(source);
        Files.createDirectories(target.getParent());
        Files.write(partOf(target), content);

        Path path = resolve(source, DownloadPolicy.IF_MISSING);

        assertThat(Files.readAllBytes(path)).isEqualTo(content);
        assertThat(partOf(target)).doesNotExist();
        assertThat(server.requests()).extracting(RangeFileServer.Request::range, RangeFileServer.Request::status)
                .containsExactly(tuple("bytes=" + SIZE + "-", 416));
    }

    @Test
    void rejectsADownloadWithTheWrongSha256AndLeavesNothingInTheCache() throws IOException {
        String expected = sha256(randomBytes(SIZE, 7));
        DownloadSource source = new DownloadSource(server.url(FILE), FILE, null, expected);
        Path target = store().cachePath(source);

        assertThatThrownBy(() -> resolve(source, DownloadPolicy.IF_MISSING))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining("sha256 mismatch")
                .hasMessageContaining("expected " + expected)
                .hasMessageContaining("found " + sha256(content));
        assertThat(target).doesNotExist();
        assertThat(partOf(target)).doesNotExist();
    }

    @Test
    void rejectsADownloadWithTheWrongSize() throws IOException {
        DownloadSource source = new DownloadSource(server.url(FILE), FILE, (long) SIZE + 1, null);
        Path target = store().cachePath(source);

        assertThatThrownBy(() -> resolve(source, DownloadPolicy.IF_MISSING))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining("size mismatch")
                .hasMessageContaining("expected " + (SIZE + 1))
                .hasMessageContaining(String.valueOf(SIZE));
        assertThat(target).doesNotExist();
        assertThat(partOf(target)).doesNotExist();
    }

    @Test
    void reportsNotFoundClearlyAndDoesNotRetryIt() {
        server.fail(1, 404);
        URI url = server.url(FILE);

        assertThatThrownBy(() -> store().resolve(new ModelReference.Remote(url), DownloadPolicy.IF_MISSING,
                DownloadListener.NONE))
                .isInstanceOfSatisfying(ModelDownloadException.class, e -> assertThat(e.statusCode()).isEqualTo(404))
                .hasMessageContaining("HTTP 404")
                .hasMessageContaining(url.toString());
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void retriesServerErrorsWithBackoffAndThenSucceeds() throws IOException {
        server.fail(2, 503);

        Path path = resolve(new DownloadSource(server.url(FILE), FILE, null, null), DownloadPolicy.IF_MISSING);

        assertThat(Files.readAllBytes(path)).isEqualTo(content);
        assertThat(server.requests()).extracting(RangeFileServer.Request::status).containsExactly(503, 503, 200);
    }

    @Test
    void gatedRepositoryNeedsTheTokenWhichIsOnlySentToTheConfiguredHosts() throws IOException {
        server.requireToken("hf_secret");
        DownloadSource source = new DownloadSource(server.url(FILE), FILE, null, null);

        assertThatThrownBy(() -> store().resolve(new ModelReference.Remote(source.url()), DownloadPolicy.IF_MISSING,
                DownloadListener.NONE))
                .isInstanceOfSatisfying(ModelDownloadException.class, e -> assertThat(e.statusCode()).isEqualTo(401))
                .hasMessageContaining("HF_TOKEN")
                .hasMessageContaining("Access to model is restricted");
        // a token configured for Hugging Face must not be sent to 127.0.0.1
        ModelStore huggingFaceOnly = storeBuilder().bearerToken("hf_secret").build();
        assertThatThrownBy(() -> huggingFaceOnly.resolve(new ModelReference.Remote(source.url()),
                DownloadPolicy.IF_MISSING, DownloadListener.NONE)).isInstanceOf(ModelDownloadException.class);
        assertThat(server.requests()).extracting(RangeFileServer.Request::authorization).containsOnlyNulls();

        ModelStore withToken = storeBuilder().bearerToken("hf_secret").tokenHosts(Set.of("127.0.0.1")).build();
        Path path = withToken.resolve(new ModelReference.Remote(source.url()), DownloadPolicy.IF_MISSING,
                DownloadListener.NONE);

        assertThat(Files.readAllBytes(path)).isEqualTo(content);
        assertThat(server.requests().getLast().authorization()).isEqualTo("Bearer hf_secret");
    }

    @Test
    void followsRedirectsToTheFile() throws IOException {
        Path path = resolve(new DownloadSource(server.redirectUrl(FILE), FILE, (long) SIZE, sha256(content)),
                DownloadPolicy.IF_MISSING);

        assertThat(Files.readAllBytes(path)).isEqualTo(content);
        assertThat(server.requests()).extracting(RangeFileServer.Request::status).containsExactly(302, 200);
    }

    @Test
    void aStalledConnectionIsDroppedAfterTheReadTimeoutAndResumed() throws IOException {
        server.pauseAfter(SIZE / 2); // and never resumes this response
        ModelStore store = storeBuilder().readTimeout(Duration.ofMillis(300)).build();

        Path path = store.resolve(new ModelReference.Remote(server.url(FILE)), DownloadPolicy.IF_MISSING,
                DownloadListener.NONE);

        assertThat(Files.readAllBytes(path)).isEqualTo(content);
        assertThat(server.requests()).extracting(RangeFileServer.Request::status).containsExactly(200, 206);
        assertThat(rangeStart(server.requests().get(1))).isEqualTo(SIZE / 2);
    }

    @Test
    void theHashAndSizeTheServerDeclaresVerifyADownloadWithoutARegistryHash() throws IOException {
        server.declareOnRedirect("\"" + sha256(content) + "\"", SIZE);
        server.cutConnections(1, SIZE / 3);

        Path path = store().resolve(new ModelReference.Remote(server.redirectUrl(FILE)), DownloadPolicy.IF_MISSING,
                DownloadListener.NONE);

        assertThat(Files.readAllBytes(path)).isEqualTo(content);
    }

    @Test
    void aDownloadThatDoesNotMatchTheDeclaredHashIsRejected() {
        String declared = sha256(randomBytes(SIZE, 5));
        server.declareOnRedirect("\"" + declared + "\"", SIZE);
        ModelReference.Remote reference = new ModelReference.Remote(server.redirectUrl(FILE));
        Path target = store().cachePath(reference.source());

        assertThatThrownBy(() -> store().resolve(reference, DownloadPolicy.IF_MISSING, DownloadListener.NONE))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining("expected " + declared + " (declared by 127.0.0.1)")
                .hasMessageContaining("found " + sha256(content));
        assertThat(target).doesNotExist();
        assertThat(partOf(target)).doesNotExist();
    }

    @Test
    void aRegistryHashThatContradictsTheDeclaredOneFailsBeforeDownloading() {
        String pinned = sha256(randomBytes(SIZE, 6));
        server.declareOnRedirect("\"" + sha256(content) + "\"", SIZE);
        DownloadSource source = new DownloadSource(server.redirectUrl(FILE), FILE, null, pinned);

        assertThatThrownBy(() -> resolve(source, DownloadPolicy.IF_MISSING))
                .isInstanceOf(ModelIntegrityException.class)
                .hasMessageContaining("expected " + pinned)
                .hasMessageContaining("declares " + sha256(content))
                .hasMessageContaining("changed upstream");
        assertThat(server.fileRequests()).isZero();
    }

    @Test
    void ifMissingUsesTheCachedFileAndAlwaysDownloadsItAgain() throws IOException {
        DownloadSource source = new DownloadSource(server.url(FILE), FILE, null, null);
        Path first = resolve(source, DownloadPolicy.IF_MISSING);
        Path second = resolve(source, DownloadPolicy.IF_MISSING);

        assertThat(second).isEqualTo(first);
        assertThat(server.fileRequests()).isEqualTo(1);

        byte[] updated = randomBytes(SIZE / 2, 99);
        server.content(updated);
        Path third = resolve(source, DownloadPolicy.ALWAYS);

        assertThat(third).isEqualTo(first);
        assertThat(server.fileRequests()).isEqualTo(2);
        assertThat(Files.readAllBytes(third)).isEqualTo(updated);
    }

    @Test
    void neverWithTheFileMissingSaysWhichFileToPutWhere() {
        DownloadSource source = new DownloadSource(server.url(FILE), FILE, null, null);
        Path expected = store().cachePath(source);

        assertThatThrownBy(() -> resolve(source, DownloadPolicy.NEVER))
                .isInstanceOfSatisfying(ModelNotAvailableException.class, e -> {
                    assertThat(e.expectedPath()).isEqualTo(expected);
                    assertThat(e.url()).isEqualTo(source.url());
                })
                .hasMessageContaining(expected.toString())
                .hasMessageContaining(source.url().toString())
                .hasMessageContaining("NEVER");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void neverWithTheFileCachedReturnsItWithoutNetwork() throws IOException {
        DownloadSource source = new DownloadSource(server.url(FILE), FILE, null, null);
        Path target = store().cachePath(source);
        Files.createDirectories(target.getParent());
        Files.write(target, content);

        assertThat(resolve(source, DownloadPolicy.NEVER)).isEqualTo(target);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void anUnreachableServerIsReportedAsNotAvailableWithThePathAndUrl() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + closedPort + "/files/" + FILE);
        DownloadSource source = new DownloadSource(url, FILE, null, null);

        assertThatThrownBy(() -> resolve(source, DownloadPolicy.IF_MISSING))
                .isInstanceOf(ModelNotAvailableException.class)
                .hasMessageContaining(store().cachePath(source).toString())
                .hasMessageContaining(url.toString());
    }

    @Test
    void twoConcurrentResolvesDownloadTheFileOnce() throws Exception {
        server.pauseAfter(SIZE / 4);
        DownloadSource source = new DownloadSource(server.url(FILE), FILE, (long) SIZE, sha256(content));
        ModelStore store = store();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<Path> first = threads.submit(() -> store.resolve(new ModelReference.Remote(source.url()),
                    DownloadPolicy.IF_MISSING, DownloadListener.NONE));
            assertThat(server.awaitPause()).isTrue();
            AtomicReference<Thread> secondThread = new AtomicReference<>();
            Future<Path> second = threads.submit(() -> {
                secondThread.set(Thread.currentThread());
                return store.resolve(new ModelReference.Remote(source.url()), DownloadPolicy.IF_MISSING,
                        DownloadListener.NONE);
            });
            awaitWaiting(secondThread);
            server.resumeResponses();

            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(second.get(10, TimeUnit.SECONDS));
        } finally {
            threads.shutdownNow();
        }
        assertThat(server.fileRequests()).isEqualTo(1);
        assertThat(Files.readAllBytes(store.cachePath(source))).isEqualTo(content);
    }

    @Test
    void aDownloadThatAnotherProcessIsDoingIsAwaitedNotRepeated() throws Exception {
        DownloadSource source = new DownloadSource(server.url(FILE), FILE, (long) SIZE, null);
        ModelStore store = store();
        Path target = store.cachePath(source);
        Path staged = Files.write(cache.resolve("staged.bin"), content);
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        Process other = new ProcessBuilder(javaCommand, "-cp", System.getProperty("java.class.path"),
                LockHoldingProcess.class.getName(), target.toString(), staged.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            var fromOther = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            assertThat(fromOther.readLine()).isEqualTo("locked");
            ExecutorService threads = Executors.newSingleThreadExecutor();
            try {
                Future<Path> resolved = threads.submit(() -> store.resolve(new ModelReference.Remote(source.url()),
                        DownloadPolicy.IF_MISSING, DownloadListener.NONE));
                Thread.sleep(300);
                assertThat(resolved).isNotDone();

                other.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
                other.getOutputStream().flush();

                assertThat(resolved.get(20, TimeUnit.SECONDS)).isEqualTo(target);
            } finally {
                threads.shutdownNow();
            }
            assertThat(other.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(other.exitValue()).isZero();
        } finally {
            other.destroyForcibly();
        }
        assertThat(Files.readAllBytes(target)).isEqualTo(content);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void interruptingTheThreadCancelsAndKeepsThePartFileForALaterResume() throws Exception {
        server.pauseAfter(SIZE / 2);
        DownloadSource source = new DownloadSource(server.url(FILE), FILE, (long) SIZE, sha256(content));
        ModelStore store = store();
        Path part = partOf(store.cachePath(source));
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread downloader = Thread.ofPlatform().start(() -> {
            try {
                store.resolve(new ModelReference.Remote(source.url()), DownloadPolicy.IF_MISSING,
                        DownloadListener.NONE);
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        assertThat(server.awaitPause()).isTrue();
        awaitSize(part, SIZE / 2);

        downloader.interrupt();
        downloader.join(10_000);

        assertThat(downloader.isAlive()).isFalse();
        assertThat(outcome.get()).isInstanceOf(DownloadCancelledException.class);
        assertThat(part).hasSize(SIZE / 2);

        server.resumeResponses();
        Path path = resolve(source, DownloadPolicy.IF_MISSING);

        assertThat(Files.readAllBytes(path)).isEqualTo(content);
        assertThat(server.requests().getLast().range()).isEqualTo("bytes=" + SIZE / 2 + "-");
    }

    @Test
    void registryIdsResolveThroughTheRegistry() throws IOException {
        ModelRegistry registry = ModelRegistry.empty();
        registry.register(new ModelRecord("tiny-test", "Tiny test model", server.url(FILE), FILE, (long) SIZE,
                sha256(content), "Q4_K_M", 2048, "llama", ToolCallFormat.NONE));
        ModelStore store = storeBuilder().registry(registry).build();

        Path path = store.resolve("tiny-test", DownloadPolicy.IF_MISSING, DownloadListener.NONE);

        assertThat(Files.readAllBytes(path)).isEqualTo(content);
        assertThat(store.isAvailable(registry.resolve("tiny-test"))).isTrue();
    }

    @Test
    void localFilesAreUsedInPlaceAndAMissingOneIsNamed() throws IOException {
        Path local = Files.write(cache.resolve("mine.gguf"), content);
        ModelStore store = store();

        assertThat(store.resolve(local.toString(), DownloadPolicy.NEVER, DownloadListener.NONE)).isEqualTo(local);
        Path missing = cache.resolve("nowhere.gguf");
        assertThatThrownBy(() -> store.resolve(missing.toString(), DownloadPolicy.IF_MISSING, DownloadListener.NONE))
                .isInstanceOf(ModelNotAvailableException.class)
                .hasMessageContaining(missing.toString());
    }

    private Path resolve(DownloadSource source, DownloadPolicy policy) {
        ModelRegistry registry = ModelRegistry.empty();
        registry.register(new ModelRecord("under-test", "Model under test", source.url(), source.fileName(),
                source.sizeBytes(), source.sha256(), "Q4_K_M", 2048, "llama", ToolCallFormat.NONE));
        return storeBuilder().registry(registry).build().resolve("under-test", policy, DownloadListener.NONE);
    }

    private ModelStore store() {
        return storeBuilder().build();
    }

    private ModelStore.Builder storeBuilder() {
        return ModelStore.builder()
                .cacheDirectory(cache)
                .registry(ModelRegistry.empty())
                .bearerToken(null)
                .maxRetries(3)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
                .connectTimeout(Duration.ofSeconds(5))
                .requestTimeout(Duration.ofSeconds(10));
    }

    private static long rangeStart(RangeFileServer.Request request) {
        assertThat(request.range()).matches("bytes=\\d+-");
        return Long.parseLong(request.range().substring("bytes=".length(), request.range().length() - 1));
    }

    private static Path partOf(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    private static void awaitWaiting(AtomicReference<Thread> thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Thread t = thread.get();
            if (t != null && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING)) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("second resolve never waited for the first");
    }

    private static void awaitSize(Path file, long size) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file) && Files.size(file) == size) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError(file + " never reached " + size + " bytes");
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keeps every callback for the assertions. */
    static final class RecordingListener implements DownloadListener {
        final List<Long> started = new CopyOnWriteArrayList<>();
        final List<Long> progress = new CopyOnWriteArrayList<>();
        final List<Long> totals = new CopyOnWriteArrayList<>();
        final List<Path> finished = new CopyOnWriteArrayList<>();

        @Override
        public void started(long totalBytes) {
            started.add(totalBytes);
        }

        @Override
        public void progress(long bytesDone, long totalBytes, double bytesPerSecond) {
            progress.add(bytesDone);
            totals.add(totalBytes);
        }

        @Override
        public void finished(Path path) {
            finished.add(path);
        }
    }
}
