package io.webllm.engine.model;

import static io.webllm.engine.model.TensorNames.layer;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.ClException;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.KernelLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's weights and KV cache on an OpenCL device, and its forward pass.
 *
 * <p>Per layer, for a batch of n tokens (buffer written in brackets):
 * <pre>
 *  rms_norm(x, attn_norm)            [xb]      n x embd
 *  mul_mv q, k, v (+ bias)           [q k v]   n x q_dim, n x kv_dim
 *  rms_norm per head (Qwen3)         [q k]
 *  rope q, rope k                    [q k]
 *  kv_store                          [k_cache v_cache] at (slot, position)
 *  attention                         [attn]    n x q_dim
 *  mul_mv attn_output, += x          [x]
 *  rms_norm(x, ffn_norm)             [xb]
 *  mul_mv gate, up                   [gate up] n x ff
 *  swiglu                            [gate]
 *  mul_mv ffn_down, += x             [x]
 * </pre>
 * 12 to 15 kernels a layer; then output_norm and the output matrix only for the rows whose logits are wanted.
 * Prompts longer than {@code maxBatch} run in consecutive chunks. Not thread-safe: one scheduler thread drives it.
 */
public final class Transformer implements AutoCloseable {

    private static final int MATVEC_GROUP = 64;
    private static final int NORM_GROUP = 64;
    private static final int ATTENTION_GROUP = 64;
    private static final int MV_TOKENS = 4;

    private final ModelConfig config;
    private final ClContext cl;
    private final KernelLibrary kernels;
    private final int contextLength;
    private final int slots;
    private final int maxBatch;
    private final DeviceTensor tokenEmbedding;
    private final DeviceTensor output;
    private final ClBuffer outputNorm;
    private final ClBuffer ropeFreqs;
    private final List<LayerWeights> layers;
    private final ClBuffer[] keyCache;
    private final ClBuffer[] valueCache;
    // activations, sized for maxBatch tokens
    private final ClBuffer x;
    private final ClBuffer xb;
    private final ClBuffer q;
    private final ClBuffer k;
    private final ClBuffer v;
    private final ClBuffer attn;
    private final ClBuffer attnScores;
    private final ClBuffer gate;
    private final ClBuffer up;
    private final ClBuffer logits;
    private final ClBuffer tokenIds;
    private final ClBuffer positions;
    private final ClBuffer slotIds;
    private final ClBuffer logitRows;
    private final Arena hostArena = Arena.ofShared();
    private final MemorySegment hostInts;
    private final MemorySegment hostLogits;

    private record LayerWeights(ClBuffer attnNorm, DeviceTensor wq, DeviceTensor wk, DeviceTensor wv, DeviceTensor wo,
            ClBuffer qBias, ClBuffer kBias, ClBuffer vBias, ClBuffer qNorm, ClBuffer kNorm,
            ClBuffer ffnNorm, DeviceTensor gate, DeviceTensor up, DeviceTensor down) {
    }

