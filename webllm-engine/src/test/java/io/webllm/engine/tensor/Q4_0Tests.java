package io.webllm.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * block_q4_0 = { ggml_half d; uint8_t qs[16]; }: the low nibble of qs[j] is weight j, the high nibble weight j + 16,
 * and a nibble q means (q - 8) * d.
 */
class Q4_0Tests {

    @Test
    void lowNibblesAreTheFirstHalfAndHighNibblesTheSecond() {
        BlockBytes block = new BlockBytes(18).half(0, 0xB800); // d = -0.5
        for (int j = 0; j < 16; j++) {
            block.u8(2 + j, j | ((j + 5) & 15) << 4);
        }
        float[] expected = new float[32];
        for (int j = 0; j < 16; j++) {
            expected[j] = (j - 8) * -0.5f;
            expected[16 + j] = (((j + 5) & 15) - 8) * -0.5f;
        }

        float[] values = BlockBytes.decode(GgmlType.Q4_0, block.bytes());

        assertThat(values).containsExactly(expected);
        assertThat(values[0]).isEqualTo(4.0f);    // nibble 0 -> -8 * -0.5
        assertThat(values[15]).isEqualTo(-3.5f);  // nibble 15 -> 7 * -0.5
        assertThat(values[16]).isEqualTo(1.5f);   // high nibble of qs[0] is 5 -> -3 * -0.5
        assertThat(values[31]).isEqualTo(2.0f);   // high nibble of qs[15] is (15 + 5) & 15 = 4 -> -4 * -0.5
    }

    @Test
    void multiplesOfTheScaleComeBackExactly() {
        // the weight of largest magnitude, -2.0, becomes level -8, so d = 0.25 (fp16 0x3400)
        float[] x = new float[32];
        for (int j = 0; j < 16; j++) {
            x[j] = (j - 8) * 0.25f;
            x[16 + j] = (7 - j) * 0.25f;
        }

        byte[] stored = Quantizer.quantize(GgmlType.Q4_0, x);

        assertThat(BlockBytes.halfAt(stored, 0)).isEqualTo(0x3400);
        for (int j = 0; j < 16; j++) {
            assertThat(stored[2 + j] & 0xFF).as("qs[%d]", j).isEqualTo(j | (15 - j) << 4);
        }
        assertThat(BlockBytes.decode(GgmlType.Q4_0, stored)).containsExactly(x);
    }

    @Test
    void aPositiveExtremeGivesANegativeScale() {
        float[] x = new float[32];
        x[0] = 2.0f;
        x[1] = -1.75f;

        byte[] stored = Quantizer.quantize(GgmlType.Q4_0, x);

        assertThat(BlockBytes.halfAt(stored, 0)).isEqualTo(0xB400); // d = 2.0 / -8 = -0.25
        assertThat(stored[2] & 0x0F).isEqualTo(0);  // 2.0 / -0.25 = -8 -> nibble 0
        assertThat(stored[3] & 0x0F).isEqualTo(15); // -1.75 / -0.25 = 7 -> nibble 15
        assertThat(stored[2] >>> 4 & 0x0F).isEqualTo(8); // weight 16 is 0 -> nibble 8
    }

    @Test
    void roundsTiesUpwardAsGgmlsTruncationOfPlusEightAndAHalfDoes() {
        float[] x = new float[32];
        x[0] = -2.0f;     // d = 0.25
        x[1] = 0.125f;    // level 0.5 -> 1
        x[2] = -0.125f;   // level -0.5 -> 0
        x[3] = -0.375f;   // level -1.5 -> -1

        float[] decoded = BlockBytes.decode(GgmlType.Q4_0, Quantizer.quantize(GgmlType.Q4_0, x));

        assertThat(new float[] {decoded[1], decoded[2], decoded[3]}).containsExactly(0.25f, 0.0f, -0.25f);
    }

    @Test
    void requantizingDecodedWeightsReproducesTheBlock() {
        float[] x = RandomWeights.randomFloats(32 * 8, 11, 0.5f);
        byte[] stored = Quantizer.quantize(GgmlType.Q4_0, x);
        float[] decoded = BlockBytes.decode(GgmlType.Q4_0, stored);
        assertThat(Quantizer.quantize(GgmlType.Q4_0, decoded)).containsExactly(stored);
    }
}
