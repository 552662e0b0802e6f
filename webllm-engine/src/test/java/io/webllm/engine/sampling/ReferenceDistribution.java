package io.webllm.engine.sampling;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The truncated distribution written the obvious way (boxed, fully sorted, double precision, straight from the
 * definitions), as the reference the optimised sampler is checked against.
 */
final class ReferenceDistribution {

    private ReferenceDistribution() {
    }

    /** Token -> probability after temperature, top-k, top-p and min-p, most likely first. */
    static Map<Integer, Double> of(float[] logits, double temperature, int topK, double topP, double minP) {
        List<Integer> tokens = new ArrayList<>();
        for (int t = 0; t < logits.length; t++) {
            if (logits[t] != Float.NEGATIVE_INFINITY) {
                tokens.add(t);
            }
        }
        double[] scaled = new double[logits.length];
        for (int t = 0; t < logits.length; t++) {
            scaled[t] = logits[t] / temperature;
        }
        tokens.sort(Comparator.<Integer>comparingDouble(t -> -scaled[t]).thenComparingInt(t -> t));
        if (topK > 0 && topK < tokens.size()) {
            tokens = new ArrayList<>(tokens.subList(0, topK));
        }
        Map<Integer, Double> probs = softmax(tokens, scaled);
        if (topP < 1) {
            List<Integer> kept = new ArrayList<>();
            double cumulative = 0;
            for (int t : tokens) {
                kept.add(t);
                cumulative += probs.get(t);
                if (cumulative >= topP) {
                    break;
                }
            }
            tokens = kept;
            probs = softmax(tokens, scaled);
        }
        if (minP > 0) {
            double best = probs.get(tokens.getFirst());
            Map<Integer, Double> current = probs;
            tokens = tokens.stream().filter(t -> current.get(t) >= minP * best).toList();
            probs = softmax(tokens, scaled);
        }
        return probs;
    }

    private static Map<Integer, Double> softmax(List<Integer> tokens, double[] scaled) {
        double max = tokens.stream().mapToDouble(t -> scaled[t]).max().orElseThrow();
        double sum = tokens.stream().mapToDouble(t -> Math.exp(scaled[t] - max)).sum();
        Map<Integer, Double> probs = new LinkedHashMap<>();
        for (int t : tokens) {
            probs.put(t, Math.exp(scaled[t] - max) / sum);
        }
        return probs;
    }

    static float[] logitsOfProbabilities(double... probabilities) {
        float[] logits = new float[probabilities.length];
        for (int i = 0; i < probabilities.length; i++) {
            logits[i] = (float) Math.log(probabilities[i]);
        }
        return logits;
    }
}
