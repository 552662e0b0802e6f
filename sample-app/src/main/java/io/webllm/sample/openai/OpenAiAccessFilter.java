package io.webllm.sample.openai;

import io.webllm.sample.SampleProperties;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Guards {@code /v1}: the bearer key when {@code webllm.sample.api-key} is set, and a declared body size over the
 * limit refused before it is read (a body without a length is cut off while reading, see the controller).
 */
@Component
class OpenAiAccessFilter implements WebFilter {

    private final byte[] apiKey;
    private final long maxRequestBytes;

    OpenAiAccessFilter(SampleProperties properties) {
        String key = properties.apiKey();
        this.apiKey = key == null || key.isBlank() ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
        this.maxRequestBytes = properties.maxRequestSize().toBytes();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!exchange.getRequest().getPath().pathWithinApplication().value().startsWith("/v1/")) {
            return chain.filter(exchange);
        }
        if (apiKey.length > 0 && !authorized(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION))) {
            return reject(exchange.getResponse(), new OpenAiException(HttpStatus.UNAUTHORIZED, "invalid_request_error",
                    null, "invalid_api_key", "expected an API key as 'Authorization: Bearer <key>' (this server's"
                    + " webllm.sample.api-key), found " + (exchange.getRequest().getHeaders()
                    .containsHeader(HttpHeaders.AUTHORIZATION) ? "a different one" : "none")));
        }
        if (exchange.getRequest().getHeaders().getContentLength() > maxRequestBytes) {
            return reject(exchange.getResponse(), new OpenAiException(HttpStatus.PAYLOAD_TOO_LARGE,
                    "invalid_request_error", null, "request_too_large", "the request body has "
                    + exchange.getRequest().getHeaders().getContentLength() + " bytes; this server accepts at most "
                    + maxRequestBytes + " (webllm.sample.max-request-size)"));
        }
        return chain.filter(exchange);
    }

    private boolean authorized(@Nullable String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = header.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, apiKey); // constant time: no timing hints about the key
    }

    private static Mono<Void> reject(ServerHttpResponse response, OpenAiException error) {
        response.setStatusCode(error.status());
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        if (error.status() == HttpStatus.UNAUTHORIZED) {
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        byte[] body = OpenAiResponses.error(error).toString().getBytes(StandardCharsets.UTF_8);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
