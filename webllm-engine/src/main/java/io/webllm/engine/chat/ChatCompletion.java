package io.webllm.engine.chat;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** A finished completion: one choice per requested {@code n}, and the usage of all of them. */
public record ChatCompletion(String id, String model, long createdEpochSeconds, List<Choice> choices, Usage usage) {

    /**
     * @param reasoning the model's thinking ({@code <think>} text of reasoning models), kept apart from the answer
     * @param logprobs  per generated token, when requested
     */
    public record Choice(int index, String content, @Nullable String reasoning, List<ToolCall> toolCalls,
            FinishReason finishReason, @Nullable List<TokenLogprob> logprobs) {
    }
}
