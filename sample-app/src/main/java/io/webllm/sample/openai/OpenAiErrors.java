package io.webllm.sample.openai;

import io.webllm.engine.chat.EngineBusyException;
import io.webllm.engine.chat.InvalidRequestException;
import io.webllm.sample.model.ModelNotReadyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.core.JacksonException;

/** Every failure of {@code /v1} as OpenAI's error JSON with the status code OpenAI would use. */
@RestControllerAdvice(assignableTypes = {OpenAiController.class, OpenAiFallbackController.class})
@Order(Ordered.HIGHEST_PRECEDENCE)
class OpenAiErrors {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiErrors.class);

    @ExceptionHandler(Throwable.class)
    ResponseEntity<String> handle(Throwable failure) {
        OpenAiException error = translate(failure);
        return ResponseEntity.status(error.status())
                .contentType(MediaType.APPLICATION_JSON)
                .body(OpenAiResponses.error(error).toString());
    }

    static OpenAiException translate(Throwable failure) {
        return switch (failure) {
            case OpenAiException e -> e;
            case InvalidRequestException e -> OpenAiException.invalid(e.field(), e.getMessage());
            case JacksonException e -> new OpenAiException(HttpStatus.BAD_REQUEST, "invalid_request_error", null,
                    "invalid_json", "expected a JSON request body: " + e.getOriginalMessage());
            case DataBufferLimitException e -> new OpenAiException(HttpStatus.PAYLOAD_TOO_LARGE,
                    "invalid_request_error", null, "request_too_large", "the request body is larger than this server"
                    + " accepts (webllm.sample.max-request-size)");
            case EngineBusyException e -> new OpenAiException(HttpStatus.TOO_MANY_REQUESTS, "requests", null,
                    "rate_limit_exceeded", e.getMessage());
            case ModelNotReadyException e -> new OpenAiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", null,
                    "model_not_ready", e.getMessage());
            case ResponseStatusException e -> new OpenAiException(HttpStatus.valueOf(e.getStatusCode().value()),
                    "invalid_request_error", null, null, e.getReason() == null ? e.getMessage() : e.getReason());
            default -> {
                LOG.error("/v1 request failed", failure);
                yield new OpenAiException(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", null, null,
                        "the server failed to answer (" + failure.getClass().getSimpleName() + "); see its log");
            }
        };
    }
}
