package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Q4_K, ggml's {@code block_q4_K}: {@code ggml_half d; ggml_half dmin; uint8_t scales[12]; uint8_t qs[128];}
 * (144 bytes for 256 weights). The weights form four chunks of 64; chunk n uses {@code qs[32n .. 32n+31]}: the low
 * nibble of {@code qs[32n + l]} is weight 64n + l (sub-block 2n), the high nibble weight 64n + 32 + l (sub-block
 * 2n + 1). Sub-block j decodes a nibble q as {@code d * scale(j) * q - dmin * min(j)}, with scale and min from
 * {@link KScaleMinPacking}.
 */
final class Q4_KCodec implements BlockCodec {

    static final Q4_KCodec INSTANCE = new Q4_KCodec();

    private static final int D = 0;
    private static final int DMIN = 2;
    private static final int SCALES = 4;
    private static final int QS = 16;

    private Q4_KCodec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.f16(src, offset + D);
        float dmin = LittleEndian.f16(src, offset + DMIN);
        for (int chunk = 0; chunk < 4; chunk++) {
            int lowSub = 2 * chunk;
            int highSub = 2 * chunk + 1;
            float lowScale = d * KScaleMinPacking.scale(src, offset + SCALES, lowSub);
            float lowMin = dmin * KScaleMinPacking.min(src, offset + SCALES, lowSub);
            float highScale = d * KScaleMinPacking.scale(src, offset + SCALES, highSub);
            float highMin = dmin * KScaleMinPacking.min(src, offset + SCALES, highSub);
            for (int l = 0; l < 32; l++) {
                int packed = LittleEndian.u8(src, offset + QS + 32 * chunk + l);
                dst[dstOffset + 64 * chunk + l] = lowScale * (packed & 0x0F) - lowMin;
                dst[dstOffset + 64 * chunk + 32 + l] = highScale * (packed >>> 4) - highMin;
            }
        }
    }

    @Override
    public void encode(float[] src, int srcOffset, MemorySegment dst, long offset) {
        KQuantAffineFit fit = KQuantAffineFit.of(src, srcOffset, 15);
        LittleEndian.putF16(dst, offset + D, fit.d);
        LittleEndian.putF16(dst, offset + DMIN, fit.dmin);
        KScaleMinPacking.pack(fit.scales, fit.mins, dst, offset + SCALES);
        for (int chunk = 0; chunk < 4; chunk++) {
            for (int l = 0; l < 32; l++) {
                int low = fit.levels[64 * chunk + l];
                int high = fit.levels[64 * chunk + 32 + l];
                LittleEndian.putU8(dst, offset + QS + 32 * chunk + l, low | high << 4);
            }
        }
    }
}
