package io.webllm.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RandomWeightsTests {

    @Test
    void floatsAreSplitMix64TopBitsScaledToPlusMinusScale() {
        // SplitMix64 from seed 0 starts 0xE220A8397B1DCDAF (the published first output of the reference code)
        long first = 0xE220A8397B1DCDAFL;
        float expected = 0.5f * (2 * ((first >>> 40) * 0x1.0p-24f) - 1);
        assertThat(RandomWeights.randomFloats(1, 0, 0.5f)[0]).isEqualTo(expected);
    }

    @Test
    void randomAccessMatchesRunningTheGeneratorInOrder() {
        // SplitMix64 as published: state += gamma, then mix; the tensor must match these outputs in order
        long state = 12345;
        float[] x = RandomWeights.randomFloats(1000, 12345, 1.0f);
        for (int i = 0; i < 1000; i++) {
            long z = state += 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            assertThat(x[i]).as("weight %d", i).isEqualTo(2 * ((z >>> 40) * 0x1.0p-24f) - 1);
        }
    }

    @Test
    void writesIntoAnExistingSegmentAtAnOffset() {
        int elements = 3 * 64 * 1024 + 256; // several chunks, encoded in parallel, the last one short
        byte[] expected = Quantizer.quantize(GgmlType.Q4_K, RandomWeights.randomFloats(elements, 5, 0.1f));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment file = arena.allocate(expected.length + 100);
            RandomWeights.writeRandomTensor(GgmlType.Q4_K, elements, 5, 0.1f, file, 60);
            assertThat(file.asSlice(60, expected.length).toArray(ValueLayout.JAVA_BYTE)).containsExactly(expected);
            assertThat(file.get(ValueLayout.JAVA_BYTE, 59)).isZero();
            assertThat(file.get(ValueLayout.JAVA_BYTE, 60 + expected.length)).isZero();
        }
    }

    @Test
    void floatsAreUniformInTheRange() {
        float[] x = RandomWeights.randomFloats(100_000, 42, 0.25f);
        double sum = 0;
        double sumOfSquares = 0;
        for (float v : x) {
            assertThat(v).isBetween(-0.25f, 0.25f);
            sum += v;
            sumOfSquares += v * v;
        }
        // uniform on [-a, a): mean 0, mean square a^2 / 3; 100k samples put both well within these margins
        assertThat(sum / x.length).isBetween(-0.003, 0.003);
        assertThat(sumOfSquares / x.length).isBetween(0.0625 / 3 * 0.98, 0.0625 / 3 * 1.02);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
            "Q4_K", "Q5_K", "Q6_K"})
    void tensorIsTheQuantizedRandomFloats(GgmlType type) {
        // more than one internal chunk, so chunking must not change the stream
        int elements = 64 * 1024 + 1024;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tensor = RandomWeights.randomTensor(type, elements, 77, 0.02f, arena);

            assertThat(tensor.byteSize()).isEqualTo(type.byteSize(elements));
            byte[] expected = Quantizer.quantize(type, RandomWeights.randomFloats(elements, 77, 0.02f));
            assertThat(tensor.toArray(ValueLayout.JAVA_BYTE)).containsExactly(expected);

            MemorySegment again = RandomWeights.randomTensor(type, elements, 77, 0.02f, arena);
            assertThat(again.mismatch(tensor)).isEqualTo(-1);
            MemorySegment otherSeed = RandomWeights.randomTensor(type, elements, 78, 0.02f, arena);
            assertThat(otherSeed.mismatch(tensor)).isNotEqualTo(-1);
        }
    }

    @Test
    void rejectsPartialBlocksAndTypesWithoutACodec() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> RandomWeights.randomTensor(GgmlType.Q4_K, 300, 1, 1, arena))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("blocks of 256");
            assertThatThrownBy(() -> RandomWeights.randomTensor(GgmlType.Q2_K, 256, 1, 1, arena))
                    .isInstanceOf(UnsupportedGgmlTypeException.class)
                    .hasMessageContaining("Q2_K");
        }
    }
}
