package io.webllm.engine.model;

import io.webllm.engine.tensor.GgmlType;
import java.util.Locale;
import java.util.Optional;

/**
 * Which type each matrix of a synthetic model gets: one type throughout, or a mix like llama.cpp's Q4_K_M, where
 * the matrices most sensitive to quantization keep more bits. Published Q4_K_M files are what K-quant decode speed
 * is judged on, so benchmarks need the same mix of kernels, not Q4_K alone.
 *
 * @param name      the name the synth command takes (a type's, or {@code Q4_K_M})
 * @param main      the type of most matrices
 * @param sensitive the type of the output matrix and of the layers' attn_v and ffn_down that llama.cpp favours
 */
public record WeightTypes(String name, GgmlType main, GgmlType sensitive) {

    /**
     * llama.cpp's Q4_K_M: Q4_K, with Q6_K for the output matrix and for attn_v and ffn_down in the first and last
     * eighth of the layers and every third layer between (its use_more_bits).
     */
    public static final WeightTypes Q4_K_M = new WeightTypes("Q4_K_M", GgmlType.Q4_K, GgmlType.Q6_K);

    public static WeightTypes uniform(GgmlType type) {
        return new WeightTypes(type.name(), type, type);
    }

    /** A type name ({@code q4_0}) or a mix name ({@code q4_k_m}), in any case; empty if neither. */
    public static Optional<WeightTypes> parse(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        if (upper.equals(Q4_K_M.name())) {
            return Optional.of(Q4_K_M);
        }
        try {
            return Optional.of(uniform(GgmlType.valueOf(upper)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The type of the matrix named {@code tensor} (GGUF names: {@code blk.3.attn_v.weight}) in a model of {@code layers}. */
    public GgmlType of(String tensor, int layers) {
        if (tensor.equals(TensorNames.OUTPUT)) {
            return sensitive;
        }
        if (tensor.endsWith(".attn_v.weight") || tensor.endsWith(".ffn_down.weight")) {
            int layer = Integer.parseInt(tensor.substring("blk.".length(), tensor.indexOf('.', "blk.".length())));
            return moreBits(layer, layers) ? sensitive : main;
        }
        return main;
    }

    /** llama.cpp's use_more_bits. */
    private static boolean moreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }
}
