package io.webllm.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * block_q4_K = { ggml_half d; ggml_half dmin; uint8_t scales[12]; uint8_t qs[128]; } for 256 weights: eight
 * sub-blocks of 32, sub-block j decoding a nibble q as d * sc[j] * q - dmin * m[j].
 */
class Q4_KTests {

    /** Sub-block scales and mins; 4..7 need their top two bits, stored apart from the low four. */
    static final int[] SCALES = {1, 2, 3, 4, 17, 33, 50, 63};
    static final int[] MINS = {0, 5, 10, 63, 16, 31, 47, 2};

    /** SCALES and MINS packed by hand (see {@link #scalesPackedFieldByField}). */
    static final int[] PACKED = {0x41, 0x82, 0xC3, 0xC4, 0x40, 0x45, 0x8A, 0x3F, 0x01, 0xF1, 0xF2, 0x2F};

    @Test
    void handPackedScalesFollowTheGgmlRule() {
        assertThat(scalesPackedFieldByField(SCALES, MINS)).containsExactly(PACKED);
    }

    @Test
    void decodesNibblesPerChunkWithPackedScalesAndMins() {
        BlockBytes block = new BlockBytes(144).half(0, 0x3C00).half(2, 0x3800); // d = 1, dmin = 0.5
        for (int i = 0; i < 12; i++) {
            block.u8(4 + i, PACKED[i]);
        }
        for (int n = 0; n < 4; n++) {
            for (int l = 0; l < 32; l++) {
                block.u8(16 + 32 * n + l, lowNibble(l) | highNibble(n, l) << 4);
            }
        }
        float[] expected = new float[256];
        for (int n = 0; n < 4; n++) {
            for (int l = 0; l < 32; l++) {
                expected[64 * n + l] = SCALES[2 * n] * lowNibble(l) - 0.5f * MINS[2 * n];
                expected[64 * n + 32 + l] = SCALES[2 * n + 1] * highNibble(n, l) - 0.5f * MINS[2 * n + 1];
            }
        }

        float[] values = BlockBytes.decode(GgmlType.Q4_K, block.bytes());

        assertThat(values).containsExactly(expected);
        assertThat(values[1]).isEqualTo(1.0f);      // sub-block 0: 1 * 1 - 0.5 * 0
        assertThat(values[32]).isEqualTo(-0.5f);    // sub-block 1: 2 * 1 - 0.5 * 5
        assertThat(values[133]).isEqualTo(77.0f);   // sub-block 4: 17 * 5 - 0.5 * 16
        assertThat(values[160]).isEqualTo(215.5f);  // sub-block 5: 33 * 7 - 0.5 * 31
        assertThat(values[199]).isEqualTo(326.5f);  // sub-block 6: 50 * 7 - 0.5 * 47
        assertThat(values[255]).isEqualTo(566.0f);  // sub-block 7: 63 * 9 - 0.5 * 2
    }

    @Test
    void weightsOnAnExactGridComeBackExactlyInGgmlsLayout() {
        // d = 2^-6 and dmin = 2^-7 with the largest scale and min code 63: every step is exact in fp16, and each
        // sub-block holds all levels 0..15, so the quantizer has exactly one right answer
        float[] x = new float[256];
        for (int i = 0; i < 256; i++) {
            int sub = i / 32;
            x[i] = SCALES[sub] * level(i) / 64f - MINS[sub] / 128f;
        }

        byte[] stored = Quantizer.quantize(GgmlType.Q4_K, x);

        assertThat(BlockBytes.halfAt(stored, 0)).isEqualTo(0x2400); // 2^-6
        assertThat(BlockBytes.halfAt(stored, 2)).isEqualTo(0x2000); // 2^-7
        assertThat(Arrays.copyOfRange(stored, 4, 16)).containsExactly(toBytes(PACKED));
        for (int n = 0; n < 4; n++) {
            for (int l = 0; l < 32; l++) {
                int low = level(64 * n + l);
                int high = level(64 * n + 32 + l);
                assertThat(stored[16 + 32 * n + l] & 0xFF).as("qs[%d]", 32 * n + l).isEqualTo(low | high << 4);
            }
        }
        assertThat(BlockBytes.decode(GgmlType.Q4_K, stored)).containsExactly(x);
    }

    private static int level(int i) {
        return i * 5 % 16;
    }

    @Test
    void constantBlocksUseTheMinAlone() {
        float[] x = new float[512];
        Arrays.fill(x, 0, 256, -0.3f);
        Arrays.fill(x, 256, 512, 0.3f);

        float[] decoded = BlockBytes.decode(GgmlType.Q4_K, Quantizer.quantize(GgmlType.Q4_K, x));

        for (int i = 0; i < 512; i++) {
            assertThat(decoded[i]).as("weight %d", i).isCloseTo(x[i], within(3e-4f));
        }
    }

    private static int lowNibble(int l) {
        return l & 15;
    }

    private static int highNibble(int n, int l) {
        return (l + 3 * n + 1) & 15;
    }

    /**
     * The ggml packing written out per field: bytes 0..3 hold sc[0..3] with the top two bits of sc[4..7] above them,
     * bytes 4..7 hold m[0..3] with the top two bits of m[4..7], bytes 8..11 hold the low nibbles of sc[4..7] and
     * (high nibble) m[4..7].
     */
    static int[] scalesPackedFieldByField(int[] scales, int[] mins) {
        int[] packed = new int[12];
        for (int j = 0; j < 4; j++) {
            packed[j] = scales[j] | (scales[j + 4] >> 4) << 6;
            packed[j + 4] = mins[j] | (mins[j + 4] >> 4) << 6;
            packed[j + 8] = (scales[j + 4] & 15) | (mins[j + 4] & 15) << 4;
        }
        return packed;
    }

    static byte[] toBytes(int[] values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }
}