    private Transformer(GgufFile file, ClContext cl, ModelConfig config, Options options, LoadListener listener) {
        this.config = config;
        this.cl = cl;
        this.contextLength = options.contextLength() > 0 ? Math.min(options.contextLength(), config.contextLength()) : config.contextLength();
        this.slots = options.slots();
        this.maxBatch = options.maxBatch();
        this.kernels = cl.kernels();
        WeightUploader upload = new WeightUploader(file, cl, listener);
        tokenEmbedding = upload.matrix(TensorNames.TOKEN_EMBEDDING);
        output = config.tiedOutput() ? tokenEmbedding : upload.matrix(TensorNames.OUTPUT);
        outputNorm = upload.vector(TensorNames.OUTPUT_NORM);
        ropeFreqs = config.hasRopeFreqs() ? upload.vector(TensorNames.ROPE_FREQS) : null;
        layers = new ArrayList<>();
        Architecture arch = config.architecture();
        for (int l = 0; l < config.layerCount(); l++) {
            layers.add(new LayerWeights(
                    upload.vector(layer(l, "attn_norm.weight")),
                    upload.matrix(layer(l, "attn_q.weight")),
                    upload.matrix(layer(l, "attn_k.weight")),
                    upload.matrix(layer(l, "attn_v.weight")),
                    upload.matrix(layer(l, "attn_output.weight")),
                    arch.qkvBias() ? upload.vector(layer(l, "attn_q.bias")) : null,
                    arch.qkvBias() ? upload.vector(layer(l, "attn_k.bias")) : null,
                    arch.qkvBias() ? upload.vector(layer(l, "attn_v.bias")) : null,
                    arch.qkNorm() ? upload.vector(layer(l, "attn_q_norm.weight")) : null,
                    arch.qkNorm() ? upload.vector(layer(l, "attn_k_norm.weight")) : null,
                    upload.vector(layer(l, "ffn_norm.weight")),
                    upload.matrix(layer(l, "ffn_gate.weight")),
                    upload.matrix(layer(l, "ffn_up.weight")),
                    upload.matrix(layer(l, "ffn_down.weight"))));
        }
        long cacheFloats = (long) slots * contextLength * config.kvDim();
        keyCache = new ClBuffer[config.layerCount()];
        valueCache = new ClBuffer[config.layerCount()];
        for (int l = 0; l < config.layerCount(); l++) {
            keyCache[l] = cl.allocate("key cache of layer " + l, 4 * cacheFloats);
            valueCache[l] = cl.allocate("value cache of layer " + l, 4 * cacheFloats);
        }
        long b = maxBatch;
        x = cl.allocate("x", 4 * b * config.embeddingLength());
        xb = cl.allocate("xb", 4 * b * config.embeddingLength());
        q = cl.allocate("q", 4 * b * config.queryDim());
        k = cl.allocate("k", 4 * b * config.kvDim());
        v = cl.allocate("v", 4 * b * config.kvDim());
        attn = cl.allocate("attention output", 4 * b * config.queryDim());
        attnScores = cl.allocate("attention scores", 4 * b * config.headCount() * (long) contextLength);
        gate = cl.allocate("ffn gate", 4 * b * config.feedForwardLength());
        up = cl.allocate("ffn up", 4 * b * config.feedForwardLength());
        logits = cl.allocate("logits", 4 * b * config.vocabularySize());
        tokenIds = cl.allocate("token ids", 4 * b);
        positions = cl.allocate("positions", 4 * b);
        slotIds = cl.allocate("slots", 4 * b);
        logitRows = cl.allocate("logit rows", 4 * b);
        hostInts = hostArena.allocate(4L * b, 4);
        hostLogits = hostArena.allocate(4L * b * config.vocabularySize(), 4);
        cl.finish();
    }

    /** How the model is laid out on the device. */
    public record Options(int contextLength, int slots, int maxBatch) {

        public static final Options DEFAULT = new Options(0, 1, 64);

        public Options {
            if (slots < 1 || maxBatch < 1) {
                throw new IllegalArgumentException("slots and maxBatch must be at least 1");
            }
        }

        public Options withContextLength(int tokens) {
            return new Options(tokens, slots, maxBatch);
        }
    }

    /**
     * Uploads the model's weights and allocates its KV cache. On any failure everything allocated so far is released
     * and the error names what could not be done.
     */
    public static Transformer load(GgufFile file, ClContext cl, Options options, LoadListener listener) {
        ModelConfig config = ModelConfig.from(file);
        TensorNames.verify(file, config);
        long before = cl.allocatedBytes();
        try {
            return new Transformer(file, cl, config, options, listener);
        } catch (ClException e) {
            if (e.outOfMemory()) {
                throw new ClException("Not enough device memory for %s on %s (%.2f GiB were allocated when it failed): %s. "
                        .formatted(file.path().getFileName(), cl.device().describe(),
                                (cl.allocatedBytes() - before) / (1024.0 * 1024 * 1024), e.getMessage())
                        + "Use a smaller context length, a smaller or more quantized model, or another device.");
            }
            throw e;
        }
    }

    public ModelConfig config() {
        return config;
    }

    public int contextLength() {
        return contextLength;
    }

    public int slots() {
        return slots;
    }

    public ClContext context() {
        return cl;
    }

    /**
     * Runs the batch through the model, storing its keys and values in the cache, and returns the logits of the
     * requested rows, {@code logitRows.length * vocabularySize} floats.
     */
    public float[] forward(Batch batch) {
        // kernels (and so their arguments) are shared by all models on one context: one pass at a time
        synchronized (cl) {
            return forwardLocked(batch);
        }
    }

