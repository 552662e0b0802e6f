package io.webllm.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * block_q5_1 = { ggml_half d; ggml_half m; uint8_t qh[4]; uint8_t qs[16]; }: bits placed as in Q5_0, and a level q
 * means q * d + m.
 */
class Q5_1Tests {

    @Test
    void decodesFiveBitLevelsTimesScalePlusMin() {
        BlockBytes block = new BlockBytes(24).half(0, 0x3800).half(2, 0xBC00) // d = 0.5, m = -1
                .u8(4, 0x01).u8(5, 0x80).u8(6, 0x00).u8(7, 0xFF);   // bits 0, 15 and 24..31 set
        for (int j = 0; j < 16; j++) {
            block.u8(8 + j, j | (15 - j) << 4);
        }
        long qh = 0xFF008001L;
        float[] expected = new float[32];
        for (int j = 0; j < 16; j++) {
            expected[j] = (j + 16 * ((qh >>> j) & 1)) * 0.5f - 1;
            expected[16 + j] = (15 - j + 16 * ((qh >>> (16 + j)) & 1)) * 0.5f - 1;
        }

        float[] values = BlockBytes.decode(GgmlType.Q5_1, block.bytes());

        assertThat(values).containsExactly(expected);
        assertThat(values[0]).isEqualTo(7.0f);   // 16 * 0.5 - 1
        assertThat(values[1]).isEqualTo(-0.5f);  // 1 * 0.5 - 1
        assertThat(values[15]).isEqualTo(14.5f); // 31 * 0.5 - 1
        assertThat(values[16]).isEqualTo(6.5f);  // 15 * 0.5 - 1, bit 16 clear
        assertThat(values[24]).isEqualTo(10.5f); // (7 | 16) * 0.5 - 1
        assertThat(values[31]).isEqualTo(7.0f);  // (0 | 16) * 0.5 - 1
    }

    @Test
    void anEvenGridFromTheMinimumComesBackExactly() {
        // min -4, max -4 + 31 * 0.25: d = 7.75 / 31 = 0.25 (0x3400), m = -4 (0xC400)
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) {
            x[j] = -4.0f + (j * 13 % 32) * 0.25f;
        }

        byte[] stored = Quantizer.quantize(GgmlType.Q5_1, x);

        assertThat(BlockBytes.halfAt(stored, 0)).isEqualTo(0x3400);
        assertThat(BlockBytes.halfAt(stored, 2)).isEqualTo(0xC400);
        long qh = 0;
        for (int i = 0; i < 32; i++) {
            qh |= (long) ((i * 13 % 32) >>> 4) << i;
        }
        long storedQh = (stored[4] & 0xFF) | (stored[5] & 0xFF) << 8 | (stored[6] & 0xFF) << 16
                | (long) (stored[7] & 0xFF) << 24;
        assertThat(storedQh).isEqualTo(qh);
        assertThat(BlockBytes.decode(GgmlType.Q5_1, stored)).containsExactly(x);
    }
}
