package io.webllm.engine.model;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.gguf.GgufTensorInfo;
import io.webllm.engine.tensor.Dequantizer;

/**
 * The independent reference: a plain-Java forward pass, one token at a time, over weights dequantized by the
 * plain-Java codecs. It shares nothing with the OpenCL path but the configuration reader, and computes in double
 * where sums are long, so the OpenCL results are measured against something at least as precise.
 *
 * <p>It can also mirror Q8 activations (Transformer.Options#quantizedActivations): the input of every Q4_0, Q8_0,
 * Q4_K and Q6_K matrix, rounded to the nearest multiple of its
 * 32-value group's max|x| / 127, in float, as q8.cl rounds it. The output matrix always runs the matrix-vector
 * kernels.
 */
final class ReferenceTransformer {

    private final ModelConfig c;
    private final float[][] embedding;   // (vocab, embd)
    private final float[][] output;      // (vocab, embd)
    private final float[] outputNorm;    // (embd)
    private final float[] ropeFreqs;     // (head_dim / 2) or null
    private final Layer[] layers;
    private final float[][][] keyCache;  // (layer, position, kv_dim)
    private final float[][][] valueCache;
    /** The matrices stored as Q4_0, Q8_0, Q4_K or Q6_K, whose inputs are quantized when activations are. */
    private final java.util.Set<float[][]> integerProducts = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private boolean quantize;

    private record Layer(float[] attnNorm, float[][] wq, float[][] wk, float[][] wv, float[][] wo,
            float[] qBias, float[] kBias, float[] vBias, float[] qNorm, float[] kNorm,
            float[] ffnNorm, float[][] gate, float[][] up, float[][] down) {
    }

    ReferenceTransformer(GgufFile file, int contextLength) {
        c = ModelConfig.from(file);
        embedding = matrix(file, TensorNames.TOKEN_EMBEDDING);
        output = c.tiedOutput() ? embedding : matrix(file, TensorNames.OUTPUT);
        outputNorm = vector(file, TensorNames.OUTPUT_NORM);
        ropeFreqs = c.hasRopeFreqs() ? vector(file, TensorNames.ROPE_FREQS) : null;
        layers = new Layer[c.layerCount()];
        boolean bias = c.architecture().qkvBias();
        boolean qkNorm = c.architecture().qkNorm();
        for (int l = 0; l < layers.length; l++) {
            String p = "blk." + l + ".";
            layers[l] = new Layer(vector(file, p + "attn_norm.weight"),
                    matrix(file, p + "attn_q.weight"), matrix(file, p + "attn_k.weight"),
                    matrix(file, p + "attn_v.weight"), matrix(file, p + "attn_output.weight"),
                    bias ? vector(file, p + "attn_q.bias") : null, bias ? vector(file, p + "attn_k.bias") : null,
                    bias ? vector(file, p + "attn_v.bias") : null,
                    qkNorm ? vector(file, p + "attn_q_norm.weight") : null, qkNorm ? vector(file, p + "attn_k_norm.weight") : null,
                    vector(file, p + "ffn_norm.weight"),
                    matrix(file, p + "ffn_gate.weight"), matrix(file, p + "ffn_up.weight"), matrix(file, p + "ffn_down.weight"));
        }
        keyCache = new float[layers.length][contextLength][];
        valueCache = new float[layers.length][contextLength][];
    }

    /** Logits after feeding {@code token} at {@code position}; earlier positions must have been fed before. */
    float[] forward(int token, int position) {
        return forward(token, position, false);
    }

