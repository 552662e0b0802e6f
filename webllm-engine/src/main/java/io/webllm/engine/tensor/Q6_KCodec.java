package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Q6_K, ggml's {@code block_q6_K}: {@code uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; ggml_half d;}
 * (210 bytes for 256 weights). Weight i uses the signed scale {@code scales[i / 16]} and decodes a 6-bit level q as
 * {@code d * scale * (q - 32)}.
 *
 * <p>The levels are split by halves of 128 weights. In half h, for l in 0..31, the four weights 128h + l + 32k
 * (k = 0..3) share {@code qh[32h + l]}, whose bits 2k..2k+1 are their top two bits; their low four bits are the low
 * nibble of {@code ql[64h + l]} (k = 0), the low nibble of {@code ql[64h + 32 + l]} (k = 1), and the high nibbles of
 * the same two bytes (k = 2, 3).
 */
final class Q6_KCodec implements BlockCodec {

    static final Q6_KCodec INSTANCE = new Q6_KCodec();

    private static final int WEIGHTS = 256;
    private static final int SUB_BLOCK = 16;
    private static final int QL = 0;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    private Q6_KCodec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.f16(src, offset + D);
        for (int i = 0; i < WEIGHTS; i++) {
            int half = i / 128;
            int k = i % 128 / 32;
            int l = i % 32;
            int lowByte = LittleEndian.u8(src, offset + QL + 64 * half + 32 * (k & 1) + l);
            int low = k < 2 ? lowByte & 0x0F : lowByte >>> 4;
            int top = (LittleEndian.u8(src, offset + QH + 32 * half + l) >>> (2 * k)) & 3;
            int scale = LittleEndian.s8(src, offset + SCALES + i / SUB_BLOCK);
            // (d * scale) * q, in ggml's order, so results match its dequantize_row_q6_K bit for bit
            dst[dstOffset + i] = d * scale * ((low | top << 4) - 32);
        }
    }

    /**
     * Like {@code quantize_row_q6_K_ref} without its scale search: each sub-block of 16 is scaled so that its
     * weight of largest magnitude maps to level -32 exactly; the sub-block scales are then rounded to int8 against
     * the largest one (which becomes -128), and every weight is re-rounded against the scale it will be decoded with.
     */
    @Override
    public void encode(float[] src, int srcOffset, MemorySegment dst, long offset) {
        float[] subScale = new float[WEIGHTS / SUB_BLOCK];
        float largestScale = 0;
        for (int j = 0; j < subScale.length; j++) {
            subScale[j] = SignedExtreme.of(src, srcOffset + SUB_BLOCK * j, SUB_BLOCK) / -32;
            if (Math.abs(subScale[j]) > Math.abs(largestScale)) {
                largestScale = subScale[j];
            }
        }
        dst.asSlice(offset, GgmlType.Q6_K.bytesPerBlock()).fill((byte) 0);
        if (largestScale == 0) {
            return;
        }
        float inverse = -128 / largestScale;
        float d = LittleEndian.roundToF16(1 / inverse);
        LittleEndian.putF16(dst, offset + D, d);
        int[] levels = new int[WEIGHTS];
        for (int j = 0; j < subScale.length; j++) {
            int scale = Math.min(127, Rounding.nearestEven(inverse * subScale[j]));
            LittleEndian.putU8(dst, offset + SCALES + j, scale);
            float step = d * scale;
            for (int i = SUB_BLOCK * j; i < SUB_BLOCK * (j + 1); i++) {
                int level = step != 0 ? Rounding.nearestEven(src[srcOffset + i] / step) : 0;
                levels[i] = Math.clamp(level, -32, 31) + 32;
            }
        }
        int[] q = new int[4];
        for (int half = 0; half < 2; half++) {
            for (int l = 0; l < 32; l++) {
                for (int k = 0; k < 4; k++) {
                    q[k] = levels[128 * half + 32 * k + l];
                }
                LittleEndian.putU8(dst, offset + QL + 64 * half + l, (q[0] & 0x0F) | (q[2] & 0x0F) << 4);
                LittleEndian.putU8(dst, offset + QL + 64 * half + 32 + l, (q[1] & 0x0F) | (q[3] & 0x0F) << 4);
                LittleEndian.putU8(dst, offset + QH + 32 * half + l,
                        q[0] >>> 4 | (q[1] >>> 4) << 2 | (q[2] >>> 4) << 4 | (q[3] >>> 4) << 6);
            }
        }
    }
}
