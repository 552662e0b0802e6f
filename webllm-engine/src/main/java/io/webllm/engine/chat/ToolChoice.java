package io.webllm.engine.chat;

import org.jspecify.annotations.Nullable;

/**
 * Whether and which tools the model must call: {@code none}, {@code auto}, {@code required}, or one named function.
 * {@code required} and a named function are enforced by constrained decoding.
 */
public record ToolChoice(Mode mode, @Nullable String function) {

    public enum Mode { NONE, AUTO, REQUIRED, FUNCTION }

    public static final ToolChoice NONE = new ToolChoice(Mode.NONE, null);
    public static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);
    public static final ToolChoice REQUIRED = new ToolChoice(Mode.REQUIRED, null);

    public static ToolChoice function(String name) {
        return new ToolChoice(Mode.FUNCTION, name);
    }
}
