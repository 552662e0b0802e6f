package io.webllm.engine.sampling;

import java.util.ArrayList;
import java.util.List;

/**
 * The standard sampler: the {@link LogitProcessor} chain, then temperature (0 takes the argmax), then top-k, top-p
 * and min-p truncation in that order, each on the distribution the previous one left, then one draw: the sequence's
 * next uniform number ({@link CounterUniform}) times the kept weights' total, walked in id order (candidates most
 * likely first after top-k or top-p). The device draws the same tokens from the same logits (opencl kernels/sample.cl:
 * SampleKernelTests compares them draw for draw).
 *
 * <p>Temperature comes before truncation, as in OpenAI's API and Hugging Face transformers, so {@code top_p} and
 * {@code min_p} see the distribution that is actually drawn from. (llama.cpp's default chain applies temperature
 * last; with top-k alone the two orders agree.)
 *
 * <p>Per token this costs a few linear passes over the vocabulary, one exponential per token at most, and no
 * allocation (apart from the logprobs record when the request asks for logprobs): top-k is a bounded heap, top-p
 * without top-k sorts only the tokens of the histogram buckets its mass needs, and min-p is a threshold on the
 * logit.
 */
public final class LogitSampler implements Sampler {

    static final AllowedTokenMaskProcessor MASK = new AllowedTokenMaskProcessor();

    private final List<LogitProcessor> processors;
    private final LogprobsSource logprobsSource;

    public LogitSampler(List<LogitProcessor> processors, LogprobsSource logprobsSource) {
        this.processors = List.copyOf(processors);
        this.logprobsSource = logprobsSource;
    }

    @Override
    public int sample(float[] logits, SamplingState state) {
        int vocabulary = state.vocabularySize();
        if (logits.length < vocabulary) {
            throw new IllegalArgumentException("expected logits for " + vocabulary + " tokens but found "
                    + logits.length);
        }
        SamplingParams params = state.params();
        boolean modelLogprobs = params.logprobs() && logprobsSource == LogprobsSource.MODEL;
        if (modelLogprobs) {
            System.arraycopy(logits, 0, state.rawLogitsBuffer(), 0, vocabulary);
        }
        for (LogitProcessor processor : processors) {
            processor.process(logits, state);
        }
        int token;
        if (params.greedy()) {
            token = argmax(logits, vocabulary);
        } else {
            scale(logits, vocabulary, (float) params.temperature());
            token = drawTruncated(logits, state);
        }
        state.lastLogprobs(params.logprobs()
                ? logprobs(modelLogprobs ? state.rawLogitsBuffer() : logits, vocabulary, token, params.topLogprobs(),
                        state.keys)
                : null);
        return token;
    }

    /** The index of the largest value, the lowest on ties; fails when no value is above -infinity. */
    static int argmax(float[] logits, int vocabulary) {
        int best = -1;
        float bestLogit = Float.NEGATIVE_INFINITY;
        for (int token = 0; token < vocabulary; token++) {
            float logit = logits[token];
            if (logit > bestLogit) {
                bestLogit = logit;
                best = token;
            } else if (logit != logit) {
                throw notANumber(token);
            }
        }
        if (best < 0) {
            throw nothingLeft(vocabulary);
        }
        return best;
    }

    private static void scale(float[] logits, int vocabulary, float temperature) {
        if (temperature == 1f) {
            return;
        }
        for (int token = 0; token < vocabulary; token++) {
            logits[token] /= temperature;
        }
    }

