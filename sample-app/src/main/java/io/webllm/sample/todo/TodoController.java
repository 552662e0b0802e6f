package io.webllm.sample.todo;

import java.time.Duration;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** The list for the page: read it, follow its changes live, and change it by hand. */
@RestController
@RequestMapping("/api/todos")
class TodoController {

    record NewTodo(@org.jspecify.annotations.Nullable String title) {
    }

    private final TodoStore store;

    TodoController(TodoStore store) {
        this.store = store;
    }

    @GetMapping
    List<Todo> list() {
        return store.list();
    }

    /** The whole list on connect and after every change; a comment every 15 s keeps proxies from closing it. */
    @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<List<Todo>>> events() {
        Flux<ServerSentEvent<List<Todo>>> changes = store.changes()
                .map(todos -> ServerSentEvent.builder(todos).event("todos").build());
        Flux<ServerSentEvent<List<Todo>>> heartbeat = Flux.interval(Duration.ofSeconds(15))
                .map(i -> ServerSentEvent.<List<Todo>>builder().comment("keep-alive").build());
        return changes.mergeWith(heartbeat);
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Mono<Todo> add(@RequestBody NewTodo todo) {
        String title = todo.title();
        if (title == null) {
            throw new IllegalArgumentException("expected a JSON body with a 'title', found none");
        }
        return blocking(() -> store.add(title));
    }

    @PostMapping("/{id}/complete")
    Mono<Todo> complete(@PathVariable int id) {
        return blocking(() -> store.complete(id));
    }

    @PostMapping("/{id}/reopen")
    Mono<Todo> reopen(@PathVariable int id) {
        return blocking(() -> store.reopen(id));
    }

    @DeleteMapping("/{id}")
    Mono<Todo> delete(@PathVariable int id) {
        return blocking(() -> store.delete(id));
    }

    /** Changes write the file (and fsync it): off the event loop. */
    private static Mono<Todo> blocking(java.util.concurrent.Callable<Todo> change) {
        return Mono.fromCallable(change).subscribeOn(Schedulers.boundedElastic());
    }
}
