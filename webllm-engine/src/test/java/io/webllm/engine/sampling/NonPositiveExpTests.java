package io.webllm.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NonPositiveExpTests {

    @Test
    void matchesMathExpToFloatPrecisionOverTheWholeRange() {
        var random = new SplittableRandom(17);
        double worst = 0;
        for (int i = 0; i < 200_000; i++) {
            float x = (float) (-random.nextDouble() * 87);
            double expected = Math.exp(x);
            worst = Math.max(worst, Math.abs(NonPositiveExp.exp(x) - expected) / expected);
        }
        for (float x = 0; x >= -87; x -= 0.001f) {
            double expected = Math.exp(x);
            worst = Math.max(worst, Math.abs(NonPositiveExp.exp(x) - expected) / expected);
        }

        assertThat(worst).isLessThan(2e-7);
    }

    @Test
    void edgeValues() {
        assertThat(NonPositiveExp.exp(0f)).isEqualTo(1f);
        assertThat(NonPositiveExp.exp(-0f)).isEqualTo(1f);
        assertThat(NonPositiveExp.exp(Float.NEGATIVE_INFINITY)).isZero();
        assertThat(NonPositiveExp.exp(-1000f)).isZero();
        assertThat(NonPositiveExp.exp(-1f)).isEqualTo((float) Math.exp(-1));
    }
}
