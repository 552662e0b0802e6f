package io.webllm.sample.page;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.webllm.sample.SampleApplication;
import io.webllm.sample.ScriptedChatEngine;
import io.webllm.sample.model.EngineFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The progress bar in a real browser while the model downloads (from a local HTTP server that holds back the second
 * half of the file) and then loads (an engine factory that waits half way), until the chat is ready.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = SampleApplication.class,
        properties = {"webllm.sample.download=if-missing",
                "webllm.sample.data-directory=target/test-data/${random.uuid}"})
@Import(ModelProgressPageTests.GatedEngine.class)
class ModelProgressPageTests {

    private static final Path STORIES = Path.of(System.getProperty("webllm.testdata"), "models", "stories260K.gguf");
    private static final CountDownLatch SEND_REST = new CountDownLatch(1);
    private static final CountDownLatch FINISH_LOADING = new CountDownLatch(1);
    private static HttpServer server;
    private static Path cache;
    private static WebDriver browser;

    @LocalServerPort
    int port;

    /** Reports half the upload, then waits for the test to let it finish. */
    @TestConfiguration(proxyBeanMethods = false)
    static class GatedEngine {
        @Bean
        @Primary
        EngineFactory gatedEngineFactory() {
            return (file, modelId, listener) -> {
                listener.progress("upload", 1, 2);
                await(FINISH_LOADING);
                listener.progress("upload", 2, 2);
                return new ScriptedChatEngine(modelId, Duration.ofMillis(10));
            };
        }
    }

    @DynamicPropertySource
    static void modelFromALocalServer(DynamicPropertyRegistry registry) throws IOException {
        byte[] model = Files.readAllBytes(STORIES);
        int half = model.length / 2;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/stories260K.gguf", exchange -> {
            exchange.sendResponseHeaders(200, model.length);
            try (OutputStream body = exchange.getResponseBody()) {
                // slowly, as a real download: the store reports progress at most every 100 ms, as bytes arrive
                int piece = half / 6;
                for (int at = 0; at < half; at += piece) {
                    body.write(model, at, Math.min(piece, half - at));
                    body.flush();
                    pause(150);
                }
                await(SEND_REST);
                body.write(model, half, model.length - half);
            }
        });
        server.start();
        cache = Files.createTempDirectory("webllm-progress-test");
        registry.add("webllm.chat.model", () -> "http://127.0.0.1:" + server.getAddress().getPort()
                + "/stories260K.gguf");
        registry.add("webllm.sample.model-cache", cache::toString);
    }

    @BeforeAll
    static void startBrowser() {
        browser = Browsers.headlessChromium();
    }

    @AfterAll
    static void stopAll() {
        SEND_REST.countDown();
        FINISH_LOADING.countDown();
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.stop(0);
        }
        if (cache != null) {
            org.springframework.util.FileSystemUtils.deleteRecursively(cache.toFile());
        }
    }

    @Test
    void theBarFollowsTheDownloadThenTheLoadThenGivesWayToTheChat() throws IOException {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15), Duration.ofMillis(20));
        browser.get("http://localhost:" + port + "/");
        WebElement status = browser.findElement(By.id("model-status"));
        WebElement bar = browser.findElement(By.id("progress"));

        wait.until(d -> status.getText().startsWith("Downloading") && Long.parseLong(bar.getAttribute("value")) > 0);
        assertThat(status.getText()).matches("Downloading stories260K: 0\\.\\d MB of 1\\.1 MB");
        assertThat(Long.parseLong(bar.getAttribute("max"))).isEqualTo(STORIES.toFile().length());
        assertThat(Long.parseLong(bar.getAttribute("value"))).isLessThanOrEqualTo(STORIES.toFile().length() / 2);
        assertThat(browser.findElement(By.id("input")).isEnabled()).isFalse();

        SEND_REST.countDown();
        wait.until(ExpectedConditions.textToBe(By.id("model-status"), "Loading stories260K onto the device: 50%"));
        assertThat(bar.getAttribute("value")).isEqualTo("1");
        assertThat(bar.getAttribute("max")).isEqualTo("2");
        Browsers.screenshot(browser, "sample-app-loading.png", false);

        FINISH_LOADING.countDown();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("input")));
        assertThat(status.isDisplayed()).isFalse();
        try (var files = Files.walk(cache)) {
            assertThat(files.filter(f -> f.toString().endsWith("stories260K.gguf")))
                    .singleElement().satisfies(f -> assertThat(f).hasSameBinaryContentAs(STORIES));
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test did not release the model in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while waiting", e));
        }
    }
}
