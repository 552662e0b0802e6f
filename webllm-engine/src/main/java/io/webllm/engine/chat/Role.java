package io.webllm.engine.chat;

/** Who wrote a message; {@link #TOOL} carries a tool's result back to the model. */
public enum Role {
    SYSTEM, USER, ASSISTANT, TOOL;

    /** The lower-case name chat templates and OpenAI use. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
