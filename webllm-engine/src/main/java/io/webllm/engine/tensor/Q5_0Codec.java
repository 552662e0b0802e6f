package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Q5_0, ggml's {@code block_q5_0}: {@code ggml_half d; uint8_t qh[4]; uint8_t qs[16];} (22 bytes). The low nibble of
 * {@code qs[j]} holds the low 4 bits of weight j and the high nibble those of weight j + 16; bit i of {@code qh}, read
 * as a little-endian uint32, is the fifth bit of weight i. A 5-bit level q means {@code (q - 16) * d}.
 */
final class Q5_0Codec implements BlockCodec {

    static final Q5_0Codec INSTANCE = new Q5_0Codec();

    private static final int WEIGHTS = 32;
    private static final int HALF = WEIGHTS / 2;
    private static final int D = 0;
    private static final int QH = 2;
    private static final int QS = 6;

    private Q5_0Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
    }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.f16(src, offset + D);
        int qh = src.get(LittleEndian.INT, offset + QH);
        for (int j = 0; j < HALF; j++) {
            int packed = LittleEndian.u8(src, offset + QS + j);
            int low = (packed & 0x0F) | ((qh >>> j) & 1) << 4;
            int high = (packed >>> 4) | ((qh >>> (j + HALF)) & 1) << 4;
            dst[dstOffset + j] = (low - 16) * d;
            dst[dstOffset + j + HALF] = (high - 16) * d;
        }
    }

    /** As {@code quantize_row_q5_0_ref}: the weight of largest magnitude becomes level -16 (d = it / -16). */
    @Override
    public void encode(float[] src, int srcOffset, MemorySegment dst, long offset) {
        float extreme = SignedExtreme.of(src, srcOffset, WEIGHTS);
        float d = extreme / -16;
        float id = d != 0 ? 1.0f / d : 0.0f;
        LittleEndian.putF16(dst, offset + D, d);
        int qh = 0;
        for (int j = 0; j < HALF; j++) {
            int low = Math.min(31, (int) (src[srcOffset + j] * id + 16.5f));
            int high = Math.min(31, (int) (src[srcOffset + j + HALF] * id + 16.5f));
            LittleEndian.putU8(dst, offset + QS + j, (low & 0x0F) | (high & 0x0F) << 4);
            qh |= (low >>> 4) << j;
            qh |= (high >>> 4) << (j + HALF);
        }
        dst.set(LittleEndian.INT, offset + QH, qh);
    }
}
