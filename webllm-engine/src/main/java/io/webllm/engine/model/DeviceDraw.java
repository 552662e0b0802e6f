package io.webllm.engine.model;

import io.webllm.engine.sampling.SamplingParams;
import io.webllm.engine.sampling.SamplingState;

/**
 * How the device picks one sequence's tokens in a {@link DeviceDecode}: the argmax (temperature 0), or a draw with
 * temperature, top-k, top-p, min-p and penalties as sampling.LogitSampler draws it (opencl kernels/sample.cl), with
 * uniform number {@code firstDraw} of {@code seed}'s sequence (sampling.CounterUniform) for the first token, the next
 * for each after.
 *
 * @param temperature 0 for the argmax
 * @param topK        0 for none
 * @param topP        1 for none
 * @param minP        0 for none
 * @param penalties   the penalties and their inputs; {@link Penalties#NONE} for none
 */
public record DeviceDraw(float temperature, int topK, double topP, double minP, Penalties penalties, long seed, long firstDraw) {

    /** The argmax. */
    public static final DeviceDraw GREEDY = new DeviceDraw(0f, 0, 1, 0, Penalties.NONE, 0, 0);

    public DeviceDraw {
        if (!(temperature >= 0) || topK < 0 || !(topP > 0 && topP <= 1) || !(minP >= 0 && minP <= 1) || firstDraw < 0) {
            throw new IllegalArgumentException("a device draw takes temperature >= 0, top-k >= 0, top-p in (0, 1], min-p in [0, 1] and a draw index >= 0; got %s, %d, %s, %s, %d"
                    .formatted(temperature, topK, topP, minP, firstDraw));
        }
        java.util.Objects.requireNonNull(penalties, "penalties");
    }

    /** A draw with temperature and min-p alone. */
    public DeviceDraw(float temperature, double minP, long seed, long firstDraw) {
        this(temperature, 0, 1, minP, Penalties.NONE, seed, firstDraw);
    }

    /** A draw without penalties. */
    public DeviceDraw(float temperature, int topK, double topP, double minP, long seed, long firstDraw) {
        this(temperature, topK, topP, minP, Penalties.NONE, seed, firstDraw);
    }

    /**
     * The repetition, frequency and presence penalties (sampling.RepetitionPenaltyProcessor,
     * FrequencyPresencePenaltyProcessor) with a copy of their inputs: the tokens seen in the prompt and output as bits
     * (SamplingState's layout) and each token's count in the output. The device keeps its own copy up to date.
     */
    public record Penalties(float repetition, float frequency, float presence, long[] seen, int[] counts) {

        public static final Penalties NONE = new Penalties(1f, 0f, 0f, new long[0], new int[0]);

        boolean on() {
            return repetition != 1f || frequency != 0f || presence != 0f;
        }
    }

    /**
     * The next draw of a sequence with this sampling state (where {@link SamplingParams#drawableOnDevice}) over a
     * vocabulary of {@code vocabularySize} tokens: a top-k of at least that many cuts nothing (the host's sampler
     * skips it), so the draw has none.
     */
    public static DeviceDraw of(SamplingState state, int vocabularySize) {
        SamplingParams params = state.params();
        Penalties penalties = Penalties.NONE;
        if (params.penalized()) {
            long[] seen = new long[(vocabularySize + 63) >>> 6];
            int[] counts = new int[vocabularySize];
            state.copyPenaltyState(seen, counts);
            penalties = new Penalties((float) params.repetitionPenalty(), (float) params.frequencyPenalty(),
                    (float) params.presencePenalty(), seen, counts);
        }
        if (params.greedy() && !penalties.on()) {
            return GREEDY;
        }
        int topK = params.topK() >= vocabularySize ? 0 : params.topK();
        return new DeviceDraw((float) params.temperature(), topK, params.topP(), params.minP(), penalties, state.seed(), state.draws());
    }

    /** Whether greedy.cl's argmax picks it: temperature 0 and no penalty. */
    boolean greedy() {
        return temperature == 0f && !penalties.on();
    }

    /** Whether the draw cuts to the most likely tokens first (top-k, top-p): sample.cl's kernel_sample_truncated_next. */
    public boolean truncates() {
        return temperature != 0f && (topK > 0 || topP < 1);
    }
}
