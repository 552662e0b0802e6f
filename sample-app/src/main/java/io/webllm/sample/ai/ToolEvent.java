package io.webllm.sample.ai;

/** A tool the assistant called in a chat, with the arguments it chose and what the tool answered. */
public record ToolEvent(String chatId, String name, String arguments, String result) {
}
