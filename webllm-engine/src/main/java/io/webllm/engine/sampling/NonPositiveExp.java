package io.webllm.engine.sampling;

/**
 * {@code exp(x)} for {@code x <= 0} as a float, about three times faster than {@link Math#exp}: sampling takes one
 * exponential per vocabulary entry per token (150k of them), always of {@code logit - max}. Accurate to float
 * rounding (relative error below 2e-7), which is all a float weight can hold anyway.
 */
final class NonPositiveExp {

    private static final double LOG2_E = 1.4426950408889634;
    private static final double LN_2 = 0.6931471805599453;
    private static final double ROUNDING = 0x1.8p52;
    // below this the result is under Float.MIN_NORMAL: weights that small cannot matter next to the max's 1
    private static final float UNDERFLOW = -87.3f;

    private NonPositiveExp() {
    }

    static float exp(float x) {
        if (!(x >= UNDERFLOW)) { // also -infinity
            return 0f;
        }
        // e^x = 2^n * e^g with n = round(x log2 e) and |g| <= ln(2) / 2, where 8 Taylor terms reach 6e-9
        double t = x * LOG2_E;
        // adding 1.5 * 2^52 rounds t to an integer and leaves that integer in the low bits, with no branch or call
        double shifted = t + ROUNDING;
        long bits = Double.doubleToRawLongBits(shifted);
        double g = (t - (shifted - ROUNDING)) * LN_2;
        // Estrin's scheme: the terms are evaluated in parallel rather than as one long chain of dependent steps
        double g2 = g * g;
        double p = (1 + g + g2 * (1.0 / 2 + g * (1.0 / 6)))
                + g2 * g2 * ((1.0 / 24 + g * (1.0 / 120)) + g2 * (1.0 / 720 + g * (1.0 / 5040)));
        return (float) (p * Double.longBitsToDouble((bits + 1023) << 52));
    }
}
