package io.webllm.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LogitProcessorTests {

    @Test
    void logitBiasAddsAndMinusOneHundredBans() {
        var state = SamplingState.create(SamplingParams.builder().logitBias(Map.of(0, 2.5f, 2, -100f, 3, -99f))
                .build(), 4);
        float[] logits = {1, 1, 50, 50};

        new LogitBiasProcessor().process(logits, state);

        assertThat(logits).containsExactly(3.5f, 1f, Float.NEGATIVE_INFINITY, -49f);
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfPromptAndOutputTokens() {
        var state = SamplingState.create(SamplingParams.builder().repetitionPenalty(2).build(), 5);
        state.acceptPrompt(new int[] {0, 1, 1});
        state.accept(3);
        float[] logits = {4, -3, 7, 0.5f, 9};

        new RepetitionPenaltyProcessor().process(logits, state);

        // seen: 0 (prompt), 1 (prompt, twice but penalised once), 3 (output); 2 and 4 untouched
        assertThat(logits).containsExactly(2f, -6f, 7f, 0.25f, 9f);
    }

    @Test
    void frequencyAndPresencePenaltiesFollowOpenAisFormulaOverGeneratedTokensOnly() {
        double frequency = 0.5;
        double presence = 0.25;
        var state = SamplingState.create(SamplingParams.builder().frequencyPenalty(frequency)
                .presencePenalty(presence).build(), 5);
        state.acceptPrompt(new int[] {3, 4});
        int[] generated = {1, 1, 2, 1, 4};
        for (int token : generated) {
            state.accept(token);
        }
        float[] logits = {1, 2, 3, 4, 5};
        float[] expected = logits.clone();
        for (int token = 0; token < expected.length; token++) {
            int count = 0;
            for (int g : generated) {
                count += g == token ? 1 : 0;
            }
            expected[token] -= (float) (count * frequency + (count > 0 ? presence : 0));
        }

        new FrequencyPresencePenaltyProcessor().process(logits, state);

        assertThat(logits).containsExactly(expected, within(1e-6f));
        // by hand: token 1 seen 3 times -> 2 - 1.5 - 0.25; token 3 only in the prompt -> unchanged
        assertThat(logits[1]).isCloseTo(0.25f, within(1e-6f));
        assertThat(logits[3]).isEqualTo(4f);
    }

    @Test
    void maskForbidsClearedBitsAcrossWordBoundariesAndAppliesToOneStepOnly() {
        int vocabulary = 130;
        var state = SamplingState.create(SamplingParams.DEFAULTS, vocabulary);
        long[] mask = new long[3];
        int[] allowed = {0, 63, 64, 127, 129};
        for (int token : allowed) {
            mask[token >>> 6] |= 1L << (token & 63);
        }
        mask[2] |= -1L << 2; // bits past the vocabulary must be ignored, not written
        float[] logits = new float[vocabulary];
        state.allowOnly(mask);

        new AllowedTokenMaskProcessor().process(logits, state);

        for (int token = 0; token < vocabulary; token++) {
            int current = token;
            boolean isAllowed = java.util.Arrays.stream(allowed).anyMatch(a -> a == current);
            assertThat(logits[token]).as("token %d", token).isEqualTo(isAllowed ? 0f : Float.NEGATIVE_INFINITY);
        }
        float[] next = new float[vocabulary];
        new AllowedTokenMaskProcessor().process(next, state);
        assertThat(next).containsOnly(0f);
    }
}
