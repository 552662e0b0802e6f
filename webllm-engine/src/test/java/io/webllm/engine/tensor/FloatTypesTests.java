package io.webllm.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** F32, F16 and BF16: blocks of one weight, checked against the IEEE formats spelled out here. */
class FloatTypesTests {

    @Test
    void f32IsLittleEndianBinary32() {
        byte[] bytes = {0x00, 0x00, (byte) 0x80, 0x3F, (byte) 0xDB, 0x0F, 0x49, (byte) 0xC0};
        assertThat(BlockBytes.decode(GgmlType.F32, bytes)).containsExactly(1.0f, -3.1415927f);
        assertThat(Quantizer.quantize(GgmlType.F32, new float[] {1.0f, -3.1415927f})).containsExactly(bytes);
    }

    @Test
    void f16DecodesHandPickedPatterns() {
        byte[] bytes = new BlockBytes(16)
                .half(0, 0x3C00)   // 1.0
                .half(2, 0xC000)   // -2.0
                .half(4, 0x3555)   // 2^-2 * (1 + 341/1024)
                .half(6, 0x7BFF)   // largest finite: 65504
                .half(8, 0x0001)   // smallest subnormal: 2^-24
                .half(10, 0x8000)  // -0.0
                .half(12, 0x7C00)  // +infinity
                .half(14, 0x0400)  // smallest normal: 2^-14
                .bytes();
        float[] values = BlockBytes.decode(GgmlType.F16, bytes);
        assertThat(values).containsExactly(1.0f, -2.0f, 0.25f * (1 + 341 / 1024f), 65504f, 0x1.0p-24f, -0.0f,
                Float.POSITIVE_INFINITY, 0x1.0p-14f);
        assertThat(Float.floatToRawIntBits(values[5])).isEqualTo(0x80000000);
    }

    @Test
    void everyFiniteF16RoundTripsExactly() {
        for (int bits = 0; bits < 0x10000; bits++) {
            int exponent = (bits >>> 10) & 0x1F;
            if (exponent == 0x1F) {
                continue; // infinities and NaNs are checked elsewhere
            }
            float value = independentHalfValue(bits);
            byte[] stored = Quantizer.quantize(GgmlType.F16, new float[] {value});
            assertThat(BlockBytes.halfAt(stored, 0)).as("bits %04x", bits).isEqualTo(bits);
            assertThat(BlockBytes.decode(GgmlType.F16, stored)[0]).as("bits %04x", bits).isEqualTo(value);
        }
    }

    @Test
    void f16RoundsToNearestEven() {
        float[] values = {1 + 0x1.0p-11f, 1 + 3 * 0x1.0p-11f, 1 + 0x1.0p-11f + 0x1.0p-20f, 65520f, 65519f};
        byte[] stored = Quantizer.quantize(GgmlType.F16, values);
        assertThat(BlockBytes.halfAt(stored, 0)).isEqualTo(0x3C00); // tie: down to the even 1.0
        assertThat(BlockBytes.halfAt(stored, 2)).isEqualTo(0x3C02); // tie: up to the even 1 + 2^-9
        assertThat(BlockBytes.halfAt(stored, 4)).isEqualTo(0x3C01); // past the tie
        assertThat(BlockBytes.halfAt(stored, 6)).isEqualTo(0x7C00); // overflows to infinity
        assertThat(BlockBytes.halfAt(stored, 8)).isEqualTo(0x7BFF); // still rounds to 65504
    }

    @Test
    void bf16IsTheTopHalfOfABinary32() {
        byte[] bytes = new BlockBytes(10)
                .half(0, 0x3F80)  // 1.0
                .half(2, 0xC049)  // -(1 + 73/128) * 2 = -3.140625
                .half(4, 0x0001)  // smallest subnormal: 2^-133
                .half(6, 0x7F80)  // +infinity
                .half(8, 0x7F7F)  // largest finite: (2 - 2^-7) * 2^127
                .bytes();
        assertThat(BlockBytes.decode(GgmlType.BF16, bytes)).containsExactly(1.0f, -3.140625f, 0x1.0p-133f,
                Float.POSITIVE_INFINITY, (2 - 0x1.0p-7f) * 0x1.0p127f);
    }

    @Test
    void everyNonNanBf16RoundTripsExactly() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float value = Float.intBitsToFloat(bits << 16);
            if (Float.isNaN(value)) {
                continue;
            }
            byte[] stored = Quantizer.quantize(GgmlType.BF16, new float[] {value});
            assertThat(BlockBytes.halfAt(stored, 0)).as("bits %04x", bits).isEqualTo(bits);
        }
    }

    @Test
    void bf16RoundsToNearestEvenAndKeepsNan() {
        float[] values = {1 + 0x1.0p-8f, 1 + 3 * 0x1.0p-8f, 1 + 0x1.0p-8f + 0x1.0p-20f, Float.MAX_VALUE,
                Float.NaN, Float.intBitsToFloat(0x7F800001)};
        byte[] stored = Quantizer.quantize(GgmlType.BF16, values);
        assertThat(BlockBytes.halfAt(stored, 0)).isEqualTo(0x3F80); // tie: down to the even 1.0
        assertThat(BlockBytes.halfAt(stored, 2)).isEqualTo(0x3F82); // tie: up to the even 1 + 2^-6
        assertThat(BlockBytes.halfAt(stored, 4)).isEqualTo(0x3F81); // past the tie
        assertThat(BlockBytes.halfAt(stored, 6)).isEqualTo(0x7F80); // overflows to infinity
        float[] decoded = BlockBytes.decode(GgmlType.BF16, stored);
        assertThat(decoded[4]).isNaN();
        assertThat(decoded[5]).isNaN(); // a NaN whose payload lies only in the dropped bits stays a NaN
    }

    /** The binary16 value of {@code bits}, from the format's definition rather than from the JDK. */
    private static float independentHalfValue(int bits) {
        int sign = bits >>> 15;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        double magnitude = exponent == 0
                ? mantissa * Math.pow(2, -24)
                : (1024 + mantissa) * Math.pow(2, exponent - 25);
        return (float) (sign == 1 ? -magnitude : magnitude);
    }
}
