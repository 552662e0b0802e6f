package io.webllm.engine.chat;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One streamed piece of a completion. Deltas carry only what is new; a choice's last chunk has its finish reason.
 * The stream's last chunk has {@code usage} and no choices.
 */
public record ChatChunk(String id, String model, long createdEpochSeconds, List<Delta> choices, @Nullable Usage usage) {

    /**
     * @param toolCalls calls completed in this step (each is whole: name and full arguments)
     */
    public record Delta(int index, @Nullable String content, @Nullable String reasoning, List<ToolCall> toolCalls,
            @Nullable FinishReason finishReason, @Nullable List<TokenLogprob> logprobs) {
    }
}
