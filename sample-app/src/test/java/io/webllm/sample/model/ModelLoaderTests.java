package io.webllm.sample.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.webllm.engine.registry.DownloadPolicy;
import io.webllm.engine.registry.ModelStore;
import io.webllm.sample.ScriptedChatEngine;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The background load: download progress from a real HTTP server, then load progress, then ready or a reason. */
class ModelLoaderTests {

    private static final Path STORIES = Path.of(System.getProperty("webllm.testdata"), "models", "stories260K.gguf");

    @TempDir
    Path cache;

    private final ScriptedChatEngine engine = new ScriptedChatEngine("stories260K", Duration.ZERO);

    private ModelStore store() {
        return ModelStore.builder().cacheDirectory(cache).build();
    }

    private static List<ModelStatus> run(ModelLoader loader) {
        loader.start();
        return loader.statuses().collectList().block(Duration.ofSeconds(30));
    }

    @Test
    void aUrlIsDownloadedWithProgressThenLoaded() throws Exception {
        byte[] model = Files.readAllBytes(STORIES);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/stories260K.gguf", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, model.length);
            try (OutputStream body = exchange.getResponseBody()) {
                for (int at = 0; at < model.length; at += 64 * 1024) {
                    body.write(model, at, Math.min(64 * 1024, model.length - at));
                    body.flush();
                }
            }
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/stories260K.gguf";
            ModelLoader loader = new ModelLoader(url, store(), DownloadPolicy.IF_MISSING,
                    (file, id, listener) -> {
                        assertThat(file).startsWith(cache);
                        assertThat(file).hasBinaryContent(model);
                        listener.progress("upload", 1, 2);
                        listener.progress("upload", 2, 2);
                        return engine;
                    });

            List<ModelStatus> statuses = run(loader);

            assertThat(loader.modelId()).isEqualTo("stories260K");
            assertThat(statuses).extracting(ModelStatus::phase).containsSubsequence(ModelStatus.Phase.WAITING,
                    ModelStatus.Phase.DOWNLOADING, ModelStatus.Phase.LOADING, ModelStatus.Phase.READY);
            ModelStatus lastDownload = statuses.stream().filter(s -> s.phase() == ModelStatus.Phase.DOWNLOADING)
                    .reduce((a, b) -> b).orElseThrow();
            assertThat(lastDownload.total()).isEqualTo(model.length);
            assertThat(lastDownload.done()).isEqualTo(model.length);
            assertThat(statuses).contains(new ModelStatus(ModelStatus.Phase.LOADING, "stories260K", 2, 2, "upload"));
            assertThat(loader.engine()).isSameAs(engine);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aLocalFileIsUsedWhereItIs() {
        ModelLoader loader = new ModelLoader(STORIES.toString(), store(), DownloadPolicy.NEVER, (file, id, listener) -> {
            assertThat(file).isEqualTo(STORIES.toAbsolutePath().normalize());
            return engine;
        });

        assertThat(run(loader).getLast().phase()).isEqualTo(ModelStatus.Phase.READY);
    }

    @Test
    void aModelThatCannotBeHadFailsWithWhatToDo() {
        ModelLoader loader = new ModelLoader("qwen2.5-0.5b-instruct-q4_k_m", store(), DownloadPolicy.NEVER,
                (file, id, listener) -> engine);

        ModelStatus last = run(loader).getLast();

        assertThat(last.phase()).isEqualTo(ModelStatus.Phase.FAILED);
        assertThat(last.message()).contains("not in the cache").contains("webllm.chat.model to a local .gguf file");
        assertThatThrownBy(loader::engine).isInstanceOf(ModelNotReadyException.class)
                .hasMessageContaining("could not be loaded");
    }

    @Test
    void anEngineThatCannotStartIsReportedWithItsReason() {
        ModelLoader loader = new ModelLoader(STORIES.toString(), store(), DownloadPolicy.NEVER, (file, id, listener) -> {
            throw new UnsatisfiedLinkError("no OpenCL in java.library.path");
        });

        ModelStatus last = run(loader).getLast();

        assertThat(last.phase()).isEqualTo(ModelStatus.Phase.FAILED);
        assertThat(last.message()).contains("OpenCL runtime could not be loaded").contains("pocl-opencl-icd");
    }

    @Test
    void theModelIdIsTheRegistryIdOrTheFileName() {
        assertThat(ModelLoader.idOf("qwen2.5-0.5b-instruct-q4_k_m")).isEqualTo("qwen2.5-0.5b-instruct-q4_k_m");
        assertThat(ModelLoader.idOf("/models/Llama-3.2-1B.Q4_K_M.gguf")).isEqualTo("Llama-3.2-1B.Q4_K_M");
        assertThat(ModelLoader.idOf("C:\\models\\phi.gguf")).isEqualTo("phi");
        assertThat(ModelLoader.idOf("https://host/org/repo/resolve/main/tiny.gguf?download=true")).isEqualTo("tiny");
    }

    @Test
    void requestsBeforeTheModelIsReadyAreRefusedWithProgress() {
        ModelLoader loader = new ModelLoader(STORIES.toString(), store(), DownloadPolicy.NEVER, (f, i, l) -> engine);

        assertThatThrownBy(loader::engine).isInstanceOf(ModelNotReadyException.class)
                .hasMessageContaining("not ready yet (waiting)");
    }
}