    private float[] forwardLocked(Batch batch) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.positions()[i] < 0 || batch.positions()[i] >= contextLength) {
                throw new IllegalArgumentException("position %d is outside the context of %d tokens".formatted(batch.positions()[i], contextLength));
            }
            if (batch.slots()[i] < 0 || batch.slots()[i] >= slots) {
                throw new IllegalArgumentException("slot %d does not exist (%d slots)".formatted(batch.slots()[i], slots));
            }
            if (batch.tokens()[i] < 0 || batch.tokens()[i] >= config.vocabularySize()) {
                throw new IllegalArgumentException("token id %d is outside the vocabulary of %d".formatted(batch.tokens()[i], config.vocabularySize()));
            }
        }
        int vocab = config.vocabularySize();
        float[] result = new float[batch.logitRows().length * vocab];
        for (int start = 0; start < batch.size(); start += maxBatch) {
            int n = Math.min(maxBatch, batch.size() - start);
            upload(tokenIds, batch.tokens(), start, n);
            upload(positions, batch.positions(), start, n);
            upload(slotIds, batch.slots(), start, n);
            embed(n);
            for (int l = 0; l < layers.size(); l++) {
                runLayer(l, n);
            }
            // the logit rows that fall in this chunk, in request order
            int[] wanted = new int[batch.logitRows().length];
            int[] resultIndex = new int[batch.logitRows().length];
            int count = 0;
            for (int r = 0; r < batch.logitRows().length; r++) {
                int row = batch.logitRows()[r];
                if (row >= start && row < start + n) {
                    wanted[count] = row - start;
                    resultIndex[count++] = r;
                }
            }
            for (int done = 0; done < count; done += maxBatch) {
                int m = Math.min(maxBatch, count - done);
                int[] rows = java.util.Arrays.copyOfRange(wanted, done, done + m);
                logits(rows);
                MemorySegment host = hostLogits.asSlice(0, 4L * m * vocab);
                cl.read(logits, 0, host);
                for (int i = 0; i < m; i++) {
                    MemorySegment.copy(host, ValueLayout.JAVA_FLOAT, 4L * i * vocab, result, resultIndex[done + i] * vocab, vocab);
                }
            }
        }
        return result;
    }

    private void upload(ClBuffer target, int[] values, int start, int n) {
        MemorySegment.copy(values, start, hostInts, ValueLayout.JAVA_INT, 0, n);
        cl.write(target, 0, hostInts.asSlice(0, 4L * n));
    }

    private void embed(int n) {
        DeviceTensor table = tokenEmbedding;
        kernels.kernel("kernel_get_rows_" + table.kernelSuffix())
                .arg(0, table.buffer()).arg(1, table.columns()).arg(2, table.rowBytes())
                .arg(3, tokenIds).arg(4, x)
                .run((table.columns() + 31) / 32, n, 1, 1);
    }

    private void runLayer(int l, int n) {
        LayerWeights w = layers.get(l);
        ModelConfig c = config;
        rmsNorm(x, xb, w.attnNorm(), c.embeddingLength(), n);
        matvec(w.wq(), xb, c.embeddingLength(), q, c.queryDim(), n, w.qBias(), false);
        matvec(w.wk(), xb, c.embeddingLength(), k, c.kvDim(), n, w.kBias(), false);
        matvec(w.wv(), xb, c.embeddingLength(), v, c.kvDim(), n, w.vBias(), false);
        if (w.qNorm() != null) {
            rmsNorm(q, q, w.qNorm(), c.headDim(), n * c.headCount());
            rmsNorm(k, k, w.kNorm(), c.headDim(), n * c.kvHeadCount());
        }
        rope(q, c.queryDim(), c.headCount(), n);
        rope(k, c.kvDim(), c.kvHeadCount(), n);
        kernels.kernel("kernel_kv_store")
                .arg(0, k).arg(1, v).arg(2, keyCache[l]).arg(3, valueCache[l]).arg(4, positions).arg(5, slotIds)
                .arg(6, c.kvDim()).arg(7, contextLength)
                .run(c.kvDim(), n, 0, 0);
        kernels.kernel("kernel_attention")
                .arg(0, q).arg(1, keyCache[l]).arg(2, valueCache[l]).arg(3, attn).arg(4, attnScores)
                .arg(5, positions).arg(6, slotIds).arg(7, c.headCount()).arg(8, c.kvHeadCount()).arg(9, c.headDim())
                .arg(10, contextLength).arg(11, (float) (1.0 / Math.sqrt(c.headDim())))
                .localArg(12, 4L * ATTENTION_GROUP)
                .run((long) c.headCount() * ATTENTION_GROUP, n, ATTENTION_GROUP, 1);
        matvec(w.wo(), attn, c.queryDim(), x, c.embeddingLength(), n, null, true);
        rmsNorm(x, xb, w.ffnNorm(), c.embeddingLength(), n);
        matvec(w.gate(), xb, c.embeddingLength(), gate, c.feedForwardLength(), n, null, false);
        matvec(w.up(), xb, c.embeddingLength(), up, c.feedForwardLength(), n, null, false);
        kernels.kernel("kernel_swiglu").arg(0, gate).arg(1, up).run((long) n * c.feedForwardLength(), 0);
        matvec(w.down(), gate, c.feedForwardLength(), x, c.embeddingLength(), n, null, true);
    }

    private void logits(int[] rows) {
        int m = rows.length;
        MemorySegment.copy(rows, 0, hostInts, ValueLayout.JAVA_INT, 0, m);
        cl.write(logitRows, 0, hostInts.asSlice(0, 4L * m));
        kernels.kernel("kernel_gather_rows").arg(0, x).arg(1, logitRows).arg(2, xb).arg(3, config.embeddingLength())
                .run(config.embeddingLength(), m, 0, 0);
        rmsNorm(xb, xb, outputNorm, config.embeddingLength(), m);
        matvec(output, xb, config.embeddingLength(), logits, config.vocabularySize(), m, null, false);
    }

    private void rmsNorm(ClBuffer in, ClBuffer out, ClBuffer weight, int n, int rows) {
        kernels.kernel("kernel_rms_norm")
                .arg(0, in).arg(1, out).arg(2, weight).arg(3, n).arg(4, config.rmsEpsilon())
                .localArg(5, 4L * NORM_GROUP)
                .run((long) rows * NORM_GROUP, NORM_GROUP);
    }

    private void rope(ClBuffer target, int rowStride, int heads, int n) {
        kernels.kernel("kernel_rope")
                .arg(0, target).arg(1, rowStride).arg(2, heads).arg(3, config.headDim()).arg(4, positions)
                .arg(5, config.ropeFreqBase()).arg(6, config.ropeFreqScale())
                .arg(7, ropeFreqs != null ? ropeFreqs : target).arg(8, ropeFreqs != null ? 1 : 0)
                .arg(9, config.architecture().ropeStyle() == Architecture.RopeStyle.HALVES ? 1 : 0)
                .run((long) config.headDim() / 2 * heads, n, 0, 0);
    }

    /** out[t][row] (+)= W[row] . in[t] for t < n; rows = W's row count. */
    private void matvec(DeviceTensor w, ClBuffer in, int inStride, ClBuffer out, int outStride, int n, ClBuffer bias, boolean accumulate) {
        kernels.kernel("kernel_mul_mv_" + w.kernelSuffix())
                .arg(0, w.buffer()).arg(1, w.columns()).arg(2, w.rowBytes())
                .arg(3, in).arg(4, 0).arg(5, inStride)
                .arg(6, out).arg(7, 0).arg(8, outStride)
                .arg(9, n).arg(10, bias != null ? bias : out).arg(11, bias != null ? 1 : 0).arg(12, accumulate ? 1 : 0)
                .localArg(13, 4L * MV_TOKENS * MATVEC_GROUP)
                .run((long) w.rows() * MATVEC_GROUP, MATVEC_GROUP);
    }

    /** Releases the weights, cache and activations on the device (the context itself belongs to the caller). */
    @Override
    public void close() {
        List<ClBuffer> buffers = new ArrayList<>(List.of(x, xb, q, k, v, attn, attnScores, gate, up, logits, tokenIds, positions, slotIds, logitRows, outputNorm));
        buffers.add(tokenEmbedding.buffer());
        buffers.add(output.buffer());
        if (ropeFreqs != null) {
            buffers.add(ropeFreqs);
        }
        for (LayerWeights w : layers) {
            for (ClBuffer buffer : new ClBuffer[] {w.attnNorm(), w.qBias(), w.kBias(), w.vBias(), w.qNorm(), w.kNorm(), w.ffnNorm(),
                    w.wq().buffer(), w.wk().buffer(), w.wv().buffer(), w.wo().buffer(), w.gate().buffer(), w.up().buffer(), w.down().buffer()}) {
                if (buffer != null) {
                    buffers.add(buffer);
                }
            }
        }
        buffers.addAll(List.of(keyCache));
        buffers.addAll(List.of(valueCache));
        buffers.forEach(ClBuffer::close);
        hostArena.close();
    }
}
