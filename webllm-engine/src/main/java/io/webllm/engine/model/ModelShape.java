package io.webllm.engine.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Real model shapes, for synthetic models with seeded random weights: the GPU's speed and the kernels' correctness
 * depend on the shapes, not on the weights' values. The {@code tiny-*} shapes are small enough for tests on PoCL and
 * cover each architecture's particulars.
 *
 * @param ropeScalingFactor Llama 3.1-style frequency scaling written as {@code rope_freqs.weight}; 0 for none
 */
public enum ModelShape {
    TINY("tiny", Architecture.LLAMA, 2, 256, 4, 2, 64, 512, 512, 512, 10000f, 1e-5f, true, 0),
    TINY_LLAMA3("tiny-llama3", Architecture.LLAMA, 2, 256, 4, 2, 64, 512, 512, 512, 500000f, 1e-5f, false, 8),
    TINY_QWEN2("tiny-qwen2", Architecture.QWEN2, 2, 256, 4, 2, 64, 512, 512, 512, 1000000f, 1e-6f, true, 0),
    TINY_QWEN3("tiny-qwen3", Architecture.QWEN3, 2, 256, 4, 2, 128, 512, 512, 512, 1000000f, 1e-6f, true, 0),
    /** Rows past Tuning.DEFERRED_NORM_MAX_ROW: the kernel path of the large models (launched norms, a quantize launch after the gated product). */
    TINY_WIDE("tiny-wide", Architecture.LLAMA, 2, 2176, 17, 1, 128, 512, 512, 512, 500000f, 1e-5f, false, 8),
    /**
     * TINY_WIDE with rows a K-quant holds (2,304 values, 9 blocks of 256) and four layers, so that a Q4_K_M mix keeps
     * ffn_down and attn_v in Q6_K in a layer before the last (layer 2, llama.cpp's use_more_bits).
     */
    TINY_WIDE_K("tiny-wide-k", Architecture.LLAMA, 4, 2304, 18, 1, 128, 512, 512, 512, 500000f, 1e-5f, false, 8),
    /**
     * Qwen2's small-model path (deferred norms, chained layers) with a feed-forward of 2,304 values: down's rows are 72
     * Q8 groups, more than one round of a split warp's lanes in the chained products.
     */
    TINY_QWEN2_LONG_FFN("tiny-qwen2-long-ffn", Architecture.QWEN2, 2, 256, 4, 2, 64, 2304, 512, 512, 1000000f, 1e-6f, true, 0),
    QWEN2_5_0_5B("qwen2.5-0.5b", Architecture.QWEN2, 24, 896, 14, 2, 64, 4864, 151936, 32768, 1000000f, 1e-6f, true, 0),
    QWEN3_0_6B("qwen3-0.6b", Architecture.QWEN3, 28, 1024, 16, 8, 128, 3072, 151936, 40960, 1000000f, 1e-6f, true, 0),
    LLAMA_3_2_1B("llama-3.2-1b", Architecture.LLAMA, 16, 2048, 32, 8, 64, 8192, 128256, 131072, 500000f, 1e-5f, true, 32),
    LLAMA_3_1_8B("llama-3.1-8b", Architecture.LLAMA, 32, 4096, 32, 8, 128, 14336, 128256, 131072, 500000f, 1e-5f, false, 8);

    private final String id;
    private final Architecture architecture;
    private final int layers;
    private final int embedding;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int feedForward;
    private final int vocabulary;
    private final int contextLength;
    private final float ropeBase;
    private final float rmsEpsilon;
    private final boolean tiedOutput;
    private final float ropeScalingFactor;

    ModelShape(String id, Architecture architecture, int layers, int embedding, int heads, int kvHeads, int headDim,
            int feedForward, int vocabulary, int contextLength, float ropeBase, float rmsEpsilon, boolean tiedOutput,
            float ropeScalingFactor) {
        this.id = id;
        this.architecture = architecture;
        this.layers = layers;
        this.embedding = embedding;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.feedForward = feedForward;
        this.vocabulary = vocabulary;
        this.contextLength = contextLength;
        this.ropeBase = ropeBase;
        this.rmsEpsilon = rmsEpsilon;
        this.tiedOutput = tiedOutput;
        this.ropeScalingFactor = ropeScalingFactor;
    }

    public static ModelShape byId(String id) {
        return Arrays.stream(values()).filter(s -> s.id.equals(id.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown shape '%s' (known: %s)".formatted(id,
                        Arrays.stream(values()).map(ModelShape::id).collect(Collectors.joining(", ")))));
    }

    public String id() { return id; }
    public Architecture architecture() { return architecture; }
    public int layers() { return layers; }
    public int embedding() { return embedding; }
    public int heads() { return heads; }
    public int kvHeads() { return kvHeads; }
    public int headDim() { return headDim; }
    public int feedForward() { return feedForward; }
    public int vocabulary() { return vocabulary; }
    public int contextLength() { return contextLength; }
    public float ropeBase() { return ropeBase; }
    public float rmsEpsilon() { return rmsEpsilon; }
    public boolean tiedOutput() { return tiedOutput; }
    public float ropeScalingFactor() { return ropeScalingFactor; }
}
