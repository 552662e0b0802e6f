package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Q8_0, ggml's {@code block_q8_0}: {@code ggml_half d; int8_t qs[32];} (34 bytes); weight j is {@code qs[j] * d}.
 */
final class Q8_0Codec implements BlockCodec {

    static final Q8_0Codec INSTANCE = new Q8_0Codec();

    private static final int WEIGHTS = 32;
    private static final int D = 0;
    private static final int QS = 2;

    private Q8_0Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.f16(src, offset + D);
        for (int j = 0; j < WEIGHTS; j++) {
            dst[dstOffset + j] = LittleEndian.s8(src, offset + QS + j) * d;
        }
    }

    /** As {@code quantize_row_q8_0_ref}: d = absmax / 127, each weight rounded (ties away from zero) to d. */
    @Override
    public void encode(float[] src, int srcOffset, MemorySegment dst, long offset) {
        float amax = 0;
        for (int j = 0; j < WEIGHTS; j++) {
            amax = Math.max(amax, Math.abs(src[srcOffset + j]));
        }
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        LittleEndian.putF16(dst, offset + D, d);
        for (int j = 0; j < WEIGHTS; j++) {
            LittleEndian.putU8(dst, offset + QS + j, Rounding.awayFromZero(src[srcOffset + j] * id));
        }
    }
}
