package io.webllm.engine.tensor;

/**
 * bfloat16: the top 16 bits of an IEEE binary32, so decoding is a shift and only encoding has to round.
 */
public final class BFloat16 {

    private BFloat16() {
    }

    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Rounds to nearest, ties to even, as ggml's fp32-to-bf16 conversion does; a NaN stays a (quiet) NaN instead of
     * being rounded into infinity, and overflow past the largest bf16 becomes infinity.
     */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int lsbOfResult = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsbOfResult) >>> 16);
    }
}
