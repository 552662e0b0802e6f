package io.webllm.sample.openai;

import io.webllm.engine.chat.ChatChunk;
import io.webllm.engine.chat.ChatEngine;
import io.webllm.sample.SampleProperties;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * OpenAI's chat completions and models endpoints over the application's {@link ChatEngine}. The body is read with
 * a size limit and mapped field by field; nothing in it names a file or a model to load: {@code model} must be the
 * one this server runs.
 */
@RestController
@RequestMapping("/v1")
class OpenAiController {

    private final ChatEngine engine;
    private final SampleProperties properties;
    private final JsonMapper json;
    private final long startedEpochSeconds = Instant.now().getEpochSecond();

    OpenAiController(ChatEngine engine, SampleProperties properties, JsonMapper json) {
        this.engine = engine;
        this.properties = properties;
        this.json = json;
    }

    @GetMapping(path = "/models", produces = MediaType.APPLICATION_JSON_VALUE)
    String models() {
        return OpenAiResponses.models(engine.modelId(), startedEpochSeconds).toString();
    }

    @GetMapping(path = "/models/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    String model(@PathVariable String id) {
        requireModel(id);
        return OpenAiResponses.model(id, startedEpochSeconds).toString();
    }

    @PostMapping(path = "/chat/completions")
    Mono<ResponseEntity<?>> completions(ServerWebExchange exchange) {
        return DataBufferUtils.join(exchange.getRequest().getBody(), (int) properties.maxRequestSize().toBytes())
                .switchIfEmpty(Mono.error(() -> OpenAiException.invalid("", "expected a JSON request body, found none")))
                .map(this::readJson)
                .flatMap(body -> {
                    OpenAiRequests.Parsed parsed = OpenAiRequests.parse(body, properties.maxTokens());
                    requireModel(parsed.model());
                    return parsed.stream() ? Mono.just(stream(parsed)) : complete(parsed);
                });
    }

    private Mono<ResponseEntity<?>> complete(OpenAiRequests.Parsed parsed) {
        return Mono.fromCallable(() -> engine.complete(parsed.request()))
                .subscribeOn(Schedulers.boundedElastic()) // complete() blocks until the answer is done
                .map(completion -> ResponseEntity.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .body(OpenAiResponses.completion(completion).toString()));
    }

    /**
     * Server-sent events ending with {@code [DONE]}. An error before the first chunk fails the response, so it gets
     * a proper status; a later one can only be sent as an error event. Cancelling (the client went away) cancels the
     * engine's stream, which stops generation.
     */
    private ResponseEntity<?> stream(OpenAiRequests.Parsed parsed) {
        OpenAiResponses.ChunkWriter writer = new OpenAiResponses.ChunkWriter(parsed.includeUsage());
        AtomicBoolean sent = new AtomicBoolean();
        Flux<ChatChunk> chunks = Flux.defer(() -> JdkFlowAdapter.flowPublisherToFlux(engine.stream(parsed.request())))
                .subscribeOn(Schedulers.boundedElastic());
        Flux<ServerSentEvent<String>> events = chunks
                .<ServerSentEvent<String>>handle((chunk, sink) -> {
                    var node = writer.write(chunk);
                    if (node != null) {
                        sent.set(true);
                        sink.next(ServerSentEvent.builder(node.toString()).build());
                    }
                })
                .concatWith(Mono.just(ServerSentEvent.builder("[DONE]").build()))
                .onErrorResume(e -> sent.get()
                        ? Mono.just(ServerSentEvent.builder(OpenAiResponses.error(OpenAiErrors.translate(e)).toString()).build())
                        : Mono.error(e));
        return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(events);
    }

    private JsonNode readJson(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return json.readTree(bytes);
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    private void requireModel(String model) {
        if (!model.equals(engine.modelId())) {
            throw new OpenAiException(HttpStatus.NOT_FOUND, "invalid_request_error", "model", "model_not_found",
                    "The model '" + model + "' does not exist on this server; it runs '" + engine.modelId() + "'");
        }
    }
}
