package io.webllm.engine.chat;

/** The request queue is full; clients should retry later (HTTP 429/503). */
public class EngineBusyException extends RuntimeException {

    public EngineBusyException(String message) {
        super(message);
    }
}
