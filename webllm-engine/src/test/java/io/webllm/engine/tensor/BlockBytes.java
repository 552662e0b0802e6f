package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A block written field by field, the way a ggml struct lays it out, so tests build their input without going
 * through the codec under test. Multi-byte fields are little-endian.
 */
final class BlockBytes {

    private final byte[] bytes;

    BlockBytes(int size) {
        this.bytes = new byte[size];
    }

    BlockBytes u8(int at, int value) {
        bytes[at] = (byte) value;
        return this;
    }

    /** A ggml_half given by its bit pattern. */
    BlockBytes half(int at, int bits) {
        bytes[at] = (byte) bits;
        bytes[at + 1] = (byte) (bits >>> 8);
        return this;
    }

    byte[] bytes() {
        return bytes;
    }

    MemorySegment segment() {
        return MemorySegment.ofArray(bytes);
    }

    /** Decodes the whole array as weights of {@code type} through the public API. */
    static float[] decode(GgmlType type, byte[] bytes) {
        int count = (int) (bytes.length / type.bytesPerBlock() * type.blockSize());
        return Dequantizer.dequantize(type, MemorySegment.ofArray(bytes), 0, count);
    }

    /** The 16 bits of {@code bytes} at {@code at}, little-endian. */
    static int halfAt(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8;
    }
}
