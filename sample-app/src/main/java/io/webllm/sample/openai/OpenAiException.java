package io.webllm.sample.openai;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** An error answered in OpenAI's format: {@code {"error": {"message", "type", "param", "code"}}}. */
public class OpenAiException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final @Nullable String param;
    private final @Nullable String code;

    public OpenAiException(HttpStatus status, String type, @Nullable String param, @Nullable String code,
            String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    public static OpenAiException invalid(String param, String message) {
        return new OpenAiException(HttpStatus.BAD_REQUEST, "invalid_request_error", param, null, message);
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    public @Nullable String param() {
        return param;
    }

    public @Nullable String code() {
        return code;
    }
}
