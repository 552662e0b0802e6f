package io.webllm.sample.chat;

import io.webllm.sample.model.ModelLoader;
import io.webllm.sample.model.ModelStatus;
import java.time.Duration;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

/** The model's download and load progress for the page's progress bar. */
@RestController
@RequestMapping("/api/model")
class ModelController {

    private final ModelLoader loader;

    ModelController(ModelLoader loader) {
        this.loader = loader;
    }

    @GetMapping
    ModelStatus status() {
        return loader.status();
    }

    /** Progress at most ten times a second; the stream ends once the model is ready or has failed. */
    @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<ModelStatus>> events() {
        return loader.statuses()
                .sample(Duration.ofMillis(100))
                .map(status -> ServerSentEvent.builder(status).event("status").build());
    }
}
