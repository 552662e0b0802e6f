package io.webllm.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.model.tool.autoconfigure.ToolCallingAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** A model of {@code webllm.registry} downloaded from a local HTTP server at startup, with progress events. */
class ModelDownloadTests {

    @TempDir
    Path dir;

    private final byte[] file = new byte[300_000];
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer server;
    private RecordingEngineFactory factory;
    private ApplicationContextRunner runner;

    @BeforeEach
    void start() throws IOException, NoSuchAlgorithmException {
        new Random(7).nextBytes(file);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/models/tiny.gguf", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, file.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(file);
            }
        });
        server.start();
        factory = new RecordingEngineFactory();
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ToolCallingAutoConfiguration.class,
                        WebLlmAutoConfiguration.class))
                .withBean(ChatEngineFactory.class, () -> factory)
                .withBean(WebLlmAutoConfigurationTests.Events.class, WebLlmAutoConfigurationTests.Events::new)
                .withPropertyValues("webllm.cache-directory=" + dir,
                        "webllm.registry.tiny.url=http://127.0.0.1:" + server.getAddress().getPort()
                                + "/models/tiny.gguf",
                        "webllm.registry.tiny.size=" + file.length + "B", "webllm.registry.tiny.sha256=" + sha256,
                        "webllm.chat.model=tiny");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aMissingModelIsDownloadedVerifiedAndLoadedWithProgressEvents() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            var events = context.getBean(WebLlmAutoConfigurationTests.Events.class)
                    .of(ModelDownloadProgressEvent.class);
            assertThat(events.getFirst().getStage()).isEqualTo(ModelDownloadProgressEvent.Stage.STARTED);
            assertThat(events.getFirst().getTotalBytes()).isEqualTo(file.length);
            ModelDownloadProgressEvent last = events.getLast();
            assertThat(last.getStage()).isEqualTo(ModelDownloadProgressEvent.Stage.FINISHED);
            assertThat(last.getModelName()).isEqualTo("webLlmChatModel");
            assertThat(last.getReference()).isEqualTo("tiny");
            assertThat(last.getFraction()).isEqualTo(1.0);
            assertThat(Files.readAllBytes(last.getPath())).isEqualTo(file);
            assertThat(factory.loads.getFirst().modelFile()).isEqualTo(last.getPath());
            assertThat(factory.loads.getFirst().modelId()).isEqualTo("tiny");
        });
        // the second start finds the file in the cache
        runner.run(context -> assertThat(context).hasNotFailed());
        assertThat(requests).hasValue(1);
    }

    @Test
    void withDownloadsForbiddenStartupFailsSayingWhereToPutTheFile() {
        runner.withPropertyValues("webllm.download-policy=never").run(context -> {
            assertThat(context).hasFailed();
            Throwable cause = context.getStartupFailure();
            while (cause.getCause() != null && !(cause instanceof ModelLoadException)) {
                cause = cause.getCause();
            }
            assertThat(cause).isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("model 'webLlmChatModel' (tiny)")
                    .hasMessageContaining("download policy is NEVER")
                    .hasMessageContaining("/models/tiny.gguf")
                    .hasMessageContaining(dir.toString());
        });
        assertThat(requests).hasValue(0);
    }
}
