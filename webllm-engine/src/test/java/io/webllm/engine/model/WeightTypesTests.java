package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.tensor.GgmlType;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WeightTypesTests {

    @Test
    void q4kMediumGivesQ6kToTheOutputAndToAttnVAndFfnDownOfTheLayersLlamaCppFavours() {
        WeightTypes mix = WeightTypes.Q4_K_M;
        // 32 layers: the first and last 4, and every third from layer 6 (llama.cpp's use_more_bits)
        List<Integer> favoured = IntStream.range(0, 32).filter(l -> mix.of(TensorNames.layer(l, "attn_v.weight"), 32) == GgmlType.Q6_K)
                .boxed().toList();
        assertThat(favoured).containsExactly(0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31);
        assertThat(mix.of(TensorNames.layer(6, "ffn_down.weight"), 32)).isEqualTo(GgmlType.Q6_K);
        assertThat(mix.of(TensorNames.layer(7, "ffn_down.weight"), 32)).isEqualTo(GgmlType.Q4_K);
        assertThat(mix.of(TensorNames.layer(0, "attn_q.weight"), 32)).isEqualTo(GgmlType.Q4_K);
        assertThat(mix.of(TensorNames.layer(0, "attn_output.weight"), 32)).isEqualTo(GgmlType.Q4_K);
        assertThat(mix.of(TensorNames.OUTPUT, 32)).isEqualTo(GgmlType.Q6_K);
        assertThat(mix.of(TensorNames.TOKEN_EMBEDDING, 32)).isEqualTo(GgmlType.Q4_K);
    }

    @Test
    void namesParseInAnyCase() {
        assertThat(WeightTypes.parse("q4_k_m")).contains(WeightTypes.Q4_K_M);
        assertThat(WeightTypes.parse("Q8_0")).contains(WeightTypes.uniform(GgmlType.Q8_0));
        assertThat(WeightTypes.parse("q4_k_s")).isEmpty();
        assertThat(WeightTypes.uniform(GgmlType.Q4_0).of(TensorNames.OUTPUT, 2)).isEqualTo(GgmlType.Q4_0);
    }
}
