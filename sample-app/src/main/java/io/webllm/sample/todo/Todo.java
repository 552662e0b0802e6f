package io.webllm.sample.todo;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** One item of the list; {@code id}s are never reused, so the assistant cannot act on a deleted item by mistake. */
public record Todo(int id, String title, boolean done, Instant createdAt, @Nullable Instant completedAt) {

    Todo completed(Instant when) {
        return new Todo(id, title, true, createdAt, when);
    }

    Todo reopened() {
        return new Todo(id, title, false, createdAt, null);
    }
}
