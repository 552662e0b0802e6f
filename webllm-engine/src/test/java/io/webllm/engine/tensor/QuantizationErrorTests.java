package io.webllm.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Quantize then dequantize seeded uniform weights in [-1, 1) and bound the normalised mean squared error,
 * NMSE = sum (x - x')^2 / sum x^2, as llama.cpp's test-backend-ops does.
 *
 * <p>The bounds follow from the step each type rounds to. Uniform data has mean square 1/3, and rounding to a step
 * s adds an error of mean square s^2 / 12, so NMSE ~ s^2 / 4 where s is the step for a block of range about
 * [-1, 1]. Each bound is that estimate with about 25% to spare for fp16 scales and clamped extremes:
 * <ul>
 *   <li>F16: relative rounding error at most 2^-11, so NMSE at most 2^-22 (a hard bound, not an estimate).
 *   <li>BF16: relative rounding error at most 2^-8, so NMSE at most 2^-16 (also hard).
 *   <li>Q8_0: s = 1/127: 1.55e-5, bound 2e-5.
 *   <li>Q4_0: s = 1/8: 3.9e-3, bound 5e-3 (the positive side can only reach level 7, so its top weights clamp).
 *   <li>Q4_1: s = 2/15: 4.4e-3, bound 5.5e-3.
 *   <li>Q5_0: s = 1/16: 9.8e-4, bound 1.25e-3.
 *   <li>Q5_1: s = 2/31: 1.04e-3, bound 1.3e-3.
 *   <li>Q4_K: as Q4_1 (sub-blocks of 32, 16 levels), plus 6-bit sub-block scales: bound 6e-3.
 *   <li>Q5_K: as Q5_1, plus 6-bit sub-block scales: bound 1.5e-3.
 *   <li>Q6_K: sub-blocks of 16 with s = amax/32 &le; 1/32: 2.4e-4, plus 8-bit sub-block scales: bound 3e-4.
 * </ul>
 */
class QuantizationErrorTests {

    private static final int WEIGHTS = 256 * 64;

    @ParameterizedTest
    @CsvSource({
            "F16, 2.384185791015625E-7", "BF16, 1.52587890625E-5", "Q8_0, 2e-5", "Q4_0, 5e-3", "Q4_1, 5.5e-3",
            "Q5_0, 1.25e-3", "Q5_1, 1.3e-3", "Q4_K, 6e-3", "Q5_K, 1.5e-3", "Q6_K, 3e-4"})
    void roundTripErrorStaysWithinTheTypesBound(GgmlType type, double bound) {
        for (long seed = 1; seed <= 3; seed++) {
            float[] x = RandomWeights.randomFloats(WEIGHTS, seed, 1.0f);
            float[] decoded = BlockBytes.decode(type, Quantizer.quantize(type, x));
            assertThat(nmse(x, decoded)).as("%s, seed %d", type, seed).isLessThan(bound).isGreaterThan(0);
        }
    }

    @Test
    void f32IsLossless() {
        float[] x = RandomWeights.randomFloats(WEIGHTS, 1, 1.0f);
        assertThat(BlockBytes.decode(GgmlType.F32, Quantizer.quantize(GgmlType.F32, x))).containsExactly(x);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void errorIsRelativeToTheBlockNotTheTensor(GgmlType type) {
        // one block of tiny weights beside blocks of large ones must keep its own precision
        float[] x = RandomWeights.randomFloats(WEIGHTS, 5, 1.0f);
        for (int i = 0; i < type.blockSize(); i++) {
            x[i] *= 1e-3f;
        }
        float[] decoded = BlockBytes.decode(type, Quantizer.quantize(type, x));
        float[] small = Arrays.copyOf(x, type.blockSize());
        float[] smallDecoded = Arrays.copyOf(decoded, type.blockSize());
        assertThat(nmse(small, smallDecoded)).isLessThan(nmse(x, decoded) * 4);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
            "Q4_K", "Q5_K", "Q6_K"})
    void zerosStayZeroAndQuantizingIsDeterministic(GgmlType type) {
        // symmetric types may decode -0.0 (a zero level times a negative-zero scale), as ggml does: compare as numbers
        float[] decodedZeros = BlockBytes.decode(type, Quantizer.quantize(type, new float[512]));
        for (float v : decodedZeros) {
            assertThat(v == 0.0f).as("%s decodes a zero weight as %s", type, v).isTrue();
        }

        float[] x = RandomWeights.randomFloats(512, 9, 0.05f);
        assertThat(Quantizer.quantize(type, x)).containsExactly(Quantizer.quantize(type, x.clone()));
    }

    static double nmse(float[] expected, float[] actual) {
        double error = 0;
        double signal = 0;
        for (int i = 0; i < expected.length; i++) {
            double difference = (double) expected[i] - actual[i];
            error += difference * difference;
            signal += (double) expected[i] * expected[i];
        }
        return error / signal;
    }
}
