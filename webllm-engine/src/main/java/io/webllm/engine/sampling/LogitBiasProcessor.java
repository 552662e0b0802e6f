package io.webllm.engine.sampling;

/**
 * Adds {@code logit_bias}. OpenAI documents -100 as a ban, so -100 sets the logit to -infinity rather than relying
 * on the model's logits being small enough for the subtraction to win.
 */
public final class LogitBiasProcessor implements LogitProcessor {

    /** The bias that bans a token outright. */
    public static final float BAN = -100f;

    @Override
    public void process(float[] logits, SamplingState state) {
        int[] tokens = state.biasTokens();
        float[] biases = state.biasValues();
        for (int i = 0; i < tokens.length; i++) {
            logits[tokens[i]] = biases[i] <= BAN ? Float.NEGATIVE_INFINITY : logits[tokens[i]] + biases[i];
        }
    }
}
