package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The 12-byte {@code scales} field of Q4_K and Q5_K: eight 6-bit sub-block scales and eight 6-bit sub-block mins.
 *
 * <p>Sub-blocks 0..3 keep their scale in the low 6 bits of byte j and their min in the low 6 bits of byte j + 4.
 * Sub-blocks 4..7 keep the low 4 bits of scale and min in the low and high nibble of byte j + 4, and their top 2
 * bits in the top 2 bits of byte j - 4 (scale) and byte j (min). This is ggml's {@code get_scale_min_k4}.
 */
final class KScaleMinPacking {

    static final int BYTES = 12;
    static final int SUB_BLOCKS = 8;

    private KScaleMinPacking() {
    }

    static int scale(MemorySegment src, long at, int j) {
        if (j < 4) {
            return LittleEndian.u8(src, at + j) & 63;
        }
        return (LittleEndian.u8(src, at + j + 4) & 0x0F) | (LittleEndian.u8(src, at + j - 4) >>> 6) << 4;
    }

    static int min(MemorySegment src, long at, int j) {
        if (j < 4) {
            return LittleEndian.u8(src, at + j + 4) & 63;
        }
        return (LittleEndian.u8(src, at + j + 4) >>> 4) | (LittleEndian.u8(src, at + j) >>> 6) << 4;
    }

    /** Packs eight scales and eight mins, each in [0, 63], into the 12 bytes at {@code at}. */
    static void pack(int[] scales, int[] mins, MemorySegment dst, long at) {
        int[] bytes = new int[BYTES];
        for (int j = 0; j < SUB_BLOCKS; j++) {
            if (j < 4) {
                bytes[j] |= scales[j];
                bytes[j + 4] |= mins[j];
            } else {
                bytes[j + 4] = (scales[j] & 0x0F) | (mins[j] & 0x0F) << 4;
                bytes[j - 4] |= (scales[j] >>> 4) << 6;
                bytes[j] |= (mins[j] >>> 4) << 6;
            }
        }
        for (int i = 0; i < BYTES; i++) {
            LittleEndian.putU8(dst, at + i, bytes[i]);
        }
    }
}
