package io.webllm.engine.model;

import io.webllm.engine.gguf.GgufFormatException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The transformer families the engine runs, and what sets each apart. All are pre-norm decoder-only transformers
 * with RMSNorm, rotary embeddings, grouped-query attention and a SwiGLU feed-forward network.
 */
public enum Architecture {
    /** Llama 1-3, Mistral, SmolLM, TinyLlama: GGUF stores Q/K permuted so rotation pairs are adjacent values. */
    LLAMA("llama", RopeStyle.ADJACENT, false, false),
    /** Qwen2 and Qwen2.5: biases on the q, k and v projections; rotation pairs are half a head apart. */
    QWEN2("qwen2", RopeStyle.HALVES, true, false),
    /** Qwen3: RMSNorm of each q and k head before rotation, no biases. */
    QWEN3("qwen3", RopeStyle.HALVES, false, true);

    /** Which values of a head rotate together. */
    public enum RopeStyle {
        /** (2i, 2i+1): llama.cpp's "normal" rope. */
        ADJACENT,
        /** (i, i + head_dim/2): llama.cpp's "neox" rope. */
        HALVES
    }

    private final String ggufName;
    private final RopeStyle ropeStyle;
    private final boolean qkvBias;
    private final boolean qkNorm;

    Architecture(String ggufName, RopeStyle ropeStyle, boolean qkvBias, boolean qkNorm) {
        this.ggufName = ggufName;
        this.ropeStyle = ropeStyle;
        this.qkvBias = qkvBias;
        this.qkNorm = qkNorm;
    }

    /** The value of {@code general.architecture}, which also prefixes the architecture's metadata keys. */
    public String ggufName() {
        return ggufName;
    }

    public RopeStyle ropeStyle() {
        return ropeStyle;
    }

    public boolean qkvBias() {
        return qkvBias;
    }

    public boolean qkNorm() {
        return qkNorm;
    }

    public static Architecture fromGguf(Path file, String name) {
        for (Architecture architecture : values()) {
            if (architecture.ggufName.equals(name.toLowerCase(Locale.ROOT))) {
                return architecture;
            }
        }
        throw new GgufFormatException(file, "unsupported architecture '%s' (supported: %s)".formatted(name,
                Arrays.stream(values()).map(Architecture::ggufName).collect(Collectors.joining(", "))));
    }
}
