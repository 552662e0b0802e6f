package io.webllm.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * block_q4_1 = { ggml_half d; ggml_half m; uint8_t qs[16]; }: the low nibble of qs[j] is weight j, the high nibble
 * weight j + 16, and a nibble q means q * d + m.
 */
class Q4_1Tests {

    @Test
    void decodesNibblesTimesScalePlusMin() {
        BlockBytes block = new BlockBytes(20).half(0, 0x3800).half(2, 0xC000); // d = 0.5, m = -2.0
        for (int j = 0; j < 16; j++) {
            block.u8(4 + j, j | ((j + 3) & 15) << 4);
        }
        float[] expected = new float[32];
        for (int j = 0; j < 16; j++) {
            expected[j] = j * 0.5f - 2.0f;
            expected[16 + j] = ((j + 3) & 15) * 0.5f - 2.0f;
        }

        float[] values = BlockBytes.decode(GgmlType.Q4_1, block.bytes());

        assertThat(values).containsExactly(expected);
        assertThat(values[0]).isEqualTo(-2.0f);
        assertThat(values[15]).isEqualTo(5.5f);
        assertThat(values[16]).isEqualTo(-0.5f); // high nibble of qs[0] is 3
        assertThat(values[31]).isEqualTo(-1.0f); // high nibble of qs[15] is (15 + 3) & 15 = 2
    }

    @Test
    void anEvenGridFromTheMinimumComesBackExactly() {
        // min -2, max -2 + 15 * 0.25: d = 3.75 / 15 = 0.25 (fp16 0x3400), m = -2 (0xC000)
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) {
            x[j] = -2.0f + (j * 7 % 16) * 0.25f;
        }

        byte[] stored = Quantizer.quantize(GgmlType.Q4_1, x);

        assertThat(BlockBytes.halfAt(stored, 0)).isEqualTo(0x3400);
        assertThat(BlockBytes.halfAt(stored, 2)).isEqualTo(0xC000);
        assertThat(stored[4] & 0xFF).isEqualTo(0 | (16 * 7 % 16) << 4);
        assertThat(stored[5] & 0xFF).isEqualTo(7 | (17 * 7 % 16) << 4);
        assertThat(BlockBytes.decode(GgmlType.Q4_1, stored)).containsExactly(x);
    }

    @Test
    void aConstantBlockHasZeroScale() {
        float[] x = new float[32];
        java.util.Arrays.fill(x, 1.5f);

        byte[] stored = Quantizer.quantize(GgmlType.Q4_1, x);

        assertThat(BlockBytes.halfAt(stored, 0)).isZero();
        assertThat(BlockBytes.halfAt(stored, 2)).isEqualTo(0x3E00); // 1.5
        assertThat(BlockBytes.decode(GgmlType.Q4_1, stored)).containsOnly(1.5f);
    }
}
