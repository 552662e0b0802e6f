package io.webllm.sample.todo;

/** A tool or request named a to-do id that the list does not have. */
public class TodoNotFoundException extends RuntimeException {

    public TodoNotFoundException(int id, java.util.Collection<Integer> known) {
        super("no to-do with id " + id + "; the ids on the list are " + known);
    }
}
