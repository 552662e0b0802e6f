package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;

/** BF16: the top 16 bits of a binary32, little-endian, a block of one; see {@link BFloat16} for the rounding. */
final class BF16Codec implements BlockCodec {

    static final BF16Codec INSTANCE = new BF16Codec();

    private BF16Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset) {
        dst[dstOffset] = BFloat16.toFloat(src.get(LittleEndian.SHORT, offset));
    }

    @Override
    public void encode(float[] src, int srcOffset, MemorySegment dst, long offset) {
        dst.set(LittleEndian.SHORT, offset, BFloat16.fromFloat(src[srcOffset]));
    }
}
