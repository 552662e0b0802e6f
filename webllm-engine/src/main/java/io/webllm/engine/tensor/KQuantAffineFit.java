package io.webllm.engine.tensor;

/**
 * Quantization parameters for one 256-weight super-block of Q4_K or Q5_K: eight sub-blocks of 32 weights, each
 * decoded as {@code d * scale[j] * q - dmin * min[j]} with 6-bit {@code scale[j]}, {@code min[j]} and levels q in
 * [0, maxLevel].
 *
 * <p>A simpler search than ggml's {@code make_qkx2_quants} (which iterates to minimise a weighted error): each
 * sub-block spans [min(0, lowest), highest] evenly, the sub-block scales and mins are rounded to 6 bits against the
 * largest of each, and every weight is then re-rounded against the scale and min as they will be decoded (fp16
 * super-scales included), so the levels are the best ones for the stored parameters.
 */
final class KQuantAffineFit {

    static final int WEIGHTS = 256;
    static final int SUB_BLOCK = 32;

    final float d;
    final float dmin;
    final int[] scales = new int[KScaleMinPacking.SUB_BLOCKS];
    final int[] mins = new int[KScaleMinPacking.SUB_BLOCKS];
    final int[] levels = new int[WEIGHTS];

    private KQuantAffineFit(float d, float dmin) {
        this.d = d;
        this.dmin = dmin;
    }

    static KQuantAffineFit of(float[] x, int from, int maxLevel) {
        float[] subScale = new float[KScaleMinPacking.SUB_BLOCKS];
        float[] subMin = new float[KScaleMinPacking.SUB_BLOCKS];
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < KScaleMinPacking.SUB_BLOCKS; j++) {
            // The format subtracts a non-negative min, so the range always includes 0 (as in ggml).
            float lowest = 0;
            float highest = x[from + j * SUB_BLOCK];
            for (int i = 0; i < SUB_BLOCK; i++) {
                float v = x[from + j * SUB_BLOCK + i];
                lowest = Math.min(lowest, v);
                highest = Math.max(highest, v);
            }
            subScale[j] = Math.max(0, highest - lowest) / maxLevel;
            subMin[j] = -lowest;
            maxScale = Math.max(maxScale, subScale[j]);
            maxMin = Math.max(maxMin, subMin[j]);
        }
        float inverseScale = maxScale > 0 ? 63 / maxScale : 0;
        float inverseMin = maxMin > 0 ? 63 / maxMin : 0;
        KQuantAffineFit fit = new KQuantAffineFit(LittleEndian.roundToF16(maxScale / 63),
                LittleEndian.roundToF16(maxMin / 63));
        for (int j = 0; j < KScaleMinPacking.SUB_BLOCKS; j++) {
            fit.scales[j] = Math.min(63, Rounding.nearestEven(inverseScale * subScale[j]));
            fit.mins[j] = Math.min(63, Rounding.nearestEven(inverseMin * subMin[j]));
            float step = fit.d * fit.scales[j];
            float offset = fit.dmin * fit.mins[j];
            for (int i = 0; i < SUB_BLOCK; i++) {
                int at = j * SUB_BLOCK + i;
                int level = step != 0 ? Rounding.nearestEven((x[from + at] + offset) / step) : 0;
                fit.levels[at] = Math.clamp(level, 0, maxLevel);
            }
        }
        return fit;
    }
}