    /**
     * {@link #forward(int, int)} with every Q4_0/Q8_0/Q4_K/Q6_K product, in the layers and the output matrix, taking
     * Q8 activations when {@code quantize} (as the engine's matrix-vector and matrix-matrix kernels all do).
     */
    float[] forward(int token, int position, boolean quantize) {
        this.quantize = quantize;
        float[] x = embedding[token].clone();
        for (int l = 0; l < layers.length; l++) {
            Layer w = layers[l];
            // attention rmsnorm
            float[] xb = rmsNorm(x, w.attnNorm());
            // qkv matmuls (+ Qwen2 biases)
            float[] q = add(layerMatmul(w.wq(), xb), w.qBias());
            float[] k = add(layerMatmul(w.wk(), xb), w.kBias());
            float[] v = add(layerMatmul(w.wv(), xb), w.vBias());
            // Qwen3 per-head norms
            if (w.qNorm() != null) {
                headNorm(q, c.headCount(), w.qNorm());
                headNorm(k, c.kvHeadCount(), w.kNorm());
            }
            // RoPE
            rope(q, c.headCount(), position);
            rope(k, c.kvHeadCount(), position);
            // kv cache, in half floats as the device keeps it (rope.cl)
            keyCache[l][position] = toHalfAndBack(k);
            valueCache[l][position] = toHalfAndBack(v);
            // attention, grouped query heads
            float[] attention = new float[c.queryDim()];
            int group = c.headCount() / c.kvHeadCount();
            double scale = 1.0 / Math.sqrt(c.headDim());
            for (int h = 0; h < c.headCount(); h++) {
                int kvOffset = (h / group) * c.headDim();
                double[] scores = new double[position + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t <= position; t++) {
                    double s = 0;
                    for (int d = 0; d < c.headDim(); d++) {
                        s += (double) q[h * c.headDim() + d] * keyCache[l][t][kvOffset + d];
                    }
                    scores[t] = s * scale;
                    max = Math.max(max, scores[t]);
                }
                double sum = 0;
                for (int t = 0; t <= position; t++) {
                    scores[t] = Math.exp(scores[t] - max);
                    sum += scores[t];
                }
                for (int d = 0; d < c.headDim(); d++) {
                    double acc = 0;
                    for (int t = 0; t <= position; t++) {
                        acc += scores[t] * valueCache[l][t][kvOffset + d];
                    }
                    attention[h * c.headDim() + d] = (float) (acc / sum);
                }
            }
            // output projection and residual
            float[] projected = layerMatmul(w.wo(), attention);
            for (int i = 0; i < x.length; i++) {
                x[i] += projected[i];
            }
            // ffn rmsnorm, SwiGLU, residual
            xb = rmsNorm(x, w.ffnNorm());
            float[] g = layerMatmul(w.gate(), xb);
            float[] u = layerMatmul(w.up(), xb);
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) (g[i] / (1.0 + Math.exp(-g[i])) * u[i]);
            }
            float[] down = layerMatmul(w.down(), g);
            for (int i = 0; i < x.length; i++) {
                x[i] += down[i];
            }
        }
        float[] normed = rmsNorm(x, outputNorm);
        boolean quantizedOutput = quantize && integerProducts.contains(output);
        return matmul(output, quantizedOutput ? q8RoundTrip(normed) : normed);
    }

    /** x rounded to half floats, to nearest even, as vstore_half_rte stores them. */
    static float[] toHalfAndBack(float[] x) {
        float[] rounded = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            rounded[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
        }
        return rounded;
    }

    /** x rounded as q8.cl quantizes it: per 32 values, to the nearest multiple of max|x| / 127, half away from zero. */
    static float[] q8RoundTrip(float[] x) {
        float[] out = new float[x.length];
        for (int g = 0; g < x.length; g += 32) {
            float amax = 0;
            for (int i = g; i < g + 32; i++) {
                amax = Math.max(amax, Math.abs(x[i]));
            }
            float d = amax / 127f;
            float id = d > 0 ? 1f / d : 0f;
            for (int i = g; i < g + 32; i++) {
                float scaled = x[i] * id;
                float q = Math.min(127f, Math.max(-127f, (float) Math.copySign(Math.floor(Math.abs((double) scaled) + 0.5), scaled)));
                out[i] = d * q;
            }
        }
        return out;
    }

    private float[] rmsNorm(float[] x, float[] weight) {
        double ss = 0;
        for (float value : x) {
            ss += (double) value * value;
        }
        double scale = 1.0 / Math.sqrt(ss / x.length + c.rmsEpsilon());
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (x[i] * scale * weight[i]);
        }
        return out;
    }

    private void headNorm(float[] values, int heads, float[] weight) {
        for (int h = 0; h < heads; h++) {
            float[] head = java.util.Arrays.copyOfRange(values, h * c.headDim(), (h + 1) * c.headDim());
            System.arraycopy(rmsNorm(head, weight), 0, values, h * c.headDim(), c.headDim());
        }
    }

    private void rope(float[] values, int heads, int position) {
        int half = c.headDim() / 2;
        boolean halves = c.architecture().ropeStyle() == Architecture.RopeStyle.HALVES;
        for (int h = 0; h < heads; h++) {
            int base = h * c.headDim();
            for (int i = 0; i < half; i++) {
                double theta = position * c.ropeFreqScale() * Math.pow(c.ropeFreqBase(), -2.0 * i / c.headDim());
                if (ropeFreqs != null) {
                    theta /= ropeFreqs[i];
                }
                int a = base + (halves ? i : 2 * i);
                int b = base + (halves ? i + half : 2 * i + 1);
                double x0 = values[a];
                double x1 = values[b];
                values[a] = (float) (x0 * Math.cos(theta) - x1 * Math.sin(theta));
                values[b] = (float) (x0 * Math.sin(theta) + x1 * Math.cos(theta));
            }
        }
    }

    /** A product inside the layers: its input quantized when the layers' activations are and w is a repacked type. */
    private float[] layerMatmul(float[][] w, float[] x) {
        boolean quantized = quantize && integerProducts.contains(w);
        return matmul(w, quantized ? q8RoundTrip(x) : x);
    }

    private static float[] matmul(float[][] w, float[] x) {
        float[] out = new float[w.length];
        for (int r = 0; r < w.length; r++) {
            double sum = 0;
            float[] row = w[r];
            for (int i = 0; i < x.length; i++) {
                sum += (double) row[i] * x[i];
            }
            out[r] = (float) sum;
        }
        return out;
    }

    private static float[] add(float[] values, float[] bias) {
        if (bias != null) {
            for (int i = 0; i < values.length; i++) {
                values[i] += bias[i];
            }
        }
        return values;
    }

    private float[][] matrix(GgufFile file, String name) {
        GgufTensorInfo info = file.tensor(name);
        int columns = Math.toIntExact(info.rowLength());
        int rows = Math.toIntExact(info.rowCount());
        long rowBytes = info.byteSize() / rows;
        float[][] matrix = new float[rows][];
        for (int r = 0; r < rows; r++) {
            matrix[r] = Dequantizer.dequantize(info.type(), file.tensorData(info), r * rowBytes, columns);
        }
        switch (info.type()) {
            case Q4_0, Q8_0, Q4_K, Q6_K -> integerProducts.add(matrix);
            default -> {
            }
        }
        return matrix;
    }

    private static float[] vector(GgufFile file, String name) {
        GgufTensorInfo info = file.tensor(name);
        return Dequantizer.dequantize(info.type(), file.tensorData(info), 0, Math.toIntExact(info.elementCount()));
    }
}
