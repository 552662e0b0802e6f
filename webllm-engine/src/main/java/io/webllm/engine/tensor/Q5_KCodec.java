package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Q5_K, ggml's {@code block_q5_K}:
 * {@code ggml_half d; ggml_half dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128];} (176 bytes for 256
 * weights). The low 4 bits of each level sit in {@code qs} exactly as in {@link Q4_KCodec}. The fifth bits are bit
 * planes: bit 2n of {@code qh[l]} belongs to weight 64n + l, bit 2n + 1 to weight 64n + 32 + l. Sub-block j decodes a
 * level q in [0, 31] as {@code d * scale(j) * q - dmin * min(j)}.
 */
final class Q5_KCodec implements BlockCodec {

    static final Q5_KCodec INSTANCE = new Q5_KCodec();

    private static final int D = 0;
    private static final int DMIN = 2;
    private static final int SCALES = 4;
    private static final int QH = 16;
    private static final int QS = 48;

    private Q5_KCodec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
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
                int fifthBits = LittleEndian.u8(src, offset + QH + l);
                int low = (packed & 0x0F) | ((fifthBits >>> (2 * chunk)) & 1) << 4;
                int high = (packed >>> 4) | ((fifthBits >>> (2 * chunk + 1)) & 1) << 4;
                dst[dstOffset + 64 * chunk + l] = lowScale * low - lowMin;
                dst[dstOffset + 64 * chunk + 32 + l] = highScale * high - highMin;
            }
        }
    }

    @Override
    public void encode(float[] src, int srcOffset, MemorySegment dst, long offset) {
        KQuantAffineFit fit = KQuantAffineFit.of(src, srcOffset, 31);
        LittleEndian.putF16(dst, offset + D, fit.d);
        LittleEndian.putF16(dst, offset + DMIN, fit.dmin);
        KScaleMinPacking.pack(fit.scales, fit.mins, dst, offset + SCALES);
        int[] fifthBits = new int[32];
        for (int chunk = 0; chunk < 4; chunk++) {
            for (int l = 0; l < 32; l++) {
                int low = fit.levels[64 * chunk + l];
                int high = fit.levels[64 * chunk + 32 + l];
                LittleEndian.putU8(dst, offset + QS + 32 * chunk + l, (low & 0x0F) | (high & 0x0F) << 4);
                fifthBits[l] |= (low >>> 4) << (2 * chunk) | (high >>> 4) << (2 * chunk + 1);
            }
        }
        for (int l = 0; l < 32; l++) {
            LittleEndian.putU8(dst, offset + QH + l, fifthBits[l]);
        }
    }
}
