package io.webllm.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** block_q8_0 = { ggml_half d; int8_t qs[32]; }, weight j = qs[j] * d. */
class Q8_0Tests {

    @Test
    void decodesSignedQuantsTimesScale() {
        BlockBytes block = new BlockBytes(34).half(0, 0x3400); // d = 0.25
        for (int j = 0; j < 32; j++) {
            block.u8(2 + j, j - 16);
        }
        block.u8(2, -128).u8(2 + 31, 127);
        float[] expected = new float[32];
        for (int j = 0; j < 32; j++) {
            expected[j] = (j - 16) * 0.25f;
        }
        expected[0] = -32.0f;
        expected[31] = 31.75f;

        float[] values = BlockBytes.decode(GgmlType.Q8_0, block.bytes());

        assertThat(values).containsExactly(expected);
        assertThat(values[5]).isEqualTo(-2.75f);
    }

    @Test
    void multiplesOfAnExactScaleComeBackExactly() {
        // amax = 127 / 16, so d = amax / 127 = 1/16 exactly in fp16 (0x2C00) and every level is exact
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) {
            x[j] = (j * 8 - 127) / 16f; // levels -127, -119, ..., 113, and 127 below
        }
        x[31] = 127 / 16f;

        byte[] stored = Quantizer.quantize(GgmlType.Q8_0, x);

        assertThat(BlockBytes.halfAt(stored, 0)).isEqualTo(0x2C00);
        assertThat(stored[2]).isEqualTo((byte) -127);
        assertThat(stored[2 + 30]).isEqualTo((byte) (30 * 8 - 127));
        assertThat(stored[2 + 31]).isEqualTo((byte) 127);
        assertThat(BlockBytes.decode(GgmlType.Q8_0, stored)).containsExactly(x);
    }

    @Test
    void roundsTiesAwayFromZeroLikeCRoundf() {
        float[] x = new float[32];
        x[0] = 127; // d = 1, so every other weight is its own level before rounding
        x[1] = 2.5f;
        x[2] = -2.5f;
        x[3] = 0.5f;
        x[4] = -0.5f;
        x[5] = 1.4999999f;

        byte[] stored = Quantizer.quantize(GgmlType.Q8_0, x);

        assertThat(BlockBytes.halfAt(stored, 0)).isEqualTo(0x3C00);
        assertThat(new byte[] {stored[3], stored[4], stored[5], stored[6], stored[7]})
                .containsExactly(3, -3, 1, -1, 1);
    }

    @Test
    void requantizingDecodedWeightsReproducesTheBlock() {
        float[] x = RandomWeights.randomFloats(32 * 8, 7, 3.0f);
        byte[] stored = Quantizer.quantize(GgmlType.Q8_0, x);
        float[] decoded = BlockBytes.decode(GgmlType.Q8_0, stored);
        assertThat(Quantizer.quantize(GgmlType.Q8_0, decoded)).containsExactly(stored);
    }
}
