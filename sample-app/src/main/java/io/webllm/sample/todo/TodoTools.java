package io.webllm.sample.todo;

import java.util.List;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.annotation.ToolParam;

/**
 * What the assistant may do with the list. Each tool answers in words a small model can repeat, and a wrong id is
 * answered with the ids that exist instead of an exception, so the model can correct itself in the next step.
 */
public class TodoTools {

    private final TodoStore store;

    public TodoTools(TodoStore store) {
        this.store = store;
    }

    @Tool(name = "list_todos", description = "List all to-dos with their id, title and whether they are done.")
    public List<Todo> listTodos() {
        return store.list();
    }

    @Tool(name = "add_todo", description = "Add a new open to-do with the given title.")
    public Todo addTodo(@ToolParam(description = "what needs doing, e.g. 'buy milk'") String title) {
        return store.add(title);
    }

    @Tool(name = "complete_todo", description = "Mark the to-do with the given id as done.")
    public String completeTodo(@ToolParam(description = "the to-do's id") int id) {
        return describe(id, () -> store.complete(id), "done");
    }

    @Tool(name = "reopen_todo", description = "Mark the to-do with the given id as open again.")
    public String reopenTodo(@ToolParam(description = "the to-do's id") int id) {
        return describe(id, () -> store.reopen(id), "open again");
    }

    @Tool(name = "delete_todo", description = "Delete the to-do with the given id.")
    public String deleteTodo(@ToolParam(description = "the to-do's id") int id) {
        return describe(id, () -> store.delete(id), "deleted");
    }

    @Tool(name = "count_open_todos", description = "Count the to-dos that are not done yet.")
    public long countOpenTodos() {
        return store.openCount();
    }

    private String describe(int id, java.util.function.Supplier<Todo> change, String outcome) {
        try {
            Todo todo = change.get();
            return "to-do " + todo.id() + " '" + todo.title() + "' is " + outcome;
        } catch (TodoNotFoundException e) {
            return e.getMessage();
        }
    }
}
