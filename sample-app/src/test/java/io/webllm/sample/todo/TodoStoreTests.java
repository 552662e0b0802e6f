package io.webllm.sample.todo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class TodoStoreTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");

    @TempDir
    Path dir;

    private TodoStore open() {
        return new TodoStore(dir.resolve("todos.json"), JSON, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void aRestartLosesNothing() {
        TodoStore store = open();
        store.add("buy milk");
        Todo plants = store.add("  water the plants ");
        store.add("call mum");
        store.complete(plants.id());
        store.delete(3);

        TodoStore reopened = open();

        assertThat(reopened.list()).isEqualTo(store.list());
        assertThat(reopened.list()).extracting(Todo::title).containsExactly("buy milk", "water the plants");
        assertThat(reopened.list().get(1).done()).isTrue();
        assertThat(reopened.list().get(1).completedAt()).isEqualTo(NOW);
        assertThat(reopened.openCount()).isEqualTo(1);
    }

    @Test
    void idsAreNeverReusedEvenAfterARestart() {
        TodoStore store = open();
        store.add("one");
        store.add("two");
        store.delete(2);

        Todo next = open().add("three");

        assertThat(next.id()).isEqualTo(3);
    }

    @Test
    void theFileIsPlainJsonAndNoTemporaryFileIsLeftBehind() throws Exception {
        TodoStore store = open();
        store.add("buy milk");
        store.complete(1);

        JsonNode file = JSON.readTree(dir.resolve("todos.json").toFile());
        assertThat(file.path("nextId").asInt()).isEqualTo(2);
        assertThat(file.path("todos").get(0).path("title").stringValue()).isEqualTo("buy milk");
        assertThat(file.path("todos").get(0).path("done").booleanValue()).isTrue();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("todos.json");
        }
    }

    @Test
    void reopenUndoesComplete() {
        TodoStore store = open();
        Todo todo = store.add("file taxes");
        store.complete(todo.id());

        Todo reopened = store.reopen(todo.id());

        assertThat(reopened.done()).isFalse();
        assertThat(reopened.completedAt()).isNull();
        assertThat(store.openCount()).isEqualTo(1);
    }

    @Test
    void unknownIdsNameTheIdsThatExist() {
        TodoStore store = open();
        store.add("a");
        store.add("b");

        assertThatThrownBy(() -> store.complete(9))
                .isInstanceOf(TodoNotFoundException.class)
                .hasMessage("no to-do with id 9; the ids on the list are [1, 2]");
    }

    @Test
    void titlesMustHaveText() {
        TodoStore store = open();

        assertThatThrownBy(() -> store.add("   ")).hasMessageContaining("found 0");
        assertThatThrownBy(() -> store.add("x".repeat(TodoStore.MAX_TITLE_LENGTH + 1)))
                .hasMessageContaining("found " + (TodoStore.MAX_TITLE_LENGTH + 1));
        assertThat(store.list()).isEmpty();
    }

    @Test
    void aDamagedFileIsReportedWithItsPath() throws Exception {
        Files.writeString(dir.resolve("todos.json"), "{\"todos\": [");

        assertThatThrownBy(this::open)
                .isInstanceOf(TodoStoreException.class)
                .hasMessageContaining(dir.resolve("todos.json").toString());
    }

    @Test
    void changesStartWithTheCurrentListAndFollowEveryChange() {
        TodoStore store = open();
        store.add("first");
        List<List<Todo>> seen = new CopyOnWriteArrayList<>();
        Disposable subscription = store.changes().subscribe(seen::add);

        store.add("second");
        store.complete(1);
        subscription.dispose();

        assertThat(seen).hasSize(3);
        assertThat(seen.get(0)).extracting(Todo::title).containsExactly("first");
        assertThat(seen.get(1)).extracting(Todo::title).containsExactly("first", "second");
        assertThat(seen.get(2).getFirst().done()).isTrue();
    }
}
