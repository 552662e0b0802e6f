package io.webllm.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SamplingParamsTests {

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad("temperature", "2.5", b -> b.temperature(2.5)),
                bad("temperature", "-0.1", b -> b.temperature(-0.1)),
                bad("temperature", "NaN", b -> b.temperature(Double.NaN)),
                bad("top_p", "0.0", b -> b.topP(0)),
                bad("top_p", "1.5", b -> b.topP(1.5)),
                bad("top_k", "-1", b -> b.topK(-1)),
                bad("min_p", "1.1", b -> b.minP(1.1)),
                bad("frequency_penalty", "2.01", b -> b.frequencyPenalty(2.01)),
                bad("presence_penalty", "-3.0", b -> b.presencePenalty(-3)),
                bad("repetition_penalty", "0.0", b -> b.repetitionPenalty(0)),
                bad("repetition_penalty", "Infinity", b -> b.repetitionPenalty(Double.POSITIVE_INFINITY)),
                bad("logit_bias", "150.0", b -> b.logitBias(Map.of(7, 150f))),
                bad("logit_bias", "-5", b -> b.logitBias(Map.of(-5, 1f))),
                bad("top_logprobs", "21", b -> b.logprobs(true).topLogprobs(21)),
                bad("top_logprobs", "logprobs is false", b -> b.topLogprobs(3)));
    }

    private static Arguments bad(String field, String found, UnaryOperator<SamplingParams.Builder> change) {
        return Arguments.of(field, found, change);
    }

    @ParameterizedTest(name = "{0} rejects {1}")
    @MethodSource("invalid")
    void rejectsOutOfRangeValuesNamingTheField(String field, String found,
            UnaryOperator<SamplingParams.Builder> change) {
        assertThatThrownBy(() -> change.apply(SamplingParams.builder()).build())
                .isInstanceOf(InvalidSamplingParameterException.class)
                .hasMessageStartingWith(field + ": ")
                .hasMessageContaining(found)
                .satisfies(e -> assertThat(((InvalidSamplingParameterException) e).field()).isEqualTo(field));
    }

    @Test
    void acceptsTheBoundsOfEveryRange() {
        var params = SamplingParams.builder().temperature(2).topP(1).topK(0).minP(1).frequencyPenalty(-2)
                .presencePenalty(2).repetitionPenalty(0.01).logitBias(Map.of(0, -100f, 1, 100f)).seed(0L)
                .logprobs(true).topLogprobs(20).build();

        assertThat(params.topLogprobs()).isEqualTo(20);
        assertThat(params.logitBias()).containsEntry(0, -100f).containsEntry(1, 100f);
    }

    @Test
    void defaultsAreOpenAisAndDrawFromTheWholeDistribution() {
        var defaults = SamplingParams.DEFAULTS;

        assertThat(defaults.temperature()).isEqualTo(1);
        assertThat(defaults.topP()).isEqualTo(1);
        assertThat(defaults.topK()).isZero();
        assertThat(defaults.repetitionPenalty()).isEqualTo(1);
        assertThat(defaults.seed()).isNull();
        assertThat(defaults.greedy()).isFalse();
        assertThat(defaults.mutate().temperature(0).build().greedy()).isTrue();
    }

    @Test
    void logitBiasIsCopiedSoTheCallerCannotChangeItLater() {
        var bias = new java.util.HashMap<Integer, Float>(Map.of(3, 1f));
        var params = SamplingParams.builder().logitBias(bias).build();
        bias.put(4, 2f);

        assertThat(params.logitBias()).containsOnlyKeys(3);
    }

    @Test
    void biasOnATokenOutsideTheVocabularyFailsWhenTheStateIsCreated() {
        var params = SamplingParams.builder().logitBias(Map.of(10, 1f)).build();

        assertThatThrownBy(() -> SamplingState.create(params, 10))
                .isInstanceOf(InvalidSamplingParameterException.class)
                .hasMessage("logit_bias: token id 10 is outside the vocabulary of 10 tokens");
    }
}
