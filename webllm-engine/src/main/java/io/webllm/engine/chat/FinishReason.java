package io.webllm.engine.chat;

/** Why generation ended, with OpenAI's names (plus WebLLM's {@code abort} for a cancelled request). */
public enum FinishReason {
    STOP, LENGTH, TOOL_CALLS, ABORT;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
