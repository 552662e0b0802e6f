package io.webllm.engine.sampling;

/**
 * Applies the mask that constrained decoding set with {@link SamplingState#allowOnly(long[])}: tokens whose bit is
 * clear get -infinity. Whole words of allowed tokens are skipped, so a mostly-open mask costs little.
 */
public final class AllowedTokenMaskProcessor implements LogitProcessor {

    @Override
    public void process(float[] logits, SamplingState state) {
        long[] mask = state.takeAllowedTokens();
        if (mask == null) {
            return;
        }
        int vocabulary = state.vocabularySize();
        for (int word = 0, words = (vocabulary + 63) >>> 6; word < words; word++) {
            long forbidden = ~mask[word];
            int base = word << 6;
            while (forbidden != 0) {
                int token = base + Long.numberOfTrailingZeros(forbidden);
                if (token >= vocabulary) {
                    break;
                }
                logits[token] = Float.NEGATIVE_INFINITY;
                forbidden &= forbidden - 1;
            }
        }
    }
}
