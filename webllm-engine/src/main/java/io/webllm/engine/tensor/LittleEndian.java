package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Field access for GGUF blocks: everything is little-endian and blocks sit at any byte offset in the mapped file,
 * so every multi-byte layout here is unaligned.
 */
final class LittleEndian {

    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private LittleEndian() {
    }

    static int u8(MemorySegment segment, long offset) {
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, offset));
    }

    static int s8(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_BYTE, offset);
    }

    static void putU8(MemorySegment segment, long offset, int value) {
        segment.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
    }

    /** An IEEE half-precision value (ggml_half). */
    static float f16(MemorySegment segment, long offset) {
        return Float.float16ToFloat(segment.get(SHORT, offset));
    }

    /** Stores {@code value} as IEEE half precision, rounded to nearest even as ggml's GGML_FP32_TO_FP16 does. */
    static void putF16(MemorySegment segment, long offset, float value) {
        segment.set(SHORT, offset, Float.floatToFloat16(value));
    }

    /** The value {@link #putF16} would store, read back: quantizers requantize against the stored scale. */
    static float roundToF16(float value) {
        return Float.float16ToFloat(Float.floatToFloat16(value));
    }
}
