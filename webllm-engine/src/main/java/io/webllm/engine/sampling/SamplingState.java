package io.webllm.engine.sampling;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Everything one sequence carries from step to step: its parameters, its seed and how many draws it has made (the
 * draws' uniform numbers are {@link CounterUniform}'s), which tokens it has seen, and scratch buffers sized to the
 * vocabulary so that sampling allocates nothing per token.
 *
 * <p>Call {@link #acceptPrompt(int[])} once with the prompt and {@link #accept(int)} with every token generated
 * (including the one {@link Sampler#sample} just chose); the sampler reads the penalties' inputs from here. Not
 * thread-safe: a sequence is sampled by one thread at a time.
 */
public final class SamplingState {

    /** The PRNG that picks an unseeded request's seed. */
    static final String PRNG_ALGORITHM = "L64X128MixRandom";

    // resolution of top-p's histogram: 2048 buckets over 32 logit units, 1/64 of a unit each
    private static final int NUCLEUS_BUCKETS = 2048;

    private final SamplingParams params;
    private final int vocabularySize;
    private final long seed;
    // draws made so far: the next one's index in the seed's sequence of uniform numbers
    private long draws;

    // token -> occurrences among generated tokens (frequency / presence penalties)
    private final int[] generatedCounts;
    // bit per token: seen in prompt or output (repetition penalty)
    private final long[] seen;
    // distinct tokens in order of first sight, so penalties cost O(distinct) rather than O(vocabulary)
    private int[] seenTokens = new int[64];
    private int seenCount;
    private int generatedCount;

    private long @Nullable [] allowedTokens;

    // logit_bias unpacked once, so applying it allocates nothing per token
    private final int[] biasTokens;
    private final float[] biasValues;

    // scratch: candidate keys (see CandidateKeys), exp(logit - max) per token, top-p's histogram, raw logits
    final long[] keys;
    private final float[] weights;
    private final double[] bucketMass = new double[NUCLEUS_BUCKETS];
    private float @Nullable [] rawLogits;
    private @Nullable TokenLogprobs lastLogprobs;

    private SamplingState(SamplingParams params, int vocabularySize, long seed) {
        if (vocabularySize <= 0) {
            throw new IllegalArgumentException("expected a positive vocabulary size but found " + vocabularySize);
        }
        for (int token : params.logitBias().keySet()) {
            if (token >= vocabularySize) {
                throw new InvalidSamplingParameterException("logit_bias", "token id " + token
                        + " is outside the vocabulary of " + vocabularySize + " tokens");
            }
        }
        this.params = params;
        this.vocabularySize = vocabularySize;
        this.seed = seed;
        this.generatedCounts = new int[vocabularySize];
        this.seen = new long[(vocabularySize + 63) >>> 6];
        this.keys = new long[vocabularySize];
        this.weights = new float[vocabularySize];
        this.biasTokens = params.logitBias().keySet().stream().mapToInt(Integer::intValue).toArray();
        this.biasValues = new float[biasTokens.length];
        for (int i = 0; i < biasTokens.length; i++) {
            biasValues[i] = params.logitBias().get(biasTokens[i]);
        }
    }

    /** A state for one sequence; an unseeded request gets a fresh random seed, readable from {@link #seed()}. */
    public static SamplingState create(SamplingParams params, int vocabularySize) {
        Long requested = params.seed();
        long seed = requested != null ? requested : RandomGenerator.of(PRNG_ALGORITHM).nextLong();
        return new SamplingState(params, vocabularySize, seed);
    }

    public SamplingParams params() {
        return params;
    }

    public int vocabularySize() {
        return vocabularySize;
    }

    /** The seed in use: the request's, or the one drawn for an unseeded request (so a run can be repeated). */
    public long seed() {
        return seed;
    }

    /** Records prompt tokens: they count for the repetition penalty but not for frequency and presence. */
    public void acceptPrompt(int[] tokens) {
        for (int token : tokens) {
            markSeen(checkToken(token));
        }
    }

    /** How many draws this sequence has made: the index of its next uniform number. */
    public long draws() {
        return draws;
    }

    /**
     * Records a token drawn elsewhere with this sequence's next uniform number (on the device, opencl kernels/sample.cl,
     * from the same distribution), as {@link #accept} records one the host drew.
     */
    public void acceptDrawn(int token) {
        draws++;
        accept(token);
    }

    /** Records a generated token. */
    public void accept(int token) {
        markSeen(checkToken(token));
        generatedCounts[token]++;
        generatedCount++;
    }

    /**
     * Restricts the next {@link Sampler#sample} to the tokens whose bit is set ({@code mask[t >>> 6] >>> (t & 63)}),
     * as constrained decoding computes them. The mask applies to one draw only and is cleared by it, so a stale mask
     * can never constrain a later step.
     */
    public void allowOnly(long[] mask) {
        int words = (vocabularySize + 63) >>> 6;
        if (mask.length < words) {
            throw new IllegalArgumentException("expected an allowed-token mask of at least " + words
                    + " words for " + vocabularySize + " tokens but found " + mask.length);
        }
        allowedTokens = mask;
    }

    public int generatedCount() {
        return generatedCount;
    }

    /**
     * Copies the penalties' inputs into the given arrays (a device that draws with penalties updates its own copies):
     * the seen tokens as bits ({@code token >>> 6} a word, {@code 1L << (token & 63)} in it) and each token's count in
     * the generated text.
     */
    public void copyPenaltyState(long[] seenInto, int[] countsInto) {
        System.arraycopy(seen, 0, seenInto, 0, seen.length);
        System.arraycopy(generatedCounts, 0, countsInto, 0, generatedCounts.length);
    }

    /** How often the token occurs in the generated text. */
    public int generatedOccurrences(int token) {
        return generatedCounts[token];
    }

    /** Logprobs of the last sampled token, when the request asked for them; {@code null} otherwise. */
    public @Nullable TokenLogprobs lastLogprobs() {
        return lastLogprobs;
    }

    // --- for the sampler ---

    int[] biasTokens() {
        return biasTokens;
    }

    float[] biasValues() {
        return biasValues;
    }

    float[] weights() {
        return weights;
    }

    double[] bucketMass() {
        return bucketMass;
    }

    /** The uniform number of the next draw, in [0, 1). */
    double nextUniform() {
        return CounterUniform.at(seed, draws++);
    }

    int seenCount() {
        return seenCount;
    }

    int seenToken(int i) {
        return seenTokens[i];
    }

    long @Nullable [] takeAllowedTokens() {
        long[] mask = allowedTokens;
        allowedTokens = null;
        return mask;
    }

    float[] rawLogitsBuffer() {
        float[] buffer = rawLogits;
        if (buffer == null) {
            buffer = new float[vocabularySize];
            rawLogits = buffer;
        }
        return buffer;
    }

    void lastLogprobs(@Nullable TokenLogprobs logprobs) {
        lastLogprobs = logprobs;
    }

    private int checkToken(int token) {
        if (token < 0 || token >= vocabularySize) {
            throw new IllegalArgumentException("expected a token id in [0, " + vocabularySize + ") but found " + token);
        }
        return token;
    }

    private void markSeen(int token) {
        long bit = 1L << (token & 63);
        if ((seen[token >>> 6] & bit) != 0) {
            return;
        }
        seen[token >>> 6] |= bit;
        if (seenCount == seenTokens.length) {
            seenTokens = Arrays.copyOf(seenTokens, seenCount * 2);
        }
        seenTokens[seenCount++] = token;
    }
}