    private static int drawTruncated(float[] logits, SamplingState state) {
        int size = truncate(logits, state);
        float[] weights = state.weights();
        long[] keys = state.keys;
        if (size == ALL) {
            // no truncation: walk the whole vocabulary in id order
            int vocabulary = state.vocabularySize();
            double total = 0;
            for (int token = 0; token < vocabulary; token++) {
                total += weights[token];
            }
            double target = state.nextUniform() * total;
            double cumulative = 0;
            int last = -1;
            for (int token = 0; token < vocabulary; token++) {
                if (weights[token] > 0) {
                    cumulative += weights[token];
                    if (target < cumulative) {
                        return token;
                    }
                    last = token;
                }
            }
            return last;
        }
        double total = 0;
        for (int i = 0; i < size; i++) {
            total += weights[CandidateKeys.token(keys[i])];
        }
        // walk the candidates in their current order, which truncate leaves deterministic
        double target = state.nextUniform() * total;
        double cumulative = 0;
        for (int i = 0; i < size - 1; i++) {
            cumulative += weights[CandidateKeys.token(keys[i])];
            if (target < cumulative) {
                return CandidateKeys.token(keys[i]);
            }
        }
        return CandidateKeys.token(keys[size - 1]);
    }

    /** {@link #truncate} kept every token with a finite logit; they are not listed in the keys. */
    static final int ALL = -1;

    /**
     * Applies top-k, top-p and min-p to the (temperature-scaled) logits. The survivors are left in
     * {@code state.keys[0, size)}, in id order or most likely first, with {@code state.weights()} holding
     * {@code exp(logit - max)} for each; when nothing is truncated the result is {@link #ALL} and the weights cover
     * the whole vocabulary (0 for excluded tokens). Each token's exponential is computed once.
     *
     * @return how many candidates survive (at least 1), or {@link #ALL}
     */
    static int truncate(float[] logits, SamplingState state) {
        SamplingParams params = state.params();
        long[] keys = state.keys;
        float[] weights = state.weights();
        int vocabulary = state.vocabularySize();

        float max = Float.NEGATIVE_INFINITY;
        int finite = 0;
        for (int token = 0; token < vocabulary; token++) {
            float logit = logits[token];
            if (logit > Float.NEGATIVE_INFINITY) {
                finite++;
                max = Math.max(max, logit);
            } else if (logit != logit) {
                throw notANumber(token);
            }
        }
        if (finite == 0) {
            throw nothingLeft(vocabulary);
        }

        // top-k
        int size = ALL;
        int topK = params.topK();
        if (topK > 0 && topK < finite) {
            size = CandidateKeys.top(logits, vocabulary, topK, keys);
            weigh(logits, max, keys, size, weights);
        }

        // top-p: the shortest most-likely-first prefix whose mass reaches p
        double topP = params.topP();
        if (topP < 1 && (size == ALL ? finite : size) > 1) {
            if (size == ALL) {
                size = nucleus(logits, max, topP, state);
            } else {
                int kept = prefixReaching(weights, keys, size, topP * mass(weights, keys, size));
                size = kept > 0 ? kept : size;
            }
        }

        // min-p: p / p_max >= min_p  <=>  logit - max >= ln(min_p); the max itself always stays
        double minP = params.minP();
        if (minP > 0) {
            double floor = max + Math.log(minP);
            if (size == ALL) {
                size = 0;
                for (int token = 0; token < vocabulary; token++) {
                    if (logits[token] >= floor) {
                        keys[size++] = CandidateKeys.key(logits[token], token);
                    }
                }
                weigh(logits, max, keys, size, weights);
            } else {
                int kept = 0;
                for (int i = 0; i < size; i++) {
                    if (logits[CandidateKeys.token(keys[i])] >= floor) {
                        keys[kept++] = keys[i];
                    }
                }
                size = kept;
            }
        }
        if (size == ALL) {
            for (int token = 0; token < vocabulary; token++) {
                weights[token] = NonPositiveExp.exp(logits[token] - max);
            }
        }
        return size;
    }

