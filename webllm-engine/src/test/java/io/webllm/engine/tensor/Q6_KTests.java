package io.webllm.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * block_q6_K = { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; ggml_half d; }: weight i has the signed scale
 * scales[i / 16] and decodes a 6-bit level q as d * scale * (q - 32). In half h (128 weights), for l in 0..31, the
 * weights 128h + 32k + l take their low four bits from ql[64h + l] (k = 0: low nibble, k = 2: high nibble) or
 * ql[64h + 32 + l] (k = 1: low, k = 3: high), and their top two bits from bits 2k, 2k + 1 of qh[32h + l].
 */
class Q6_KTests {

    private static final int[] SCALES = {1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 127, -128};

    @Test
    void decodesSplitLevelsWithSignedScales() {
        BlockBytes block = new BlockBytes(210).half(208, 0x3800); // d = 0.5, stored last
        for (int b = 0; b < 128; b++) {
            block.u8(b, ql(b));
        }
        for (int b = 0; b < 64; b++) {
            block.u8(128 + b, qh(b));
        }
        for (int j = 0; j < 16; j++) {
            block.u8(192 + j, SCALES[j]);
        }
        float[] expected = new float[256];
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int[] low = {ql(64 * h + l) & 15, ql(64 * h + 32 + l) & 15, ql(64 * h + l) >> 4,
                        ql(64 * h + 32 + l) >> 4};
                for (int k = 0; k < 4; k++) {
                    int level = low[k] | (qh(32 * h + l) >> (2 * k) & 3) << 4;
                    int i = 128 * h + 32 * k + l;
                    expected[i] = 0.5f * SCALES[i / 16] * (level - 32);
                }
            }
        }

        float[] values = BlockBytes.decode(GgmlType.Q6_K, block.bytes());

        assertThat(values).containsExactly(expected);
        // ql[0] = 3, ql[32] = 0xE3, qh[0] = 0b00000101
        assertThat(values[0]).isEqualTo(-6.5f);   // level 3 | 1 << 4 = 19, scale 1
        assertThat(values[32]).isEqualTo(-13.0f); // level 3 | 1 << 4 = 19, scale 2
        assertThat(values[64]).isEqualTo(-48.0f); // level 0, scale 3
        assertThat(values[96]).isEqualTo(-36.0f); // level 14, scale 4
        // ql[81] = 0x3A, qh[49] = 0b10000010: weight 145 is level 10 | 2 << 4 = 42, scale -5
        assertThat(values[145]).isEqualTo(-25.0f);
        // ql[127] = 0x7C, qh[63] = 0b00111000: weight 255 is level 7, scale -128
        assertThat(values[255]).isEqualTo(1600.0f);
    }

    @Test
    void weightsOnAnExactGridComeBackExactlyInGgmlsLayout() {
        // every sub-block's extreme is level 0 (-32 steps); steps 1/8 (first half) and 1/4 (second half) make
        // d = -2^-9 and the int8 scales -64 and -128, all exact
        float[] x = new float[256];
        for (int i = 0; i < 256; i++) {
            x[i] = (level(i) - 32) * 0.125f * (1 + i / 128);
        }

        byte[] stored = Quantizer.quantize(GgmlType.Q6_K, x);

        assertThat(BlockBytes.halfAt(stored, 208)).isEqualTo(0x9800); // -2^-9
        for (int j = 0; j < 16; j++) {
            assertThat(stored[192 + j]).as("scales[%d]", j).isEqualTo((byte) (j < 8 ? -64 : -128));
        }
        for (int i = 0; i < 256; i++) {
            int h = i / 128;
            int k = i % 128 / 32;
            int l = i % 32;
            int lowByte = stored[64 * h + 32 * (k & 1) + l] & 0xFF;
            int low = k < 2 ? lowByte & 15 : lowByte >> 4;
            int top = (stored[128 + 32 * h + l] & 0xFF) >> (2 * k) & 3;
            assertThat(low | top << 4).as("level of weight %d", i).isEqualTo(level(i));
        }
        assertThat(BlockBytes.decode(GgmlType.Q6_K, stored)).containsExactly(x);
    }

    /** Level 0 first in each sub-block of 16, then fifteen distinct levels spread over 4..63. */
    private static int level(int i) {
        int r = i % 16;
        return r == 0 ? 0 : (r * 5 % 16) * 4 + i / 16 % 4;
    }

    @Test
    void anAllZeroBlockIsAllZeroBytes() {
        assertThat(Quantizer.quantize(GgmlType.Q6_K, new float[256])).containsOnly(0);
    }

    private static int ql(int b) {
        return (b * 7 + 3) & 0xFF;
    }

    private static int qh(int b) {
        return (b * 13 + 5) & 0xFF;
    }
}
