package io.webllm.sample.chat;

import io.webllm.sample.model.ModelNotReadyException;
import io.webllm.sample.todo.TodoNotFoundException;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Errors of the page's {@code /api} as {@code {"error": message}} with a fitting status. */
@RestControllerAdvice(basePackages = {"io.webllm.sample.chat", "io.webllm.sample.todo"})
class ApiErrors {

    @ExceptionHandler(TodoNotFoundException.class)
    ResponseEntity<Map<String, String>> notFound(TodoNotFoundException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", e.getMessage()));
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<Map<String, String>> invalid(IllegalArgumentException e) {
        return ResponseEntity.badRequest().body(Map.of("error", String.valueOf(e.getMessage())));
    }

    @ExceptionHandler(ModelNotReadyException.class)
    ResponseEntity<Map<String, String>> notReady(ModelNotReadyException e) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("error", e.getMessage()));
    }
}
