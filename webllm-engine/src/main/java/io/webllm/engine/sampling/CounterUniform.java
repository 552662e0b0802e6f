package io.webllm.engine.sampling;

/**
 * The uniform numbers sampling draws with: the {@code index}-th of a seed's sequence is a pure function of the two
 * (SplitMix64's output function of {@code seed + (index + 1) * golden ratio}, the top 53 bits as a double in [0, 1)).
 * A stateful PRNG would tie each draw to every draw before it on the same generator; a counter lets the device draw
 * a sequence's tokens (opencl kernels/sample.cl computes the same numbers) and the host draw the next ones, each
 * knowing only how many draws came before.
 */
public final class CounterUniform {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private CounterUniform() {
    }

    /** The {@code index}-th uniform number of {@code seed}'s sequence, in [0, 1). */
    public static double at(long seed, long index) {
        long z = seed + (index + 1) * GOLDEN;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }
}
