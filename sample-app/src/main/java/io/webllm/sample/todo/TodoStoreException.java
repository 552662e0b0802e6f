package io.webllm.sample.todo;

/** The to-do file could not be read or written; the message names the file. */
public class TodoStoreException extends RuntimeException {

    public TodoStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
