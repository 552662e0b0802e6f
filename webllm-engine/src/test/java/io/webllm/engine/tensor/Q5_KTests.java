package io.webllm.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * block_q5_K = { ggml_half d; ggml_half dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; }: low bits and
 * scales as in Q4_K; bit 2n of qh[l] is the fifth bit of weight 64n + l, bit 2n + 1 that of weight 64n + 32 + l.
 */
class Q5_KTests {

    @Test
    void fifthBitsAreBitPlanesOfQh() {
        BlockBytes block = new BlockBytes(176).half(0, 0x3C00).half(2, 0x3800); // d = 1, dmin = 0.5
        for (int i = 0; i < 12; i++) {
            block.u8(4 + i, Q4_KTests.PACKED[i]);
        }
        for (int l = 0; l < 32; l++) {
            block.u8(16 + l, fifthBits(l));
        }
        for (int n = 0; n < 4; n++) {
            for (int l = 0; l < 32; l++) {
                block.u8(48 + 32 * n + l, (l & 15) | ((l + 3 * n + 1) & 15) << 4);
            }
        }
        float[] expected = new float[256];
        for (int n = 0; n < 4; n++) {
            for (int l = 0; l < 32; l++) {
                int low = (l & 15) + 16 * (fifthBits(l) >> (2 * n) & 1);
                int high = ((l + 3 * n + 1) & 15) + 16 * (fifthBits(l) >> (2 * n + 1) & 1);
                expected[64 * n + l] = Q4_KTests.SCALES[2 * n] * low - 0.5f * Q4_KTests.MINS[2 * n];
                expected[64 * n + 32 + l] = Q4_KTests.SCALES[2 * n + 1] * high - 0.5f * Q4_KTests.MINS[2 * n + 1];
            }
        }

        float[] values = BlockBytes.decode(GgmlType.Q5_K, block.bytes());

        assertThat(values).containsExactly(expected);
        // qh[0] = 11 = 0b00001011, qh[31] = 134 = 0b10000110
        assertThat(values[0]).isEqualTo(16.0f);    // level 0 | 16 (bit 0), scale 1, min 0
        assertThat(values[32]).isEqualTo(31.5f);   // level 1 | 16 (bit 1), scale 2, min 5
        assertThat(values[64]).isEqualTo(-5.0f);   // level 0 (bit 2 clear), scale 3, min 10
        assertThat(values[96]).isEqualTo(48.5f);   // level 4 | 16 (bit 3), scale 4, min 63
        assertThat(values[255]).isEqualTo(1574.0f); // level 9 | 16 (bit 7 of qh[31]), scale 63, min 2
    }

    @Test
    void weightsOnAnExactGridComeBackExactlyInGgmlsLayout() {
        // as in Q4_KTests: exact fp16 steps, and every sub-block holds all levels 0..31
        float[] x = new float[256];
        for (int i = 0; i < 256; i++) {
            int sub = i / 32;
            x[i] = Q4_KTests.SCALES[sub] * level(i) / 64f - Q4_KTests.MINS[sub] / 128f;
        }

        byte[] stored = Quantizer.quantize(GgmlType.Q5_K, x);

        assertThat(BlockBytes.halfAt(stored, 0)).isEqualTo(0x2400); // 2^-6
        assertThat(BlockBytes.halfAt(stored, 2)).isEqualTo(0x2000); // 2^-7
        assertThat(Arrays.copyOfRange(stored, 4, 16)).containsExactly(Q4_KTests.toBytes(Q4_KTests.PACKED));
        for (int l = 0; l < 32; l++) {
            int expectedBits = 0;
            for (int n = 0; n < 4; n++) {
                expectedBits |= (level(64 * n + l) >> 4) << (2 * n);
                expectedBits |= (level(64 * n + 32 + l) >> 4) << (2 * n + 1);
            }
            assertThat(stored[16 + l] & 0xFF).as("qh[%d]", l).isEqualTo(expectedBits);
        }
        for (int n = 0; n < 4; n++) {
            for (int l = 0; l < 32; l++) {
                int low = level(64 * n + l) & 15;
                int high = level(64 * n + 32 + l) & 15;
                assertThat(stored[48 + 32 * n + l] & 0xFF).as("qs[%d]", 32 * n + l).isEqualTo(low | high << 4);
            }
        }
        assertThat(BlockBytes.decode(GgmlType.Q5_K, stored)).containsExactly(x);
    }

    private static int level(int i) {
        return i * 7 % 32;
    }

    private static int fifthBits(int l) {
        return (l * 37 + 11) & 0xFF;
    }
}
