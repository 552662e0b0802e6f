package io.webllm.engine.model;

/**
 * Llama 3.1's rope frequency scaling as llama.cpp's converter writes it into {@code rope_freqs.weight}: a divisor per
 * rotation pair that leaves high frequencies alone, divides low frequencies by the scaling factor, and blends between.
 */
public final class Llama3RopeFactors {

    private Llama3RopeFactors() {
    }

    public static float[] compute(int headDim, float base, float factor, float lowFreqFactor, float highFreqFactor,
            int originalContext) {
        double lowFreqWavelength = originalContext / lowFreqFactor;
        double highFreqWavelength = originalContext / highFreqFactor;
        float[] factors = new float[headDim / 2];
        for (int i = 0; i < factors.length; i++) {
            double frequency = 1.0 / Math.pow(base, 2.0 * i / headDim);
            double wavelength = 2 * Math.PI / frequency;
            if (wavelength < highFreqWavelength) {
                factors[i] = 1f;
            } else if (wavelength > lowFreqWavelength) {
                factors[i] = factor;
            } else {
                double smooth = (originalContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                factors[i] = (float) (1.0 / ((1 - smooth) / factor + smooth));
            }
        }
        return factors;
    }
}
