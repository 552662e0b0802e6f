package io.webllm.engine.sampling;

/**
 * llama.cpp's (and CTRL's) repetition penalty over every token seen in the prompt or the output: a positive logit
 * is divided by the penalty and a negative one multiplied, so a penalty above 1 always makes the token less likely.
 * llama.cpp limits this to a window of recent tokens ({@code repeat_last_n}); here the whole sequence counts, as in
 * Hugging Face transformers.
 */
public final class RepetitionPenaltyProcessor implements LogitProcessor {

    @Override
    public void process(float[] logits, SamplingState state) {
        float penalty = (float) state.params().repetitionPenalty();
        if (penalty == 1f) {
            return;
        }
        for (int i = 0, n = state.seenCount(); i < n; i++) {
            int token = state.seenToken(i);
            float logit = logits[token];
            logits[token] = logit > 0 ? logit / penalty : logit * penalty;
        }
    }
}
