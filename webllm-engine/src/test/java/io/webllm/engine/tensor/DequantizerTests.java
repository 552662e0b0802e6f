package io.webllm.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Offsets, bounds and the dot product, for every type with a codec, over native (file-like) memory. */
class DequantizerTests {

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
            "Q4_K", "Q5_K", "Q6_K"})
    void readsBlocksAtAnyByteOffsetIntoAnyArrayOffset(GgmlType type) {
        int count = type.blockSize() * 3;
        float[] x = RandomWeights.randomFloats(count, 21, 2.0f);
        byte[] encoded = Quantizer.quantize(type, x);
        float[] expected = BlockBytes.decode(type, encoded);
        try (Arena arena = Arena.ofConfined()) {
            // 7 bytes of padding: unaligned, as tensors in a mapped GGUF file may be relative to their fields
            MemorySegment file = arena.allocate(7 + encoded.length + 5);
            file.fill((byte) 0x5A);
            MemorySegment.copy(encoded, 0, file, ValueLayout.JAVA_BYTE, 7, encoded.length);

            float[] dst = new float[count + 10];
            Dequantizer.dequantize(type, file, 7, count, dst, 4);
            assertThat(java.util.Arrays.copyOfRange(dst, 4, 4 + count)).containsExactly(expected);
            assertThat(dst[3]).isZero();
            assertThat(dst[4 + count]).isZero();

            // the second block alone
            long secondBlock = 7 + type.bytesPerBlock();
            float[] second = Dequantizer.dequantize(type, file, secondBlock, type.blockSize());
            assertThat(second).containsExactly(
                    java.util.Arrays.copyOfRange(expected, type.blockSize(), 2 * type.blockSize()));

            // and quantizing straight into the mapped memory writes the same bytes
            MemorySegment target = arena.allocate(3 + encoded.length);
            Quantizer.quantize(type, x, 0, count, target, 3);
            assertThat(target.asSlice(3).toArray(ValueLayout.JAVA_BYTE)).containsExactly(encoded);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0", "Q4_0", "Q5_1", "Q4_K", "Q6_K"})
    void dotIsTheSumOfDecodedWeightsTimesX(GgmlType type) {
        int count = 512;
        float[] weights = RandomWeights.randomFloats(count, 31, 0.1f);
        float[] x = RandomWeights.randomFloats(count + 3, 32, 1.0f);
        byte[] row = Quantizer.quantize(type, weights);
        float[] decoded = BlockBytes.decode(type, row);
        double expected = 0;
        for (int i = 0; i < count; i++) {
            expected += (double) decoded[i] * x[3 + i];
        }

        float dot = Dequantizer.dot(type, MemorySegment.ofArray(row), 0, x, 3, count);

        assertThat((double) dot).isCloseTo(expected, within(1e-6 * Math.abs(expected) + 1e-9));
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_K"})
    void rejectsRangesOutsideTheSegmentOrArray(GgmlType type) {
        MemorySegment twoBlocks = MemorySegment.ofArray(new byte[2 * type.bytesPerBlock()]);
        int block = type.blockSize();

        assertThatThrownBy(() -> Dequantizer.dequantize(type, twoBlocks, 1, 2 * block, new float[2 * block], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("segment holds %d bytes".formatted(2 * type.bytesPerBlock()));
        assertThatThrownBy(() -> Dequantizer.dequantize(type, twoBlocks, 0, 2 * block, new float[2 * block], 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("do not fit in an array of %d floats".formatted(2 * block));
        assertThatThrownBy(() -> Dequantizer.dequantize(type, twoBlocks, 0, block + 1, new float[2 * block], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a whole number of blocks");
        assertThatThrownBy(() -> Quantizer.quantize(type, new float[block], 0, block, twoBlocks,
                type.bytesPerBlock() + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("segment holds");
    }
}
