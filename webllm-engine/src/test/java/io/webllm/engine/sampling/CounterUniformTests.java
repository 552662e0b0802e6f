package io.webllm.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;

/**
 * The draws' uniform numbers are SplitMix64's outputs (the reference generator seeded with 0 starts e220a8397b1dcdaf,
 * 6e789e6aa1b965f4), as doubles in [0, 1), and spread evenly.
 */
class CounterUniformTests {

    @Test
    void drawsAreSplitMix64Outputs() {
        assertThat(CounterUniform.at(0, 0)).isEqualTo((0xE220A8397B1DCDAFL >>> 11) * 0x1.0p-53);
        assertThat(CounterUniform.at(0, 1)).isEqualTo((0x6E789E6AA1B965F4L >>> 11) * 0x1.0p-53);
    }

    @Test
    void drawsAreUniformInTheUnitInterval() {
        int n = 200_000;
        int[] deciles = new int[10];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double u = CounterUniform.at(12345, i);
            assertThat(u).isGreaterThanOrEqualTo(0).isLessThan(1);
            deciles[(int) (u * 10)]++;
            sum += u;
        }
        assertThat(sum / n).isCloseTo(0.5, offset(0.005));
        for (int count : deciles) {
            assertThat(count).isBetween(n / 10 - n / 100, n / 10 + n / 100); // ~15 standard deviations either way
        }
        assertThat(CounterUniform.at(1, 0)).isNotEqualTo(CounterUniform.at(2, 0));
    }
}
