package io.webllm.engine.model;

import io.webllm.engine.sampling.SamplingParams;

/**
 * How the device picks one sequence's tokens in a {@link DeviceDecode}: the argmax (temperature 0), or a draw with
 * temperature and min-p as sampling.LogitSampler draws it (opencl kernels/sample.cl), with uniform number
 * {@code firstDraw} of {@code seed}'s sequence (sampling.CounterUniform) for the first token, the next for each after.
 *
 * @param temperature 0 for the argmax
 * @param minP        0 for none
 */
public record DeviceDraw(float temperature, double minP, long seed, long firstDraw) {

    /** The argmax. */
    public static final DeviceDraw GREEDY = new DeviceDraw(0f, 0, 0, 0);

    public DeviceDraw {
        if (!(temperature >= 0) || !(minP >= 0 && minP <= 1) || firstDraw < 0) {
            throw new IllegalArgumentException("a device draw takes temperature >= 0, min-p in [0, 1] and a draw index >= 0; got %s, %s, %d"
                    .formatted(temperature, minP, firstDraw));
        }
    }

    /**
     * The draw of a sequence with these settings (where {@link SamplingParams#drawableOnDevice}), its seed, and the
     * draws it has made so far.
     */
    public static DeviceDraw of(SamplingParams params, long seed, long drawsSoFar) {
        return params.greedy() ? GREEDY : new DeviceDraw((float) params.temperature(), params.minP(), seed, drawsSoFar);
    }

    boolean greedy() {
        return temperature == 0f;
    }
}
