package io.webllm.sample.openai;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/** Unknown paths and wrong methods under {@code /v1} answered in OpenAI's error format, not Spring's. */
@RestController
class OpenAiFallbackController {

    @RequestMapping("/v1/**")
    void unknown(ServerWebExchange exchange) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (path.equals("/v1/chat/completions") || path.startsWith("/v1/models")) {
            throw new OpenAiException(HttpStatus.METHOD_NOT_ALLOWED, "invalid_request_error", null,
                    "method_not_allowed", exchange.getRequest().getMethod() + " is not allowed on " + path);
        }
        throw new OpenAiException(HttpStatus.NOT_FOUND, "invalid_request_error", null, "unknown_url",
                "Unknown request URL: " + exchange.getRequest().getMethod() + " " + path);
    }
}
