package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;

/** F32: plain little-endian IEEE binary32, a block of one. */
final class F32Codec implements BlockCodec {

    static final F32Codec INSTANCE = new F32Codec();

    private F32Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset) {
        dst[dstOffset] = src.get(LittleEndian.FLOAT, offset);
    }

    @Override
    public void encode(float[] src, int srcOffset, MemorySegment dst, long offset) {
        dst.set(LittleEndian.FLOAT, offset, src[srcOffset]);
    }
}
