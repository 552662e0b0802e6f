package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Q5_1, ggml's {@code block_q5_1}: {@code ggml_half d; ggml_half m; uint8_t qh[4]; uint8_t qs[16];} (24 bytes).
 * Nibbles and fifth bits are placed as in {@link Q5_0Codec}; a 5-bit level q means {@code q * d + m}.
 */
final class Q5_1Codec implements BlockCodec {

    static final Q5_1Codec INSTANCE = new Q5_1Codec();

    private static final int WEIGHTS = 32;
    private static final int HALF = WEIGHTS / 2;
    private static final int D = 0;
    private static final int M = 2;
    private static final int QH = 4;
    private static final int QS = 8;

    private Q5_1Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.f16(src, offset + D);
        float m = LittleEndian.f16(src, offset + M);
        int qh = src.get(LittleEndian.INT, offset + QH);
        for (int j = 0; j < HALF; j++) {
            int packed = LittleEndian.u8(src, offset + QS + j);
            int low = (packed & 0x0F) | ((qh >>> j) & 1) << 4;
            int high = (packed >>> 4) | ((qh >>> (j + HALF)) & 1) << 4;
            dst[dstOffset + j] = low * d + m;
            dst[dstOffset + j + HALF] = high * d + m;
        }
    }

    /** As {@code quantize_row_q5_1_ref}: m = block minimum, d = (max - min) / 31, levels rounded half up. */
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
        float d = (max - min) / 31;
        float id = d != 0 ? 1.0f / d : 0.0f;
        LittleEndian.putF16(dst, offset + D, d);
        LittleEndian.putF16(dst, offset + M, min);
        int qh = 0;
        for (int j = 0; j < HALF; j++) {
            // ggml does not clamp here; (max - min) * id can only exceed 31 by rounding, so the clamp never bites.
            int low = Math.min(31, (int) ((src[srcOffset + j] - min) * id + 0.5f));
            int high = Math.min(31, (int) ((src[srcOffset + j + HALF] - min) * id + 0.5f));
            LittleEndian.putU8(dst, offset + QS + j, (low & 0x0F) | (high & 0x0F) << 4);
            qh |= (low >>> 4) << j;
            qh |= (high >>> 4) << (j + HALF);
        }
        dst.set(LittleEndian.INT, offset + QH, qh);
    }
}
