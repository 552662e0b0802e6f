package io.webllm.engine.model;

import io.webllm.engine.sampling.SamplingParams;

/**
 * How the device picks one sequence's tokens in a {@link DeviceDecode}: the argmax (temperature 0), or a draw with
 * temperature, top-k, top-p and min-p as sampling.LogitSampler draws it (opencl kernels/sample.cl), with uniform
 * number {@code firstDraw} of {@code seed}'s sequence (sampling.CounterUniform) for the first token, the next for each
 * after.
 *
 * @param temperature 0 for the argmax
 * @param topK        0 for none
 * @param topP        1 for none
 * @param minP        0 for none
 */
public record DeviceDraw(float temperature, int topK, double topP, double minP, long seed, long firstDraw) {

    /** The argmax. */
    public static final DeviceDraw GREEDY = new DeviceDraw(0f, 0, 1, 0, 0, 0);

    public DeviceDraw {
        if (!(temperature >= 0) || topK < 0 || !(topP > 0 && topP <= 1) || !(minP >= 0 && minP <= 1) || firstDraw < 0) {
            throw new IllegalArgumentException("a device draw takes temperature >= 0, top-k >= 0, top-p in (0, 1], min-p in [0, 1] and a draw index >= 0; got %s, %d, %s, %s, %d"
                    .formatted(temperature, topK, topP, minP, firstDraw));
        }
    }

    /** A draw with temperature and min-p alone. */
    public DeviceDraw(float temperature, double minP, long seed, long firstDraw) {
        this(temperature, 0, 1, minP, seed, firstDraw);
    }

    /**
     * The draw of a sequence with these settings (where {@link SamplingParams#drawableOnDevice}), its seed, the draws
     * it has made so far, and the size of the vocabulary it draws from: a top-k of at least that many cuts nothing
     * (the host's sampler skips it), so the draw has none.
     */
    public static DeviceDraw of(SamplingParams params, long seed, long drawsSoFar, int vocabularySize) {
        int topK = params.topK() >= vocabularySize ? 0 : params.topK();
        return params.greedy() ? GREEDY
                : new DeviceDraw((float) params.temperature(), topK, params.topP(), params.minP(), seed, drawsSoFar);
    }

    boolean greedy() {
        return temperature == 0f;
    }

    /** Whether the draw cuts to the most likely tokens first (top-k, top-p): sample.cl's kernel_sample_truncated_next. */
    public boolean truncates() {
        return !greedy() && (topK > 0 || topP < 1);
    }
}
