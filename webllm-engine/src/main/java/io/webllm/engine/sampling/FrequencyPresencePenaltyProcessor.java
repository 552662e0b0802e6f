package io.webllm.engine.sampling;

/**
 * OpenAI's penalties over the generated tokens (the prompt does not count):
 * {@code logit[j] -= count[j] * frequency_penalty + (count[j] > 0 ? 1 : 0) * presence_penalty}.
 */
public final class FrequencyPresencePenaltyProcessor implements LogitProcessor {

    @Override
    public void process(float[] logits, SamplingState state) {
        float frequency = (float) state.params().frequencyPenalty();
        float presence = (float) state.params().presencePenalty();
        if (frequency == 0f && presence == 0f) {
            return;
        }
        for (int i = 0, n = state.seenCount(); i < n; i++) {
            int token = state.seenToken(i);
            int count = state.generatedOccurrences(token);
            if (count > 0) {
                logits[token] -= count * frequency + presence;
            }
        }
    }
}
