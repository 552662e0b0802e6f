package io.webllm.engine.tensor;

/** The symmetric quantizers scale by the weight of largest magnitude, keeping its sign. */
final class SignedExtreme {

    private SignedExtreme() {
    }

    /** The first of {@code x[from..from+count)} with the largest absolute value, sign kept; 0 for all zeros. */
    static float of(float[] x, int from, int count) {
        float amax = 0;
        float extreme = 0;
        for (int i = from; i < from + count; i++) {
            if (amax < Math.abs(x[i])) {
                amax = Math.abs(x[i]);
                extreme = x[i];
            }
        }
        return extreme;
    }
}
