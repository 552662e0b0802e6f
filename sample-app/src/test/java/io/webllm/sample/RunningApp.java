package io.webllm.sample;

import static org.awaitility.Awaitility.await;

import io.webllm.sample.model.ModelLoader;
import io.webllm.sample.model.ModelStatus;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * The whole app on a random port with the scripted engine; subclasses share one context. The model reference is
 * the real stories260K file, so the loader's resolution runs offline against shared test data.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = SampleApplication.class,
        properties = {
                "webllm.chat.model=${webllm.testdata}/models/stories260K.gguf",
                "webllm.sample.download=never",
                "webllm.sample.data-directory=target/test-data/${random.uuid}",
                "webllm.sample.api-key=" + RunningApp.API_KEY,
                "webllm.sample.max-tokens=" + RunningApp.MAX_TOKENS,
                "webllm.sample.max-request-size=64KB"})
@Import(ScriptedEngineConfiguration.class)
public abstract class RunningApp {

    public static final String API_KEY = "sk-test-sample";
    public static final int MAX_TOKENS = 512;
    public static final String MODEL = "stories260K";

    @LocalServerPort
    protected int port;

    @Autowired
    protected ScriptedChatEngine engine;

    @Autowired
    protected ModelLoader loader;

    @BeforeEach
    void modelIsReady() {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> loader.status().phase() == ModelStatus.Phase.READY
                        || loader.status().phase() == ModelStatus.Phase.FAILED);
        if (loader.status().phase() == ModelStatus.Phase.FAILED) {
            throw new IllegalStateException("the model did not load: " + loader.status().message());
        }
    }

    protected String baseUrl() {
        return "http://localhost:" + port;
    }
}
