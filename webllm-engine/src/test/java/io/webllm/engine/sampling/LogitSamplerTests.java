package io.webllm.engine.sampling;

import static io.webllm.engine.sampling.ReferenceDistribution.logitsOfProbabilities;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class LogitSamplerTests {

    // probabilities by token id, deliberately not in id order: 1 > 3 > 4 > 0 > 2
    private static final double[] PROBS = {0.10, 0.40, 0.05, 0.30, 0.15};

    private final Sampler sampler = Sampler.standard();

    private static SamplingParams params(UnaryOperator<SamplingParams.Builder> change) {
        return change.apply(SamplingParams.builder().seed(42L)).build();
    }

    /** The tokens that survive truncation, as the sampler computes them. */
    private static TreeMap<Integer, Boolean> survivors(SamplingParams params, float[] logits) {
        var state = SamplingState.create(params, logits.length);
        float[] scaled = logits.clone();
        for (int t = 0; t < scaled.length; t++) {
            scaled[t] /= (float) params.temperature();
        }
        int size = LogitSampler.truncate(scaled, state);
        var tokens = new TreeMap<Integer, Boolean>();
        if (size == LogitSampler.ALL) {
            for (int t = 0; t < scaled.length; t++) {
                if (scaled[t] > Float.NEGATIVE_INFINITY) {
                    tokens.put(t, true);
                }
            }
            return tokens;
        }
        for (int i = 0; i < size; i++) {
            tokens.put(CandidateKeys.token(state.keys[i]), true);
        }
        return tokens;
    }

    @Test
    void filtersMatchHandComputedExamples() {
        float[] logits = logitsOfProbabilities(PROBS);

        // top-k 2: the two most likely
        assertThat(survivors(params(b -> b.topK(2)), logits)).containsOnlyKeys(1, 3);
        // top-p 0.8: 0.40 + 0.30 = 0.70 < 0.8, + 0.15 = 0.85 reaches it
        assertThat(survivors(params(b -> b.topP(0.8)), logits)).containsOnlyKeys(1, 3, 4);
        // top-p 0.9 alone needs 0.95 (four tokens), but after top-k 3 the mass is renormalised:
        // 0.40/0.85 + 0.30/0.85 = 0.82 < 0.9, so all three stay
        assertThat(survivors(params(b -> b.topP(0.9)), logits)).containsOnlyKeys(1, 3, 4, 0);
        assertThat(survivors(params(b -> b.topK(3).topP(0.9)), logits)).containsOnlyKeys(1, 3, 4);
        // min-p 0.3: p >= 0.12 ; min-p 0.5: p >= 0.20
        assertThat(survivors(params(b -> b.minP(0.3)), logits)).containsOnlyKeys(1, 3, 4);
        assertThat(survivors(params(b -> b.minP(0.5)), logits)).containsOnlyKeys(1, 3);
        // temperature 0.5 squares the ratios: 0.15^2 / 0.40^2 = 0.14 < 0.3, so min-p 0.3 now keeps two
        assertThat(survivors(params(b -> b.temperature(0.5).minP(0.3)), logits)).containsOnlyKeys(1, 3);
        // top-p 0.05: the most likely token alone already holds 0.40
        assertThat(survivors(params(b -> b.topP(0.05)), logits)).containsOnlyKeys(1);
    }

    @Test
    void truncationMatchesTheReferenceOnALargeVocabulary() {
        int vocabulary = 50_000;
        var random = new SplittableRandom(7);
        float[] logits = new float[vocabulary];
        for (int t = 0; t < vocabulary; t++) {
            // many near ties and a heavy tail, so top-p must grow its sorted prefix several times
            logits[t] = (float) Math.round(random.nextGaussian() * 40) / 10f;
        }
        record Case(double temperature, int topK, double topP, double minP) {
        }
        for (var c : new Case[] {
                new Case(1, 0, 0.95, 0), new Case(0.7, 0, 0.5, 0), new Case(1.3, 0, 0.999, 0),
                new Case(1, 1000, 0.9, 0), new Case(1, 40, 1, 0.05), new Case(0.8, 0, 0.9, 0.01),
                new Case(1, 0, 1, 0.2), new Case(2, 300, 0.3, 0.001)}) {
            var params = params(b -> b.temperature(c.temperature).topK(c.topK).topP(c.topP).minP(c.minP));

            var expected = ReferenceDistribution.of(logits, c.temperature, c.topK, c.topP, c.minP);

            assertThat(survivors(params, logits).keySet()).as("%s", c)
                    .containsExactlyElementsOf(new TreeMap<>(expected).keySet());
        }
    }

    @Test
    void drawsFollowTheTruncatedDistribution() {
        float[] logits = logitsOfProbabilities(PROBS);
        for (var params : new SamplingParams[] {
                params(b -> b), params(b -> b.topP(0.8)), params(b -> b.topK(3).temperature(0.7)),
                params(b -> b.minP(0.3).temperature(1.5))}) {
            var expected = ReferenceDistribution.of(logits, params.temperature(), params.topK(), params.topP(),
                    params.minP());
            var state = SamplingState.create(params, logits.length);
            int draws = 40_000;
            int[] counts = new int[logits.length];
            for (int i = 0; i < draws; i++) {
                counts[sampler.sample(logits.clone(), state)]++;
            }

            double chiSquare = 0;
            for (int token = 0; token < logits.length; token++) {
                double probability = expected.getOrDefault(token, 0.0);
                if (probability == 0) {
                    assertThat(counts[token]).as("token %d is truncated away under %s", token, params).isZero();
                } else {
                    double expectedCount = draws * probability;
                    chiSquare += Math.pow(counts[token] - expectedCount, 2) / expectedCount;
                }
            }
            // 18.47 is the 0.1% critical value for 4 degrees of freedom, the most any case here has
            assertThat(chiSquare).as("chi-square under %s", params).isLessThan(18.47);
        }
    }

    @Test
    void sameSeedGivesTheSameTokensAndOtherSeedsDiffer() {
        float[] logits = logitsOfProbabilities(PROBS);

        int[] first = drawSequence(logits, 1234L, 300);
        int[] again = drawSequence(logits, 1234L, 300);
        int[] other = drawSequence(logits, 1235L, 300);

        assertThat(again).containsExactly(first);
        assertThat(other).isNotEqualTo(first);
    }

    private int[] drawSequence(float[] logits, long seed, int length) {
        var state = SamplingState.create(params(b -> b.seed(seed).temperature(1.2).topP(0.95)), logits.length);
        int[] tokens = new int[length];
        for (int i = 0; i < length; i++) {
            tokens[i] = sampler.sample(logits.clone(), state);
            state.accept(tokens[i]);
        }
        return tokens;
    }

    @Test
    void unseededRequestsDrawAFreshSeedThatReplaysTheRun() {
        float[] logits = logitsOfProbabilities(PROBS);
        var unseeded = SamplingState.create(SamplingParams.DEFAULTS, logits.length);
        var otherUnseeded = SamplingState.create(SamplingParams.DEFAULTS, logits.length);
        int[] tokens = new int[200];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = sampler.sample(logits.clone(), unseeded);
        }

        var replay = SamplingState.create(SamplingParams.builder().seed(unseeded.seed()).build(), logits.length);
        for (int token : tokens) {
            assertThat(sampler.sample(logits.clone(), replay)).isEqualTo(token);
        }
        assertThat(otherUnseeded.seed()).isNotEqualTo(unseeded.seed());
    }

    @Test
    void temperatureZeroTakesTheArgmaxWithTiesGoingToTheLowestId() {
        var state = SamplingState.create(params(b -> b.temperature(0).topK(1)), 6);

        assertThat(sampler.sample(new float[] {1, 5, 2, 5, -1, 5}, state)).isEqualTo(1);
        assertThat(sampler.sample(new float[] {9, 5, 2, 5, -1, 5}, state)).isEqualTo(0);
        assertThat(Sampler.ARGMAX.sample(new float[] {1, 5, 2, 7, -1, 7}, state)).isEqualTo(3);
    }

    @Test
    void greedyHonoursBiasPenaltiesAndTheMask() {
        var state = SamplingState.create(params(b -> b.temperature(0).logitBias(Map.of(3, -100f))
                .presencePenalty(2)), 5);
        state.accept(2);
        long[] onlyZeroToThree = {0b1111};
        state.allowOnly(onlyZeroToThree);

        // 4 is masked, 3 banned, 2 penalised from 5 to 3: 1 wins with 4
        assertThat(sampler.sample(new float[] {0, 4, 5, 9, 10}, state)).isEqualTo(1);
    }

    @Test
    void aBiasOfMinusOneHundredBansEvenTheMostLikelyToken() {
        var state = SamplingState.create(params(b -> b.temperature(2).logitBias(Map.of(0, -100f))), 3);
        var seen = new LinkedHashSet<Integer>();
        for (int i = 0; i < 2000; i++) {
            seen.add(sampler.sample(new float[] {1000, 0, 0}, state));
        }

        assertThat(seen).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void failsClearlyWhenEveryTokenIsExcluded() {
        var state = SamplingState.create(params(b -> b.logitBias(Map.of(0, -100f, 1, -100f))), 2);

        assertThatThrownBy(() -> sampler.sample(new float[] {1, 2}, state))
                .isInstanceOf(NoTokenSampleableException.class)
                .hasMessageContaining("expected at least one of 2 tokens to remain sampleable");
        assertThatThrownBy(() -> sampler.sample(new float[] {1, Float.NaN}, SamplingState.create(
                SamplingParams.DEFAULTS, 2)))
                .hasMessage("expected finite logits but token 1 has NaN");
    }

    @Test
    void logprobsAreTheModelsLogSoftmaxWithTheMostLikelyAlternatives() {
        float[] logits = {0.5f, 2f, -1f, 2f, 1f};
        var state = SamplingState.create(params(b -> b.temperature(0.3).logitBias(Map.of(4, 10f)).logprobs(true)
                .topLogprobs(3)), logits.length);
        double logNormalizer = Math.log(java.util.stream.IntStream.range(0, logits.length)
                .mapToDouble(t -> Math.exp(logits[t])).sum());

        int token = sampler.sample(logits.clone(), state);

        // the bias makes 4 near certain, but logprobs describe the model's own logits
        assertThat(token).isEqualTo(4);
        var logprobs = state.lastLogprobs();
        assertThat(logprobs).isNotNull();
        assertThat(logprobs.token()).isEqualTo(4);
        assertThat(logprobs.logprob()).isCloseTo((float) (1 - logNormalizer), within(1e-6f));
        assertThat(logprobs.topLogprobs()).extracting(TokenLogprobs.Alternative::token).containsExactly(1, 3, 4);
        assertThat(logprobs.topLogprobs().getFirst().logprob()).isCloseTo((float) (2 - logNormalizer),
                within(1e-6f));
    }

    @Test
    void processedLogprobsDescribeTheDistributionDrawnFromBeforeTruncation() {
        float[] logits = {0.5f, 2f, -1f, 2f, 1f};
        var processed = new LogitSampler(LogitProcessor.STANDARD_CHAIN, LogprobsSource.PROCESSED);
        double temperature = 0.5;
        var state = SamplingState.create(params(b -> b.temperature(temperature).topK(1)
                .logitBias(Map.of(1, -100f)).logprobs(true).topLogprobs(5)), logits.length);
        double logNormalizer = Math.log(java.util.stream.IntStream.of(0, 2, 3, 4)
                .mapToDouble(t -> Math.exp(logits[t] / temperature)).sum());

        int token = processed.sample(logits.clone(), state);

        assertThat(token).isEqualTo(3);
        var logprobs = state.lastLogprobs();
        assertThat(logprobs).isNotNull();
        assertThat(logprobs.logprob()).isCloseTo((float) (2 / temperature - logNormalizer), within(1e-5f));
        // top-k 1 does not hide the others; the banned token is not a candidate at all
        assertThat(logprobs.topLogprobs()).extracting(TokenLogprobs.Alternative::token).containsExactly(3, 4, 0, 2);
    }

    @Test
    void noLogprobsUnlessAsked() {
        var state = SamplingState.create(params(b -> b), 3);

        sampler.sample(new float[] {1, 2, 3}, state);

        assertThat(state.lastLogprobs()).isNull();
    }

    @Test
    void samplingALargeVocabularyAllocatesNothingPerToken() {
        int vocabulary = 151_936;
        var random = new SplittableRandom(3);
        float[] logits = new float[vocabulary];
        for (int t = 0; t < vocabulary; t++) {
            logits[t] = (float) (random.nextGaussian() * 3);
        }
        var state = SamplingState.create(params(b -> b.temperature(0.8).topK(40).topP(0.95).minP(0.05)
                .repetitionPenalty(1.1).frequencyPenalty(0.3).logitBias(Map.of(5, 2f))), vocabulary);
        state.acceptPrompt(new int[] {1, 2, 3, 4});
        float[] work = new float[vocabulary];
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 50; i++) { // warm up so that class loading and JIT are not measured
            System.arraycopy(logits, 0, work, 0, vocabulary);
            state.accept(sampler.sample(work, state));
        }

        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 200; i++) {
            System.arraycopy(logits, 0, work, 0, vocabulary);
            state.accept(sampler.sample(work, state));
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        // a single 150k buffer would be 600 kB; growing the seen-token list may allocate a few kB once
        assertThat(allocated).isLessThan(16 * 1024);
    }
}
