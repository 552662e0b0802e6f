package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0, ggml's {@code block_q4_0}: {@code ggml_half d; uint8_t qs[16];} (18 bytes). The low nibble of {@code qs[j]}
 * is weight j and the high nibble weight j + 16; a nibble q means {@code (q - 8) * d}.
 */
final class Q4_0Codec implements BlockCodec {

    static final Q4_0Codec INSTANCE = new Q4_0Codec();

    private static final int WEIGHTS = 32;
    private static final int HALF = WEIGHTS / 2;
    private static final int D = 0;
    private static final int QS = 2;

    private Q4_0Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.f16(src, offset + D);
        for (int j = 0; j < HALF; j++) {
            int packed = LittleEndian.u8(src, offset + QS + j);
            dst[dstOffset + j] = ((packed & 0x0F) - 8) * d;
            dst[dstOffset + j + HALF] = ((packed >>> 4) - 8) * d;
        }
    }

    /**
     * As {@code quantize_row_q4_0_ref}: the weight of largest magnitude, with its sign, becomes level -8 exactly
     * (d = that weight / -8), so the asymmetric range [-8, 7] is spent where the block needs it.
     */
    @Override
    public void encode(float[] src, int srcOffset, MemorySegment dst, long offset) {
        float extreme = SignedExtreme.of(src, srcOffset, WEIGHTS);
        float d = extreme / -8;
        float id = d != 0 ? 1.0f / d : 0.0f;
        LittleEndian.putF16(dst, offset + D, d);
        for (int j = 0; j < HALF; j++) {
            int low = Math.min(15, (int) (src[srcOffset + j] * id + 8.5f));
            int high = Math.min(15, (int) (src[srcOffset + j + HALF] * id + 8.5f));
            LittleEndian.putU8(dst, offset + QS + j, low | high << 4);
        }
    }
}