    /**
     * Top-p over the whole vocabulary without sorting it: a histogram of the mass by distance from the max logit
     * shows which buckets the nucleus needs; only their tokens are sorted. Buckets are ordered by logit, so those
     * tokens are exactly the most likely ones and the cut is the same as with a full sort (as in llama.cpp).
     */
    private static int nucleus(float[] logits, float max, double topP, SamplingState state) {
        int vocabulary = state.vocabularySize();
        float[] weights = state.weights();
        double[] buckets = state.bucketMass();
        java.util.Arrays.fill(buckets, 0);
        double total = 0;
        for (int token = 0; token < vocabulary; token++) {
            float weight = NonPositiveExp.exp(logits[token] - max);
            weights[token] = weight;
            if (weight > 0) {
                total += weight;
                buckets[bucket(logits[token], max, buckets.length)] += weight;
            }
        }
        double threshold = topP * total;
        int lastBucket = buckets.length - 1;
        double cumulative = 0;
        for (int b = 0; b < buckets.length; b++) {
            cumulative += buckets[b];
            if (cumulative >= threshold) {
                lastBucket = b;
                break;
            }
        }
        long[] keys = state.keys;
        for (int attempt = 0; attempt < 2; attempt++) {
            int size = 0;
            for (int token = 0; token < vocabulary; token++) {
                if (weights[token] > 0 && bucket(logits[token], max, buckets.length) <= lastBucket) {
                    keys[size++] = CandidateKeys.key(logits[token], token);
                }
            }
            CandidateKeys.sort(keys, size);
            int kept = prefixReaching(weights, keys, size, threshold);
            if (kept > 0) {
                return kept;
            }
            if (lastBucket == buckets.length - 1) {
                // rounding left even the whole set just short of p * mass: keep all of it
                return size;
            }
            lastBucket = buckets.length - 1; // summing in another order fell just short: take every bucket
        }
        throw new AssertionError("unreachable: the second attempt covers every bucket");
    }

    // the histogram spans this many logit units below the max; the last bucket takes everything further down
    private static final float NUCLEUS_SPAN = 32f;

    private static int bucket(float logit, float max, int buckets) {
        float position = (max - logit) * ((buckets - 1) / NUCLEUS_SPAN);
        return position >= buckets - 1 ? buckets - 1 : (int) position;
    }

    private static void weigh(float[] logits, float max, long[] keys, int size, float[] weights) {
        for (int i = 0; i < size; i++) {
            int token = CandidateKeys.token(keys[i]);
            weights[token] = NonPositiveExp.exp(logits[token] - max);
        }
    }

    private static double mass(float[] weights, long[] keys, int size) {
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += weights[CandidateKeys.token(keys[i])];
        }
        return sum;
    }

    /** Length of the shortest prefix of the sorted {@code keys[0, size)} reaching {@code threshold}, or 0. */
    private static int prefixReaching(float[] weights, long[] keys, int size, double threshold) {
        double cumulative = 0;
        for (int i = 0; i < size; i++) {
            cumulative += weights[CandidateKeys.token(keys[i])];
            if (cumulative >= threshold) {
                return i + 1;
            }
        }
        return 0;
    }

    private static TokenLogprobs logprobs(float[] values, int vocabulary, int token, int top, long[] keys) {
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < vocabulary; t++) {
            max = Math.max(max, values[t]);
        }
        double sum = 0;
        for (int t = 0; t < vocabulary; t++) {
            sum += NonPositiveExp.exp(values[t] - max);
        }
        double logNormalizer = max + Math.log(sum);
        List<TokenLogprobs.Alternative> alternatives = new ArrayList<>(top);
        int count = top > 0 ? CandidateKeys.top(values, vocabulary, top, keys) : 0;
        for (int i = 0; i < count; i++) {
            int alternative = CandidateKeys.token(keys[i]);
            alternatives.add(new TokenLogprobs.Alternative(alternative, (float) (values[alternative] - logNormalizer)));
        }
        return new TokenLogprobs(token, (float) (values[token] - logNormalizer), alternatives);
    }

    private static NonFiniteLogitsException notANumber(int token) {
        return new NonFiniteLogitsException("expected finite logits but token " + token + " has NaN");
    }

    private static NoTokenSampleableException nothingLeft(int vocabulary) {
        return new NoTokenSampleableException("expected at least one of " + vocabulary
                + " tokens to remain sampleable but logit bias, penalties and the allowed-token mask excluded all");
    }
}
