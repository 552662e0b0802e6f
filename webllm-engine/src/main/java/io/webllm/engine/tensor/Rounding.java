package io.webllm.engine.tensor;

/** The two integer roundings ggml's quantizers use, which differ on ties. */
final class Rounding {

    private Rounding() {
    }

    /** C's {@code roundf}: ties away from zero (Java's {@link Math#round(float)} rounds ties up instead). */
    static int awayFromZero(float value) {
        // In double, |value| + 0.5 is exact for every float that fits an int, so the floor never misrounds.
        double rounded = Math.floor(Math.abs((double) value) + 0.5);
        return (int) Math.copySign(rounded, value);
    }

    /** ggml's {@code nearest_int}: ties to even, like {@link Math#rint}. */
    static int nearestEven(float value) {
        return (int) Math.rint(value);
    }
}
