package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Q4_1, ggml's {@code block_q4_1}: {@code ggml_half d; ggml_half m; uint8_t qs[16];} (20 bytes). The low nibble of
 * {@code qs[j]} is weight j and the high nibble weight j + 16; a nibble q means {@code q * d + m}.
 */
final class Q4_1Codec implements BlockCodec {

    static final Q4_1Codec INSTANCE = new Q4_1Codec();

    private static final int WEIGHTS = 32;
    private static final int HALF = WEIGHTS / 2;
    private static final int D = 0;
    private static final int M = 2;
    private static final int QS = 4;

    private Q4_1Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.f16(src, offset + D);
        float m = LittleEndian.f16(src, offset + M);
        for (int j = 0; j < HALF; j++) {
            int packed = LittleEndian.u8(src, offset + QS + j);
            dst[dstOffset + j] = (packed & 0x0F) * d + m;
            dst[dstOffset + j + HALF] = (packed >>> 4) * d + m;
        }
    }

    /** As {@code quantize_row_q4_1_ref}: m = block minimum, d = (max - min) / 15, levels rounded half up. */
    @Override
    public void encode(float[] src, int srcOffset, MemorySegment dst, long offset) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < WEIGHTS; j++) {
            // comparisons rather than Math.min/max, which would prefer -0.0 over 0.0 and so change the stored m
            float v = src[srcOffset + j];
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
        }
        float d = (max - min) / 15;
        float id = d != 0 ? 1.0f / d : 0.0f;
        LittleEndian.putF16(dst, offset + D, d);
        LittleEndian.putF16(dst, offset + M, min);
        for (int j = 0; j < HALF; j++) {
            int low = Math.min(15, (int) ((src[srcOffset + j] - min) * id + 0.5f));
            int high = Math.min(15, (int) ((src[srcOffset + j + HALF] - min) * id + 0.5f));
            LittleEndian.putU8(dst, offset + QS + j, low | high << 4);
        }
    }
}
