package io.webllm.sample.todo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.method.MethodToolCallbackProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The tools as the model sees them: through Spring AI's method tool callbacks, with JSON in and out. */
class TodoToolsTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private TodoStore store;
    private Map<String, ToolCallback> tools;

    @BeforeEach
    void setUp() {
        store = new TodoStore(dir.resolve("todos.json"), JSON, Clock.systemUTC());
        tools = Arrays.stream(MethodToolCallbackProvider.builder().toolObjects(new TodoTools(store)).build()
                        .getToolCallbacks())
                .collect(Collectors.toMap(t -> t.getToolDefinition().name(), Function.identity()));
    }

    @Test
    void theModelSeesSixToolsWithTheirParameters() {
        assertThat(tools).containsOnlyKeys("list_todos", "add_todo", "complete_todo", "reopen_todo", "delete_todo",
                "count_open_todos");
        JsonNode add = JSON.readTree(tools.get("add_todo").getToolDefinition().inputSchema());
        assertThat(add.path("properties").path("title").path("type").stringValue()).isEqualTo("string");
        assertThat(add.path("required").get(0).stringValue()).isEqualTo("title");
        JsonNode complete = JSON.readTree(tools.get("complete_todo").getToolDefinition().inputSchema());
        assertThat(complete.path("properties").path("id").path("type").stringValue()).isEqualTo("integer");
    }

    @Test
    void addCompleteReopenDeleteAndCountChangeTheStore() {
        JsonNode added = JSON.readTree(tools.get("add_todo").call("{\"title\": \"buy milk\"}"));
        tools.get("add_todo").call("{\"title\": \"call mum\"}");
        int id = added.path("id").asInt();

        assertThat(tools.get("complete_todo").call("{\"id\": " + id + "}")).contains("'buy milk' is done");
        assertThat(store.list().getFirst().done()).isTrue();
        assertThat(tools.get("count_open_todos").call("{}")).isEqualTo("1");

        tools.get("reopen_todo").call("{\"id\": " + id + "}");
        assertThat(tools.get("count_open_todos").call("{}")).isEqualTo("2");

        tools.get("delete_todo").call("{\"id\": " + id + "}");
        JsonNode listed = JSON.readTree(tools.get("list_todos").call("{}"));
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("title").stringValue()).isEqualTo("call mum");
    }

    @Test
    void aWrongIdIsAnsweredSoTheModelCanCorrectItself() {
        tools.get("add_todo").call("{\"title\": \"only one\"}");

        String answer = tools.get("complete_todo").call("{\"id\": 42}");

        assertThat(answer).contains("no to-do with id 42").contains("[1]");
        assertThat(store.openCount()).isEqualTo(1);
    }
}
