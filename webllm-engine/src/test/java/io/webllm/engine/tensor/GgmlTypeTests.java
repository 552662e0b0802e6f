package io.webllm.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class GgmlTypeTests {

    /** Ids and block sizes as ggml.h and ggml-common.h's static_asserts give them. */
    @ParameterizedTest
    @CsvSource({
            "F32, 0, 1, 4", "F16, 1, 1, 2", "Q4_0, 2, 32, 18", "Q4_1, 3, 32, 20", "Q5_0, 6, 32, 22",
            "Q5_1, 7, 32, 24", "Q8_0, 8, 32, 34", "Q8_1, 9, 32, 36", "Q2_K, 10, 256, 84", "Q3_K, 11, 256, 110",
            "Q4_K, 12, 256, 144", "Q5_K, 13, 256, 176", "Q6_K, 14, 256, 210", "Q8_K, 15, 256, 292",
            "IQ2_XXS, 16, 256, 66", "IQ2_XS, 17, 256, 74", "IQ3_XXS, 18, 256, 98", "IQ1_S, 19, 256, 50",
            "IQ4_NL, 20, 32, 18", "IQ3_S, 21, 256, 110", "IQ2_S, 22, 256, 82", "IQ4_XS, 23, 256, 136",
            "I8, 24, 1, 1", "I16, 25, 1, 2", "I32, 26, 1, 4", "I64, 27, 1, 8", "F64, 28, 1, 8",
            "IQ1_M, 29, 256, 56", "BF16, 30, 1, 2", "TQ1_0, 34, 256, 54", "TQ2_0, 35, 256, 66",
            "MXFP4, 39, 32, 17"})
    void matchesGgmlIdsAndBlockLayouts(GgmlType type, int id, int blockSize, int bytesPerBlock) {
        assertThat(type.id()).isEqualTo(id);
        assertThat(type.blockSize()).isEqualTo(blockSize);
        assertThat(type.bytesPerBlock()).isEqualTo(bytesPerBlock);
        assertThat(GgmlType.byId(id)).isSameAs(type);
        assertThat(type.byteSize(blockSize * 12L)).isEqualTo(bytesPerBlock * 12L);
        assertThat(type.byteSize(0)).isZero();
    }

    @Test
    void byteSizeOfAWholeTensor() {
        // a 4096 x 4096 matrix: 65536 blocks of 256 for Q4_K, 524288 blocks of 32 for Q8_0
        assertThat(GgmlType.Q4_K.byteSize(4096L * 4096)).isEqualTo(65536L * 144);
        assertThat(GgmlType.Q8_0.byteSize(4096L * 4096)).isEqualTo(524288L * 34);
        assertThat(GgmlType.BF16.byteSize(3)).isEqualTo(6);
    }

    @Test
    void byteSizeRejectsAPartialBlock() {
        assertThatThrownBy(() -> GgmlType.Q6_K.byteSize(300))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Q6_K")
                .hasMessageContaining("blocks of 256")
                .hasMessageContaining("300");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 4, 5, 31, 32, 33, 36, 38, 40, 63, 64, 1000})
    void idsGgmlDoesNotDefineAreUnknown(int id) {
        assertThat(GgmlType.byId(id)).isNull();
    }

    @Test
    void idsAreDistinct() {
        assertThat(Arrays.stream(GgmlType.values()).mapToInt(GgmlType::id).distinct().count())
                .isEqualTo(GgmlType.values().length);
    }

    @ParameterizedTest
    @EnumSource(GgmlType.class)
    void exactlyTheSupportedTypesHaveACodec(GgmlType type) {
        if (type.supported()) {
            assertThat(BlockCodec.of(type).type()).isEqualTo(type);
        } else {
            assertThatThrownBy(() -> BlockCodec.of(type))
                    .isInstanceOf(UnsupportedGgmlTypeException.class)
                    .hasMessageContaining(type.name())
                    .hasMessageContaining("Q4_K");
        }
    }
}
