package io.webllm.engine.chat;

import java.util.List;

/** The log-probability of a generated token and of the most likely alternatives at its position. */
public record TokenLogprob(String token, float logprob, byte[] bytes, List<Alternative> topLogprobs) {

    public record Alternative(String token, float logprob, byte[] bytes) {
    }
}
