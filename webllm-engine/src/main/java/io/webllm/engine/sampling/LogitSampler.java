package io.webllm.engine.sampling;

import java.util.ArrayList;
import java.util.List;

/**
 * The standard sampler: the {@link LogitProcessor} chain, then temperature (0 takes the argmax), then top-k, top-p
 * and min-p truncation in that order, each on the distribution the previous one left, then one draw from the
 * request's PRNG.
 *
 * <p>Temperature comes before truncation, as in OpenAI's API and Hugging Face transformers, so {@code top_p} and
 * {@code min_p} see the distribution that is actually drawn from. (llama.cpp's default chain applies temperature
 * last; with top-k alone the two orders agree.)
 *
 * <p>Per token this costs a few linear passes over the vocabulary and no allocation (apart from the logprobs record
 * when the request asks for logprobs): top-k is a quickselect plus a sort of k entries, top-p without top-k sorts a
 * growing prefix only until it holds the requested mass, and min-p is a threshold on the logit.
 */
public final class LogitSampler implements Sampler {

    static final AllowedTokenMaskProcessor MASK = new AllowedTokenMaskProcessor();

    // top-p without top-k first sorts this many candidates, growing by TOP_P_GROWTH until the mass is reached
    private static final int TOP_P_FIRST_PREFIX = 128;
    private static final int TOP_P_GROWTH = 8;

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
        long[] keys = state.keys;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, logits[CandidateKeys.token(keys[i])]);
        }
        // walk the candidates in their current order, which truncate leaves deterministic
        double target = state.random().nextDouble() * mass(logits, keys, 0, size, max);
        double cumulative = 0;
        for (int i = 0; i < size - 1; i++) {
            cumulative += Math.exp(logits[CandidateKeys.token(keys[i])] - max);
            if (target < cumulative) {
                return CandidateKeys.token(keys[i]);
            }
        }
        return CandidateKeys.token(keys[size - 1]);
    }

    /**
     * Applies top-k, top-p and min-p to the (temperature-scaled) logits and leaves the surviving tokens as
     * {@code state.keys[0, size)}, either in id order or most likely first.
     *
     * @return how many candidates survive, at least 1
     */
    static int truncate(float[] logits, SamplingState state) {
        SamplingParams params = state.params();
        long[] keys = state.keys;
        int vocabulary = state.vocabularySize();

        // candidates: every token above -infinity, in id order
        int size = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int token = 0; token < vocabulary; token++) {
            float logit = logits[token];
            if (logit > Float.NEGATIVE_INFINITY) {
                keys[size++] = CandidateKeys.key(logit, token);
                max = Math.max(max, logit);
            } else if (logit != logit) {
                throw notANumber(token);
            }
        }
        if (size == 0) {
            throw nothingLeft(vocabulary);
        }
        boolean sorted = false;

        // top-k
        int topK = params.topK();
        if (topK > 0 && topK < size) {
            CandidateKeys.selectTop(keys, size, topK);
            size = topK;
            CandidateKeys.sort(keys, size);
            sorted = true;
        }

        // top-p: the shortest most-likely-first prefix whose mass reaches p
        double topP = params.topP();
        if (topP < 1 && size > 1) {
            double threshold = topP * mass(logits, keys, 0, size, max);
            int prefix = sorted ? size : Math.min(size, TOP_P_FIRST_PREFIX);
            while (true) {
                if (!sorted) {
                    if (prefix < size) {
                        CandidateKeys.selectTop(keys, size, prefix);
                    }
                    CandidateKeys.sort(keys, prefix);
                }
                int kept = prefixReaching(logits, keys, prefix, max, threshold);
                if (kept > 0 || prefix == size) {
                    // rounding can leave the whole set just short of p * mass: then all of it is kept
                    size = kept > 0 ? kept : size;
                    sorted = true;
                    break;
                }
                prefix = (int) Math.min(size, (long) prefix * TOP_P_GROWTH);
            }
        }

        // min-p: p / p_max >= min_p  <=>  logit - max >= ln(min_p); the max itself always stays
        double minP = params.minP();
        if (minP > 0 && size > 1) {
            double floor = max + Math.log(minP);
            int kept = 0;
            for (int i = 0; i < size; i++) {
                if (logits[CandidateKeys.token(keys[i])] >= floor) {
                    keys[kept++] = keys[i];
                }
            }
            size = kept;
        }
        return size;
    }

    private static double mass(float[] logits, long[] keys, int from, int to, float max) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += Math.exp(logits[CandidateKeys.token(keys[i])] - max);
        }
        return sum;
    }

    /** Length of the shortest prefix of the sorted {@code keys[0, prefix)} reaching {@code threshold}, or 0. */
    private static int prefixReaching(float[] logits, long[] keys, int prefix, float max, double threshold) {
        double cumulative = 0;
        for (int i = 0; i < prefix; i++) {
            cumulative += Math.exp(logits[CandidateKeys.token(keys[i])] - max);
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
        int size = 0;
        for (int t = 0; t < vocabulary; t++) {
            float value = values[t];
            if (value > Float.NEGATIVE_INFINITY) {
                sum += Math.exp(value - max);
                if (top > 0) {
                    keys[size++] = CandidateKeys.key(value, t);
                }
            }
        }
        double logNormalizer = max + Math.log(sum);
        List<TokenLogprobs.Alternative> alternatives = new ArrayList<>(top);
        int count = Math.min(top, size);
        if (count > 0) {
            if (count < size) {
                CandidateKeys.selectTop(keys, size, count);
            }
            CandidateKeys.sort(keys, count);
            for (int i = 0; i < count; i++) {
                int alternative = CandidateKeys.token(keys[i]);
                alternatives.add(new TokenLogprobs.Alternative(alternative,
                        (float) (values[alternative] - logNormalizer)));
            }
        }
        return new TokenLogprobs(token, (float) (values[token] - logNormalizer), alternatives);
    }

    private static IllegalStateException notANumber(int token) {
        return new IllegalStateException("expected finite logits but token " + token + " has NaN");
    }

    private static NoTokenSampleableException nothingLeft(int vocabulary) {
        return new NoTokenSampleableException("expected at least one of " + vocabulary
                + " tokens to remain sampleable but logit bias, penalties and the allowed-token mask excluded all");
    }
}
