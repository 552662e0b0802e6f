package io.webllm.sample.todo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The to-do list, kept in one JSON file. Every change rewrites the file through a temporary file and an atomic move,
 * so a crash leaves either the old list or the new one, never half of one. Changes are published to
 * {@link #changes()} for the page's live list.
 */
public final class TodoStore {

    /** The file's content: {@code nextId} survives deletions so ids are never reused. */
    record Snapshot(int nextId, List<Todo> todos) {
    }

    static final int MAX_TITLE_LENGTH = 200;

    private final Path file;
    private final JsonMapper json;
    private final Clock clock;
    private final Map<Integer, Todo> todos = new LinkedHashMap<>();
    private final Sinks.Many<List<Todo>> changes = Sinks.many().replay().latest();
    private int nextId = 1;

    public TodoStore(Path file, JsonMapper json, Clock clock) {
        this.file = file.toAbsolutePath().normalize();
        this.json = json;
        this.clock = clock;
        load();
        changes.tryEmitNext(List.copyOf(todos.values()));
    }

    public Path file() {
        return file;
    }

    public synchronized List<Todo> list() {
        return List.copyOf(todos.values());
    }

    public synchronized long openCount() {
        return todos.values().stream().filter(t -> !t.done()).count();
    }

    public synchronized Todo add(String title) {
        String clean = title.strip();
        if (clean.isEmpty() || clean.length() > MAX_TITLE_LENGTH) {
            throw new IllegalArgumentException("a to-do title needs 1 to " + MAX_TITLE_LENGTH
                    + " characters, found " + clean.length());
        }
        Todo todo = new Todo(nextId, clean, false, clock.instant(), null);
        nextId++;
        todos.put(todo.id(), todo);
        saved();
        return todo;
    }

    public synchronized Todo complete(int id) {
        Todo todo = find(id).completed(clock.instant());
        todos.put(id, todo);
        saved();
        return todo;
    }

    public synchronized Todo reopen(int id) {
        Todo todo = find(id).reopened();
        todos.put(id, todo);
        saved();
        return todo;
    }

    public synchronized Todo delete(int id) {
        Todo todo = find(id);
        todos.remove(id);
        saved();
        return todo;
    }

    /** The current list on subscription, then the whole list after every change. */
    public Flux<List<Todo>> changes() {
        return changes.asFlux();
    }

    private Todo find(int id) {
        Todo todo = todos.get(id);
        if (todo == null) {
            throw new TodoNotFoundException(id, todos.keySet());
        }
        return todo;
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        try {
            Snapshot snapshot = json.readValue(file.toFile(), Snapshot.class);
            for (Todo todo : snapshot.todos()) {
                todos.put(todo.id(), todo);
            }
            int highest = todos.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
            nextId = Math.max(snapshot.nextId(), highest + 1);
        } catch (JacksonException e) {
            throw new TodoStoreException("expected a to-do list as JSON in " + file + " but could not read it: "
                    + e.getOriginalMessage(), e);
        }
    }

    private void saved() {
        List<Todo> current = List.copyOf(todos.values());
        write(new Snapshot(nextId, current));
        changes.tryEmitNext(current);
    }

    private void write(Snapshot snapshot) {
        try {
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp");
            try {
                byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(snapshot);
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    channel.force(true); // the bytes are on disk before the name points at them
                }
                moveIntoPlace(temp);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new TodoStoreException("could not write the to-do list to " + file + ": " + e, e);
        }
    }

    private void moveIntoPlace(Path temp) throws IOException {
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
