package io.webllm.spring.ai;

import io.webllm.engine.chat.ChatMessage;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.chat.ToolCall;
import io.webllm.engine.chat.ToolChoice;
import io.webllm.engine.chat.ToolDefinition;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;

/** Turns a Spring AI prompt (messages and merged options) into the engine's {@link ChatRequest}. */
final class ChatRequestMapper {

    private ChatRequestMapper() {
    }

    static ChatRequest toRequest(List<Message> messages, WebLlmChatOptions options,
            List<org.springframework.ai.tool.definition.ToolDefinition> tools) {
        ChatRequest.Builder b = ChatRequest.builder()
                .messages(toEngineMessages(messages))
                .maxTokens(options.getMaxTokens())
                .temperature(options.getTemperature())
                .topP(options.getTopP())
                .topK(options.getTopK())
                .minP(options.getMinP())
                .seed(options.getSeed())
                .frequencyPenalty(options.getFrequencyPenalty())
                .presencePenalty(options.getPresencePenalty())
                .repetitionPenalty(options.getRepetitionPenalty())
                .topLogprobs(options.getTopLogprobs())
                .toolChoice(effectiveToolChoice(messages, options.getToolChoice()))
                .enableThinking(options.getEnableThinking());
        if (options.getStopSequences() != null) {
            b.stop(options.getStopSequences());
        }
        if (options.getLogitBias() != null) {
            b.logitBias(options.getLogitBias());
        }
        if (options.getLogprobs() != null) {
            b.logprobs(options.getLogprobs());
        }
        if (options.getN() != null) {
            b.n(options.getN());
        }
        if (options.getResponseFormat() != null) {
            b.responseFormat(options.getResponseFormat());
        }
        ToolChoice choice = options.getToolChoice();
        // tool_choice none means the model must not see the tools at all, as OpenAI treats it
        if (choice == null || choice.mode() != ToolChoice.Mode.NONE) {
            b.tools(tools.stream().map(t -> new ToolDefinition(t.name(), t.description(), t.inputSchema())).toList());
        }
        return b.build();
    }

    /**
     * A forced tool choice ({@code required} or a named function) holds until the tools have answered: when the last
     * message is a tool result it becomes {@code auto}, so that the model can answer with their results. Otherwise
     * {@code ChatClient}'s tool-calling advisor, which sends the same options every round, would loop for ever.
     */
    static @Nullable ToolChoice effectiveToolChoice(List<Message> messages, @Nullable ToolChoice choice) {
        boolean forced = choice != null
                && (choice.mode() == ToolChoice.Mode.REQUIRED || choice.mode() == ToolChoice.Mode.FUNCTION);
        boolean toolsAnswered = !messages.isEmpty() && messages.getLast().getMessageType() == MessageType.TOOL;
        return forced && toolsAnswered ? ToolChoice.AUTO : choice;
    }

    static List<ChatMessage> toEngineMessages(List<Message> messages) {
        List<ChatMessage> result = new ArrayList<>(messages.size());
        for (Message message : messages) {
            switch (message.getMessageType()) {
                case SYSTEM -> result.add(ChatMessage.system(text(message)));
                case USER -> {
                    if (message instanceof UserMessage user && !user.getMedia().isEmpty()) {
                        throw new IllegalArgumentException("webllm models read text only, but a user message has "
                                + user.getMedia().size() + " media attachment(s) ("
                                + user.getMedia().getFirst().getMimeType() + ")");
                    }
                    result.add(ChatMessage.user(text(message)));
                }
                case ASSISTANT -> {
                    AssistantMessage assistant = (AssistantMessage) message;
                    List<ToolCall> calls = assistant.getToolCalls().stream()
                            .map(c -> new ToolCall(c.id(), c.name(), c.arguments()))
                            .toList();
                    result.add(ChatMessage.assistant(text(message), calls));
                }
                case TOOL -> {
                    if (!(message instanceof ToolResponseMessage tool)) {
                        throw new IllegalArgumentException("expected a ToolResponseMessage for a message of type "
                                + "TOOL but found " + message.getClass().getName());
                    }
                    tool.getResponses().forEach(r -> result.add(ChatMessage.tool(r.id(), r.name(), r.responseData())));
                }
            }
        }
        return result;
    }

    private static String text(Message message) {
        String text = message.getText();
        return text == null ? "" : text;
    }
}
