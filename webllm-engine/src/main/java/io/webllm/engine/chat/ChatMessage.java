package io.webllm.engine.chat;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One message of a conversation.
 *
 * @param content    text; may be empty for an assistant message that only calls tools
 * @param toolCalls  the calls an assistant message made (empty otherwise)
 * @param toolCallId for a {@link Role#TOOL} message, the id of the call it answers
 * @param name       for a {@link Role#TOOL} message, the tool's name (some templates print it)
 */
public record ChatMessage(Role role, String content, List<ToolCall> toolCalls, @Nullable String toolCallId,
        @Nullable String name) {

    public ChatMessage {
        toolCalls = List.copyOf(toolCalls);
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content, List.of(), null, null);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content, List.of(), null, null);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content, List.of(), null, null);
    }

    public static ChatMessage assistant(String content, List<ToolCall> toolCalls) {
        return new ChatMessage(Role.ASSISTANT, content, toolCalls, null, null);
    }

    public static ChatMessage tool(String toolCallId, String name, String content) {
        return new ChatMessage(Role.TOOL, content, List.of(), toolCallId, name);
    }
}
