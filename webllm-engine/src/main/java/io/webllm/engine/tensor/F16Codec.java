package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;

/** F16: little-endian IEEE binary16 (ggml_half), a block of one; encoding rounds to nearest even. */
final class F16Codec implements BlockCodec {

    static final F16Codec INSTANCE = new F16Codec();

    private F16Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset) {
        dst[dstOffset] = LittleEndian.f16(src, offset);
    }

    @Override
    public void encode(float[] src, int srcOffset, MemorySegment dst, long offset) {
        LittleEndian.putF16(dst, offset, src[srcOffset]);
    }
}
