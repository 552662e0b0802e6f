package io.webllm.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * block_q5_0 = { ggml_half d; uint8_t qh[4]; uint8_t qs[16]; }: qs holds the low 4 bits as in Q4_0 (weight j low
 * nibble, weight j + 16 high nibble), bit i of qh (a little-endian uint32) is the fifth bit of weight i, and a level
 * q means (q - 16) * d.
 */
class Q5_0Tests {

    @Test
    void fifthBitOfWeightIIsBitIOfQh() {
        BlockBytes block = new BlockBytes(22).half(0, 0x3C00) // d = 1
                .u8(2, 0x0F).u8(3, 0x0F).u8(4, 0xA5).u8(5, 0xA5); // qh = 0xA5A50F0F
        for (int j = 0; j < 16; j++) {
            block.u8(6 + j, j | (15 - j) << 4);
        }
        long qh = 0xA5A50F0FL;
        float[] expected = new float[32];
        for (int j = 0; j < 16; j++) {
            expected[j] = (j + 16 * ((qh >>> j) & 1)) - 16;
            expected[16 + j] = (15 - j + 16 * ((qh >>> (16 + j)) & 1)) - 16;
        }

        float[] values = BlockBytes.decode(GgmlType.Q5_0, block.bytes());

        assertThat(values).containsExactly(expected);
        assertThat(values[0]).isEqualTo(0.0f);    // 0 | 16 (bit 0 set)
        assertThat(values[4]).isEqualTo(-12.0f);  // 4 (bit 4 clear)
        assertThat(values[8]).isEqualTo(8.0f);    // 8 | 16 (bit 8 set)
        assertThat(values[15]).isEqualTo(-1.0f);  // 15 (bit 15 clear)
        assertThat(values[16]).isEqualTo(15.0f);  // high nibble of qs[0] is 15, bit 16 set
        assertThat(values[17]).isEqualTo(-2.0f);  // high nibble of qs[1] is 14, bit 17 clear
        assertThat(values[31]).isEqualTo(0.0f);   // high nibble of qs[15] is 0, bit 31 set
    }

    @Test
    void multiplesOfTheScaleComeBackExactly() {
        // -8.0 is the weight of largest magnitude: level -16, d = 0.5 (fp16 0x3800)
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) {
            x[j] = (j - 16) * 0.5f;
        }

        byte[] stored = Quantizer.quantize(GgmlType.Q5_0, x);

        assertThat(BlockBytes.halfAt(stored, 0)).isEqualTo(0x3800);
        // weights 0..15 are levels 0..15 (fifth bit clear), weights 16..31 levels 16..31 (fifth bit set)
        assertThat(new byte[] {stored[2], stored[3], stored[4], stored[5]})
                .containsExactly(0x00, 0x00, (byte) 0xFF, (byte) 0xFF);
        assertThat(stored[6] & 0xFF).isEqualTo(0x00);  // levels 0 and 16: low bits 0 and 0
        assertThat(stored[21] & 0xFF).isEqualTo(0xFF); // levels 15 and 31: low bits 15 and 15
        assertThat(BlockBytes.decode(GgmlType.Q5_0, stored)).containsExactly(x);
    }

    @Test
    void requantizingDecodedWeightsReproducesTheBlock() {
        float[] x = RandomWeights.randomFloats(32 * 8, 13, 0.1f);
        byte[] stored = Quantizer.quantize(GgmlType.Q5_0, x);
        float[] decoded = BlockBytes.decode(GgmlType.Q5_0, stored);
        assertThat(Quantizer.quantize(GgmlType.Q5_0, decoded)).containsExactly(stored);
    }
}
