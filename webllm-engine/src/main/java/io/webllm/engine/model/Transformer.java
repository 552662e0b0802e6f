package io.webllm.engine.model;

import static io.webllm.engine.model.TensorNames.layer;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClCommandBuffer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.ClException;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.KernelLibrary;
import io.webllm.engine.opencl.Tuning;
import io.webllm.engine.tensor.GgmlType;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.ObjIntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A model's weights and KV cache on an OpenCL device, and its forward pass.
 *
 * <p>Per layer, for a batch of n tokens (buffer written in brackets):
 * <pre>
 *  1 rms_norm(x, attn_norm)                     [xb]    n x embd
 *  2 mul_mv q|k|v stacked (+ bias)              [qkv]   n x (q_dim + 2 kv_dim)   (a launch a run of one type)
 *  3 rope_store: per-head norm (Qwen3), rotate  [qkv] q in place; k rotated and v into [k_cache v_cache]
 *  4 attention over the cache in chunks of positions; a token's last chunk combines them   [attn]  n x q_dim
 *    (with Q8 activations also [xq] for step 5, when head_dim is a multiple of 32)
 *  5 mul_mv attn_output, += x                   [x]
 *  6 rms_norm(x, ffn_norm)                      [xb]
 *  7 mul_mv_glu: silu(gate xb) * (up xb)        [ff]    n x n_ff   (with Q8 activations also [ffq] for step 8)
 *  8 mul_mv ffn_down, += x                      [x]
 * </pre>
 * With Q8 activations every producer writes its output quantized as well (the norms [xq], attention [xq], the gated
 * kernel [ffq]), so no quantize launch runs between them; their arguments are set once at load (see {@link Launch}).
 * A single stream's decode step fuses further: the stacked q/k/v product applies step 3 itself, and the residual
 * products (5, 8) apply the norm after them, deferred: they write y * norm weight quantized with each group's sum of
 * squares, and the products of steps 2 and 7 multiply their sums by the norm's scale ({@link #residualProduct}),
 * so such a step makes 5 launches a layer; with chained layers ({@link Options#withChainedLayers}) two: attention,
 * and one launch of a layer's o, gated and down products with the next layer's q/k/v ({@link ChainedLaunch}). Then
 * output_norm and the output matrix only for the rows whose logits are wanted (in such a step the last down product
 * applies output_norm too, so only the output matrix runs). Prompts longer than {@code maxBatch} run in consecutive
 * chunks. Greedy and sampled decodes can pick their tokens on the device and run ahead of the host
 * ({@link DeviceDecode}). Not thread-safe: one scheduler thread drives it.
 */
public final class Transformer implements AutoCloseable {

    /** Work-items of a norm or quantize work-group (norm and q8 kernels). */
    static final int NORM_GROUP = 256;

    private final ModelConfig config;
    private final ClContext cl;
    private final KernelLibrary kernels;
    private final int contextLength;
    private final int slots;
    private final int maxBatch;
    private final int qkvDim;
    private final List<ClBuffer> owned = new ArrayList<>();
    private final DeviceTensor tokenEmbedding;
    private final DeviceTensor output;
    private final ClBuffer outputNorm;
    // activations, sized for maxBatch tokens
    private final ClBuffer x;
    private final ClBuffer xb;
    private final ClBuffer qkv;
    private final ClBuffer attn;
    private final ClBuffer ff;
    private final ClBuffer logits;
    private final ClBuffer tokenIds;
    private final ClBuffer positions;
    private final ClBuffer slotIds;
    private final ClBuffer logitRows;
    private final Launch embed;
    private final List<Step> layerLaunches = new ArrayList<>();
    private final Launch gather;
    private final Launch finalNorm;
    /** The rows whose logits are wanted, gathered from x before the output norm (which must not run in place). */
    private final ClBuffer gathered;
    private final Step outputMatvec;
    /**
     * The output product of a single-token pass where the last layer's down product applied the output norm
     * (deferred): no gather and no final norm launch. Null where the norm is launched.
     */
    private @Nullable Step singleTokenOutput;
    /** Whether the matrix products use the CPU kernels (mul_mv_cpu.cl) rather than the GPU ones. */
    private final boolean cpuKernels;
    /**
     * Whether matrix products take Q8 activations (q8.cl): matrix-vector products of Q4_0/Q8_0/Q4_K/Q6_K weights
     * (mul_mv_q8.cl) and matrix-matrix products of Q4_0/Q8_0 (mul_mm_q8.cl). The norms write their output quantized
     * too, other inputs get a quantize launch. Null buffers when off.
     */
    private final boolean q8;
    private final @Nullable ClBuffer xq;
    private final @Nullable ClBuffer xqScales;
    /**
     * The feed-forward activations as Q8, for the down projection: their own buffers, because the gated kernel's
     * work-groups quantize their finished outputs while others still read xq (mul_mv_q8.cl).
     */
    private final @Nullable ClBuffer ffq;
    /** Where products read the norms' output as Q8 (written by the norm in every pass). */
    private final Q8Input normed;
    /**
     * The same activations where a residual product wrote them in single-token passes, its norm deferred (per-group
     * sums of squares in their own buffer; see {@link #residualProduct}); null where products cannot read them.
     */
    private final @Nullable Q8Input deferredNormed;
    private final @Nullable ClBuffer ffqScales;
    /**
     * Counts of finished work-groups for kernels whose last work-group to finish completes a shared result: the
     * attention chunks of a token, the gated kernel's rows of a Q8 group. Zero between launches.
     */
    private final @Nullable ClBuffer arrivals;
    /** The launches of the matrix products, built on the kernels, activations' form and arrival counts above. */
    private final MatrixProducts products;
    /** The launches of the layers' gated feed-forward products. */
    private final GatedProducts gatedProducts;
    private final Arena hostArena = Arena.ofShared();
    /** The attention split kernels and the chunking they run with, which follows each pass. */
    private final AttentionChunking chunking;
    private long enqueueNanos;
    /** Whether attention writes its output as Q8 activations too, so attn_output needs no quantize launch. */
    private final boolean attentionQuantizes;
    /** With -Dwebllm.attention.timing: the split kernel's phase stamps (attention.cl, AT_TIMING), else null. */
    private final @Nullable ClBuffer attentionTiming;
    /** The phase stamps of measurement builds, read back. */
    private final PhaseStamps stamps;
    private @Nullable ClBuffer chainCounts;
    /** The products of this model's chained launches, as their phase stamps name them. */
    private List<String> chainProducts = ChainedLaunch.PRODUCTS;
    /** What the latency-bound kernels of a decode step warm L2 with (-Dwebllm.warm.l2MB), planned as the layers are built. */
    private final L2Warmup warmup = new L2Warmup();
    /** Per kernel name: total seconds and launches, when profiling is on (see {@link #profile}). */
    private java.util.@Nullable Map<String, double[]> profile;
    /** Passes recorded as command buffers, replayed with one enqueue (null where off or unsupported). */
    private final @Nullable RecordedPasses recorded;
    /** A pass's token ids, positions, slots and logit rows, written in one go (tokenIds etc. are its regions). */
    private final PassInputs inputs;
    /** The pass's logits on their way to the caller. */
    private final LogitReadback logitReadback;
    /** The kernels that pick a device decode's tokens after each pass, and where their reports land. */
    private final DevicePicks picks;
    /** The device decode whose passes own the pass inputs until it closes; null when none is open. */
    private @Nullable DeviceDecode openDecode;

    private Transformer(GgufFile file, ClContext cl, ModelConfig config, Options options, LoadListener listener) {
        this.config = config;
        this.cl = cl;
        this.contextLength = options.contextLength() > 0 ? Math.min(options.contextLength(), config.contextLength()) : config.contextLength();
        this.slots = options.slots();
        this.maxBatch = options.maxBatch();
        this.kernels = cl.kernels();
        this.cpuKernels = options.kernels().resolve(cl.device()) == KernelLibrary.Variant.CPU;
        // the norms quantize whole 32-value groups of the embedding
        this.q8 = options.quantizedActivations() && !cpuKernels && config.embeddingLength() % 32 == 0;
        this.qkvDim = config.queryDim() + 2 * config.kvDim();
        if (Integer.bitCount(config.headDim() / 2) != 1 || config.headDim() > 256) {
            throw new IllegalArgumentException("head size %d is not supported: rotation kernels need head_dim / 2 to be a power of two"
                    .formatted(config.headDim()));
        }
        WeightUploader upload = new WeightUploader(file, cl, listener);
        tokenEmbedding = track(upload.matrix(TensorNames.TOKEN_EMBEDDING));
        output = config.tiedOutput() ? tokenEmbedding : track(upload.matrix(TensorNames.OUTPUT));
        outputNorm = track(upload.vector(TensorNames.OUTPUT_NORM));
        ClBuffer ropeFreqs = config.hasRopeFreqs() ? track(upload.vector(TensorNames.ROPE_FREQS)) : null;

        long b = maxBatch;
        x = allocate("x", 4 * b * config.embeddingLength());
        xb = allocate("xb", 4 * b * config.embeddingLength());
        qkv = allocate("qkv", 4 * b * qkvDim);
        attn = allocate("attention output", 4 * b * config.queryDim());
        // a pass's attention aims at Tuning.ATTENTION_GROUPS_PER_UNIT work-groups a compute unit
        chunking = new AttentionChunking(config.headCount(), config.kvHeadCount(),
                Math.max(1, cl.device().computeUnits()) * Tuning.ATTENTION_GROUPS_PER_UNIT);
        attentionQuantizes = q8 && config.headDim() % 32 == 0;
        attentionTiming = Tuning.ATTENTION_TIMING ? zeroed("attention phase stamps", 8L * PhaseStamps.ATTENTION_STAMPS) : null;
        stamps = new PhaseStamps(cl, attentionTiming);
        // the CPU attention kernel writes its output directly; the split one goes through partial results
        @Nullable ClBuffer partials = cpuKernels ? null
                : allocate("attention partials", 4L * chunking.partialsCapacity(maxBatch)
                        * config.headCount() * (config.headDim() + 2));
        // per (token, head set) for attention, per (token, Q8 group) of the feed-forward activations for the gated
        // kernel, per token for the residual products' norms, per (token, q/k/v head) for the stacked product's rope
        arrivals = cpuKernels ? null : zeroed("arrival counts",
                4L * maxBatch * Math.max(Math.max(chunking.groupsPerToken(), config.feedForwardLength() / 32),
                        Math.max(config.embeddingLength() / 32, config.headCount() + 2 * config.kvHeadCount())));
        products = new MatrixProducts(kernels, cpuKernels, q8, config.rmsEpsilon(), arrivals);
        ff = allocate("ffn activations", 4 * b * config.feedForwardLength());
        long widest = Math.max(config.embeddingLength(), Math.max(config.queryDim(), config.feedForwardLength()));
        xq = q8 ? allocate("q8 activations", b * widest) : null;
        xqScales = q8 ? allocate("q8 activation scales", 8 * b * (widest / 32)) : null;
        boolean ffnQ8 = q8 && config.feedForwardLength() % 32 == 0;
        ffq = ffnQ8 ? allocate("q8 feed-forward activations", b * config.feedForwardLength()) : null;
        ffqScales = ffnQ8 ? allocate("q8 feed-forward activation scales", 8 * b * (config.feedForwardLength() / 32)) : null;
        normed = new Q8Input(xq, xqScales, true, true);
        // buffers of their own: the residual product that writes them reads its input from xq (the attention output)
        deferredNormed = Tuning.defersNorms(config.embeddingLength()) && readsDeferredNorms(file)
                ? new Q8Input(allocate("q8 residual norms", b * config.embeddingLength()),
                        allocate("q8 residual norm scales", 8 * b * (config.embeddingLength() / 32)), true, true,
                        allocate("residual norm sums of squares", 4 * b * (config.embeddingLength() / 32)))
                : null;
        Q8Input attentionOutput = new Q8Input(xq, xqScales, attentionQuantizes, attentionQuantizes);
        gatedProducts = new GatedProducts(kernels, products, config, cpuKernels, q8, xb, ff,
                allocate("ffn up activations", 4 * b * config.feedForwardLength()), ffq, ffqScales, xq, xqScales);
        logits = allocate("logits", 4 * b * config.vocabularySize());
        inputs = new PassInputs(cl, maxBatch, hostArena);
        tokenIds = inputs.tokenIds();
        positions = inputs.positions();
        slotIds = inputs.slots();
        logitRows = inputs.logitRows();
        logitReadback = new LogitReadback(cl, logits, config.vocabularySize(), maxBatch);

        embed = new Launch(kernels.create("kernel_get_rows_" + tokenEmbedding.kernelSuffix())
                .arg(0, tokenEmbedding.buffer()).arg(1, tokenEmbedding.columns()).arg(2, tokenEmbedding.rowBytes())
                .arg(3, tokenEmbedding.rows()).arg(4, tokenIds).arg(5, x),
                -1, n -> (tokenEmbedding.columns() + 31) / 32, n -> n, 1, 1);
        // half floats (rope.cl)
        long cacheBytes = 2L * slots * contextLength * config.kvDim();
        Architecture arch = config.architecture();
        // every later attention norm is applied after the previous layer's down product (residualProduct)
        layerLaunches.add(warmingNorm(rmsNorm(x, xb, track(upload.vector(layer(0, "attn_norm.weight"))), normed)));
        Q8Input attentionInput = normed;
        // chained launches (Options.chainedLayers): built once the next layer's q/k/v product is known to join or not
        List<ChainedLaunch> chains = new ArrayList<>();
        ChainedLaunch previousChain = null;
        for (int l = 0; l < config.layerCount(); l++) {
            LayerKv kv = new LayerKv(allocate("key cache of layer " + l, cacheBytes), allocate("value cache of layer " + l, cacheBytes),
                    ropeFreqs, arch.qkNorm() ? track(upload.vector(layer(l, "attn_q_norm.weight"))) : null,
                    arch.qkNorm() ? track(upload.vector(layer(l, "attn_k_norm.weight"))) : null);
            addQkv(l, file, upload, kv, attentionInput, previousChain);
            layerLaunches.add(partials == null ? attentionCpu(kv) : attentionSplit(kv, partials, arrivals));
            ClBuffer ffnNorm = track(upload.vector(layer(l, "ffn_norm.weight")));
            DeviceTensor oWeights = track(upload.matrix(layer(l, "attn_output.weight")));
            warmup.read(oWeights.buffer());
            ResidualProduct o = residualProduct(oWeights, attn, config.queryDim(), attentionOutput, ffnNorm);
            Q8Input ffnInput = o.output();
            DeviceTensor gate = track(upload.matrix(layer(l, "ffn_gate.weight")));
            DeviceTensor up = track(upload.matrix(layer(l, "ffn_up.weight")));
            // the SiLU kernel writes ff as Q8 too whenever there are Q8 activations; the gated kernel where it can
            boolean writtenForVector = true;
            Step gated;
            if (gate.type() == up.type()) {
                warmup.read(gate.buffer(), up.buffer());
                writtenForVector = ffnQ8 && Tuning.gatedQuantizes(config.embeddingLength()) && MatrixProducts.tailQuantizes(gate, true);
                gated = gatedProducts.fused(gate, up, writtenForVector, ffnInput);
            } else {
                warmup.read(gate.buffer());
                warmup.read(up.buffer());
                gated = gatedProducts.separate(gate, up, ffnInput);
            }
            Q8Input feedForward = ffnQ8 ? new Q8Input(ffq, ffqScales, writtenForVector, true) : new Q8Input(xq, xqScales, false, false);
            DeviceTensor down = track(upload.matrix(layer(l, "ffn_down.weight")));
            warmup.read(down.buffer());
            // the last layer's down product: in single-token passes it applies the output norm deferred, where the
            // output product can read it so; otherwise the final norm reads only the rows that give logits (gathered)
            FollowingNorm outputNormAfter = l + 1 == config.layerCount() && deferredNormed != null && products.appliesFollowingNorm(down)
                    && products.readsDeferredNorm(output.type(), output.columns()) ? new FollowingNorm(outputNorm, deferredNormed) : null;
            ClBuffer nextAttentionNorm = l + 1 < config.layerCount() ? track(upload.vector(layer(l + 1, "attn_norm.weight"))) : null;
            ResidualProduct d;
            if (nextAttentionNorm != null) {
                d = residualProduct(down, ff, config.feedForwardLength(), feedForward, nextAttentionNorm);
            } else {
                Step lastDown = products.matvec(down, ff, config.feedForwardLength(), x, 0, config.embeddingLength(), null, true,
                        feedForward, outputNormAfter);
                d = new ResidualProduct(down, ff, config.feedForwardLength(), feedForward, outputNormAfter, lastDown, lastDown,
                        normed, Step.NONE);
            }
            if (outputNormAfter != null) {
                singleTokenOutput = products.matvec(output, xb, config.embeddingLength(), logits, 0, config.vocabularySize(), null,
                        false, deferredNormed);
            }
            Step separate = Step.sequence(Step.sequence(o.step(), gated), d.step());
            previousChain = chainsFeedForward(o, gate, up, writtenForVector, d, l + 1 == config.layerCount(), options)
                    ? chainedFeedForward(o, gate, up, ffnInput, d) : null;
            if (previousChain != null) {
                chains.add(previousChain);
            }
            Step chained = previousChain;
            Optional<String> launchedNormChain = previousChain == null
                    ? launchedNormChainSuffix(o, gate, up, writtenForVector, d, l + 1 == config.layerCount(), options)
                    : Optional.empty();
            if (launchedNormChain.isPresent()) {
                int nff = config.feedForwardLength();
                // the norms chain too where asked (both write `normed`, which the gated product and the next q/k/v read)
                LaunchedNormChain.NormStages norms = options.chainedNorms()
                        ? new LaunchedNormChain.NormStages(x, xb, config.embeddingLength(), config.rmsEpsilon(),
                                java.util.Objects.requireNonNull(normed.quants(), "the norms' Q8 output"),
                                java.util.Objects.requireNonNull(normed.scales(), "the norms' Q8 scales"), ffnNorm,
                                java.util.Objects.requireNonNull(nextAttentionNorm, "a chained layer's next attention norm"),
                                Tuning.CHAIN_WARM_FIRST)
                        : null;
                Step gatedToDown = new LaunchedNormChain(kernels, launchedNormChain.get(), norms,
                        gatedProducts.q8Launch(gate, up, false, ffnInput, KernelLibrary.SINGLE_TOKEN, true), ff, feedForward, nff / 32,
                        products.singleTokenQ8Matvec(down, feedForward, nff, x, 0, config.embeddingLength(), null, true, null),
                        options.launchedNormChain(), chainCounts());
                chainProducts = norms == null ? LaunchedNormChain.PRODUCTS : LaunchedNormChain.PRODUCTS_WITH_NORMS;
                chained = norms == null ? Step.sequence(o.step(), Step.sequence(gatedToDown, d.after()))
                        : Step.sequence(o.product(), gatedToDown);
            }
            layerLaunches.add(chained == null ? separate : Step.byTokenCount(chained, separate, 2));
            attentionInput = d.output();
        }
        chains.forEach(ChainedLaunch::build);
        gathered = allocate("rows for logits", 4 * b * config.embeddingLength());
        gather = new Launch(kernels.create("kernel_gather_rows").arg(0, x).arg(1, logitRows).arg(2, gathered)
                .arg(3, config.embeddingLength()), -1, m -> config.embeddingLength(), m -> m, 0, 0);
        finalNorm = warmingNorm(rmsNorm(gathered, xb, outputNorm, normed));
        warmup.read(output.buffer());
        warmup.assign(x);
        outputMatvec = products.matvec(output, xb, config.embeddingLength(), logits, 0, config.vocabularySize(), null, false, normed);
        picks = new DevicePicks(cl, kernels, logits, config.vocabularySize(), tokenIds, positions, maxBatch, slots);
        upload.finish();
        recorded = RecordedPasses.on(cl, options.recordedPasses());
    }

    /**
     * Whether a {@link DeviceDecode} can draw sampled tokens here ({@link DeviceDraw} with a temperature): the device
     * has double precision (cl_khr_fp64), in which the host's sampler computes its weights and sums.
     */
    public boolean drawsOnDevice() {
        return picks.draws();
    }

    private DeviceTensor track(DeviceTensor tensor) {
        owned.add(tensor.buffer());
        return tensor;
    }

    private ClBuffer track(ClBuffer buffer) {
        owned.add(buffer);
        return buffer;
    }

    private ClBuffer allocate(String name, long bytes) {
        return track(cl.allocate(name, bytes));
    }

    private ClBuffer zeroed(String name, long bytes) {
        ClBuffer buffer = allocate(name, bytes);
        try (Arena zeros = Arena.ofConfined()) {
            cl.write(buffer, 0, zeros.allocate(bytes));
        }
        return buffer;
    }

    /**
     * How the model is laid out on the device, and which matrix kernels it uses ({@code kernels}: the GPU or CPU
     * variant, or AUTO by device type; the three-argument form takes {@code -Dwebllm.kernels}, AUTO if unset).
     */
    public record Options(int contextLength, int slots, int maxBatch, KernelLibrary.Variant kernels, boolean quantizedActivations,
                          ClCommandBuffer.Use recordedPasses, boolean chainedLayers, int launchedNormChain,
                          boolean chainedNorms) {

        public static final Options DEFAULT = new Options(0, 1, 64, KernelLibrary.Variant.AUTO, true, ClCommandBuffer.Use.OFF,
                Tuning.CHAINED_LAYERS, Tuning.LAUNCHED_NORM_CHAIN, Tuning.CHAINED_NORMS);

        public Options {
            if (slots < 1 || maxBatch < 1) {
                throw new IllegalArgumentException("slots and maxBatch must be at least 1");
            }
            java.util.Objects.requireNonNull(kernels, "kernels");
            java.util.Objects.requireNonNull(recordedPasses, "recordedPasses");
        }

        /**
         * Passes recorded as -Dwebllm.commandBuffers says ({@link ClCommandBuffer.Use#configured}), layers chained as
         * -Dwebllm.chain says ({@link Tuning#CHAINED_LAYERS}).
         */
        public Options(int contextLength, int slots, int maxBatch, KernelLibrary.Variant kernels, boolean quantizedActivations) {
            this(contextLength, slots, maxBatch, kernels, quantizedActivations, ClCommandBuffer.Use.configured(),
                    Tuning.CHAINED_LAYERS, Tuning.LAUNCHED_NORM_CHAIN, Tuning.CHAINED_NORMS);
        }

        /** Q8 activations unless {@code -Dwebllm.activations=f32}. */
        public Options(int contextLength, int slots, int maxBatch, KernelLibrary.Variant kernels) {
            this(contextLength, slots, maxBatch, kernels, configuredQuantizedActivations());
        }

        public Options(int contextLength, int slots, int maxBatch) {
            this(contextLength, slots, maxBatch, KernelLibrary.Variant.configured());
        }

        public Options withContextLength(int tokens) {
            return new Options(tokens, slots, maxBatch, kernels, quantizedActivations, recordedPasses, chainedLayers, launchedNormChain, chainedNorms);
        }

        public Options withKernels(KernelLibrary.Variant variant) {
            return new Options(contextLength, slots, maxBatch, variant, quantizedActivations, recordedPasses, chainedLayers, launchedNormChain, chainedNorms);
        }

        /**
         * Whether the GPU kernels multiply Q4_0/Q8_0/Q4_K/Q6_K weights with activations quantized to 8 bits per
         * 32-value group (integer dot products and tensor cores: faster, activations rounded to 1/254 of each group's
         * largest value, as llama.cpp does) or with float activations. The CPU kernels always use floats.
         */
        public Options withQuantizedActivations(boolean enabled) {
            return new Options(contextLength, slots, maxBatch, kernels, enabled, recordedPasses, chainedLayers, launchedNormChain, chainedNorms);
        }

        /** Whether passes are recorded once and replayed as command buffers (cl_khr_command_buffer). */
        public Options withRecordedPasses(ClCommandBuffer.Use use) {
            return new Options(contextLength, slots, maxBatch, kernels, quantizedActivations, use, chainedLayers, launchedNormChain, chainedNorms);
        }

        /**
         * Whether a single stream's decode step runs each layer's o, gated and down products as one launch (mul_mv_q8.cl,
         * kernel_chain_ffn_*: work-groups of a later product wait on the earlier ones' done counts, in start order),
         * which saves three launches a layer; it applies where norms are deferred (small models, Tuning.defersNorms).
         * On by default ({@link Tuning#CHAINED_LAYERS}).
         */
        public Options withChainedLayers(boolean enabled) {
            return new Options(contextLength, slots, maxBatch, kernels, quantizedActivations, recordedPasses, enabled, launchedNormChain, chainedNorms);
        }

        /**
         * Work-groups a compute unit of the chained launch that runs a single stream's gated product, the quantize of
         * its output and down as one launch where norms are launched (the large models; mul_mv_q8.cl,
         * kernel_chain_glu_down_*: each product's work-groups walk its row groups, so that the chain's per-work-group
         * fence and count is paid a few hundred times, not once per row group); 0 launches them apart. Applies with
         * chained layers on. Default {@link Tuning#LAUNCHED_NORM_CHAIN}.
         */
        public Options withLaunchedNormChain(int groupsPerUnit) {
            return new Options(contextLength, slots, maxBatch, kernels, quantizedActivations, recordedPasses, chainedLayers, groupsPerUnit, chainedNorms);
        }

        /**
         * Whether the launched-norm chain ({@link #withLaunchedNormChain}) takes in the norms around it too: the
         * feed-forward norm before the gated product and the next layer's attention norm after down (mul_mv_q8.cl,
         * kernel_chain_norms_glu_down_*), two launches fewer a layer. Default {@link Tuning#CHAINED_NORMS}.
         */
        public Options withChainedNorms(boolean enabled) {
            return new Options(contextLength, slots, maxBatch, kernels, quantizedActivations, recordedPasses, chainedLayers,
                    launchedNormChain, enabled);
        }

        private static boolean configuredQuantizedActivations() {
            String value = System.getProperty("webllm.activations", "q8").trim().toLowerCase(java.util.Locale.ROOT);
            return switch (value) {
                case "q8" -> true;
                case "f32" -> false;
                default -> throw new IllegalArgumentException("webllm.activations must be q8 or f32, but was '" + value + "'");
            };
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
        long mark = cl.allocationMark();
        try {
            return new Transformer(file, cl, config, options, listener);
        } catch (ClException e) {
            double allocated = (cl.allocatedBytes() - before) / (1024.0 * 1024 * 1024);
            cl.releaseSince(mark);
            if (e.outOfMemory()) {
                throw new ClException("Not enough device memory for %s on %s (%.2f GiB were allocated when it failed): %s. "
                        .formatted(file.path().getFileName(), cl.device().describe(), allocated, e.getMessage())
                        + "Use a smaller context length, a smaller or more quantized model, or another device.");
            }
            throw e;
        } catch (RuntimeException e) {
            cl.releaseSince(mark);
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
     * The attention split kernel's phases in its last launch, in microseconds of the device's global timer (with
     * -Dwebllm.attention.timing on NVIDIA; empty otherwise): see {@link PhaseStamps#attentionMicros}.
     */
    public java.util.Map<String, Double> attentionPhaseMicros() {
        return stamps.attentionMicros();
    }

    /**
     * Runs the batch through the model, storing its keys and values in the cache, and returns the logits of the
     * requested rows, {@code logitRows.length * vocabularySize} floats.
     */
    public float[] forward(Batch batch) {
        return forward(batch, null);
    }

    /**
     * As {@link #forward(Batch)}, the logits written into {@code reuse} where it holds them all (rows at the same
     * places; what lies past them is left as it was): a caller that is done with one pass's logits before the next
     * saves allocating and zeroing them every token (600 KB a row for a 150k vocabulary).
     */
    public float[] forward(Batch batch, float @Nullable [] reuse) {
        // models on one context share its queue and the host copies below: one pass at a time
        synchronized (cl) {
            return forwardLocked(batch, reuse);
        }
    }

    private float[] forwardLocked(Batch batch, float @Nullable [] reuse) {
        if (openDecode != null) {
            throw new IllegalStateException("a device decode is running on this model: close it before the next forward pass");
        }
        long passStart = System.nanoTime();
        for (int i = 0; i < batch.size(); i++) {
            checkInput(batch.tokens()[i], batch.positions()[i], batch.slots()[i]);
        }
        int vocab = config.vocabularySize();
        int floats = batch.logitRows().length * vocab;
        float[] result = reuse != null && reuse.length >= floats ? reuse : new float[floats];
        for (int start = 0; start < batch.size(); start += maxBatch) {
            int n = Math.min(maxBatch, batch.size() - start);
            chunking.cover(batch.positions(), start, n);
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
            inputs.write(batch.tokens(), batch.positions(), batch.slots(), start, n, wanted, count);
            enqueuePass(n, count);
            if (count > 0) {
                enqueueNanos = System.nanoTime() - passStart;
                logitReadback.read(count, resultIndex, result);
                inputs.drained(); // a blocking read on the in-order queue: everything before it is done
            }
        }
        return result;
    }

    /** Fails naming the value outside its range: a token id, its position in the cache, its sequence's slot. */
    private void checkInput(int token, int position, int slot) {
        if (position < 0 || position >= contextLength) {
            throw new IllegalArgumentException("position %d is outside the context of %d tokens".formatted(position, contextLength));
        }
        if (slot < 0 || slot >= slots) {
            throw new IllegalArgumentException("slot %d does not exist (%d slots)".formatted(slot, slots));
        }
        if (token < 0 || token >= config.vocabularySize()) {
            throw new IllegalArgumentException("token id %d is outside the vocabulary of %d".formatted(token, config.vocabularySize()));
        }
    }

    /** Enqueues a pass of n tokens and m logit rows: replayed where recorded, else launch by launch. */
    private void enqueuePass(int n, int m) {
        ClCommandBuffer pass = recorded == null || profile != null ? null
                : recorded.pass(new RecordedPasses.Key(n, chunking.split(), m), buffer -> recordPass(buffer, n, m));
        if (pass != null) {
            pass.enqueue();
        } else {
            runPass(n, m);
        }
    }

    /**
     * Starts a greedy decode of the sequence in {@code slot}: {@code token} goes in at {@code position}, and each
     * {@link DeviceDecode#next()} returns the next token, picked on the device (the argmax of the first
     * {@code vocabularyLimit} logits), which the following pass embeds without the host in between. Up to
     * {@link Tuning#DECODE_LOOKAHEAD} passes run ahead of the host, and at most {@code maxPasses} in all (the cache's
     * end bounds them too). No other pass runs on this model until the decode is closed.
     */
    public DeviceDecode greedyDecode(int token, int position, int slot, int vocabularyLimit, int maxPasses) {
        return greedyDecode(new int[] {token}, new int[] {position}, new int[] {slot}, vocabularyLimit, maxPasses, Tuning.DECODE_LOOKAHEAD);
    }

    /** As {@link #greedyDecode(int[], int[], int[], int, int, int)} with {@link Tuning#DECODE_LOOKAHEAD} passes in flight. */
    public DeviceDecode greedyDecode(int[] tokens, int[] positions, int[] slots, int vocabularyLimit, int maxPasses) {
        return greedyDecode(tokens, positions, slots, vocabularyLimit, maxPasses, Tuning.DECODE_LOOKAHEAD);
    }

    /** As {@link #greedyDecode(int, int, int, int, int)}, with {@code lookahead} passes in flight at most. */
    public DeviceDecode greedyDecode(int token, int position, int slot, int vocabularyLimit, int maxPasses, int lookahead) {
        return greedyDecode(new int[] {token}, new int[] {position}, new int[] {slot}, vocabularyLimit, maxPasses, lookahead);
    }

    /**
     * As {@link #greedyDecode(int, int, int, int, int)} for several sequences at once, a token of each a pass (token
     * {@code i} of sequence {@code slots[i]} at {@code positions[i]}), with {@code lookahead} passes in flight at most;
     * {@link DeviceDecode#next()} returns a token of each, in the same order.
     */
    public DeviceDecode greedyDecode(int[] tokens, int[] positions, int[] slots, int vocabularyLimit, int maxPasses, int lookahead) {
        DeviceDraw[] draws = new DeviceDraw[tokens.length];
        Arrays.fill(draws, DeviceDraw.GREEDY);
        return deviceDecode(tokens, positions, slots, draws, vocabularyLimit, maxPasses, lookahead);
    }

    /**
     * As {@link #greedyDecode(int[], int[], int[], int, int, int)}, each sequence's tokens picked as {@code draws[i]}
     * says: the argmax, or a draw from its first {@code vocabularyLimit} logits (temperature, top-k, top-p, min-p,
     * penalties), which gives the tokens sampling.LogitSampler would draw on the host from the same uniform numbers
     * (sample.cl; a draw other than the plain argmax only where {@link #drawsOnDevice()}).
     */
    public DeviceDecode deviceDecode(int[] tokens, int[] positions, int[] slots, DeviceDraw[] draws, int vocabularyLimit,
            int maxPasses, int lookahead) {
        synchronized (cl) {
            if (openDecode != null) {
                throw new IllegalStateException("a device decode is already running on this model");
            }
            int k = tokens.length;
            if (k == 0 || k > maxBatch || positions.length != k || slots.length != k || draws.length != k) {
                throw new IllegalArgumentException("a device decode takes 1 to %d sequences, a token, position, slot and draw each; got %d tokens, %d positions, %d slots, %d draws"
                        .formatted(maxBatch, k, positions.length, slots.length, draws.length));
            }
            for (int i = 0; i < k; i++) {
                checkInput(tokens[i], positions[i], slots[i]);
                for (int j = 0; j < i; j++) {
                    if (slots[j] == slots[i]) {
                        throw new IllegalArgumentException("slot %d appears twice: a device decode feeds one token of each sequence a pass".formatted(slots[i]));
                    }
                }
            }
            int furthest = Arrays.stream(positions).max().orElseThrow();
            if (vocabularyLimit < 1 || vocabularyLimit > config.vocabularySize()) {
                throw new IllegalArgumentException("a device decode picks from 1 to %d tokens, not %d".formatted(config.vocabularySize(), vocabularyLimit));
            }
            // first: it refuses draws the device cannot make before anything is written
            picks.prepare(draws, slots, vocabularyLimit);
            inputs.write(tokens, positions, slots, 0, k, java.util.stream.IntStream.range(0, k).toArray(), k);
            int passes = Math.min(maxPasses, contextLength - furthest);
            openDecode = new DeviceDecode(this, positions.clone(), passes, Math.min(lookahead, DeviceDecode.MAX_LOOKAHEAD));
            return openDecode;
        }
    }

    /**
     * Enqueues the device decode's pass {@code pass} (its tokens already in place on the device, each sequence
     * {@code pass} positions past its first) and the device's pick of the next, whose report is read into place
     * {@code place} of the host's status ring; returns the read's event.
     */
    long enqueueDevicePass(int[] firstPositions, int pass, int place) {
        synchronized (cl) {
            long start = System.nanoTime();
            int k = firstPositions.length;
            int furthest = 0;
            for (int first : firstPositions) {
                furthest = Math.max(furthest, first + pass);
            }
            chunking.cover(furthest, k);
            enqueuePass(k, k);
            for (Launch pick : picks.launches()) {
                run(pick, k);
            }
            long event = picks.readAsync(place, k);
            enqueueNanos = System.nanoTime() - start;
            return event;
        }
    }

    /** The token the device reported for row {@code row} into place {@code place} of the status ring. */
    int pickedToken(int place, int row) {
        return picks.token(place, row);
    }

    /** Whether row {@code row}'s logits in place {@code place} of the status ring held a NaN. */
    boolean pickSawNaN(int place, int row) {
        return picks.sawNaN(place, row);
    }

    /** Ends the device decode: waits for its passes still in flight (their tokens unused) and frees the pass inputs. */
    void endDeviceDecode(DeviceDecode decode) {
        synchronized (cl) {
            if (openDecode == decode) {
                try {
                    cl.finish();
                    inputs.drained();
                } finally {
                    openDecode = null;
                }
            }
        }
    }

    /**
     * How many kernel launches a pass of {@code tokens} tokens makes with {@code logitRows} rows of logits: what a
     * host-bound decode pays per token (~11 us each on the H100's OpenCL driver). Counts only; runs nothing.
     */
    public int launchesPerPass(int tokens, int logitRows) {
        int[] count = {0};
        ObjIntConsumer<Launch> counter = (launch, n) -> count[0]++;
        forEachLaunch(tokens, logitRows, counter, counter);
        return count[0];
    }

    /**
     * Host time the last pass took to enqueue its work, up to the logits read that waits for the device. When it
     * comes close to the whole pass, the host's launches, not the device, set the speed.
     */
    public long lastEnqueueNanos() {
        return enqueueNanos;
    }

    private void run(Launch launch, int n) {
        if (profile == null) {
            launch.run(n);
            return;
        }
        double seconds;
        if (cl.profiling()) {
            // device time of the kernel alone, the queue left to run as usual
            long event = launch.runTimed(n);
            cl.finish();
            seconds = cl.eventSeconds(event);
        } else {
            cl.finish();
            long start = System.nanoTime();
            launch.run(n);
            cl.finish();
            seconds = (System.nanoTime() - start) / 1e9;
        }
        double[] entry = profile.computeIfAbsent(launch.profileKey(), k -> new double[2]);
        entry[0] += seconds;
        entry[1]++;
    }

    /**
     * Turns per-kernel timing on (every launch then waits for the device, so the pass gets slower) or off, returning
     * what was measured: kernel name to {total seconds, launches}.
     */
    public java.util.Map<String, double[]> profile(boolean enabled) {
        java.util.Map<String, double[]> measured = profile == null ? java.util.Map.of() : profile;
        profile = enabled ? new java.util.TreeMap<>() : null;
        return measured;
    }

    /** The launches of a pass of n tokens, then the logits of the m rows already in logitRows (none if m is 0). */
    private void runPass(int n, int m) {
        // the layers' launches timed when profiling, the logits' not
        forEachLaunch(n, m, this::run, Launch::run);
    }

    /** Records the launches of {@link #runPass} into {@code buffer} instead of enqueueing them. */
    private void recordPass(ClCommandBuffer buffer, int n, int m) {
        ObjIntConsumer<Launch> record = (launch, tokens) -> launch.record(buffer, tokens);
        forEachLaunch(n, m, record, record);
    }

    /**
     * Hands every launch of a pass to {@code layers} (the embedding and the layers, for n tokens), then, when m > 0,
     * to {@code logits} (gather, final norm, output product, for m rows; a single token's output product alone where the
     * last down product applied the output norm).
     */
    private void forEachLaunch(int n, int m, ObjIntConsumer<Launch> layers, ObjIntConsumer<Launch> logits) {
        layers.accept(embed, n);
        for (Step step : layerLaunches) {
            for (Launch launch : step.launches(n)) {
                layers.accept(launch, n);
            }
        }
        if (m > 0 && n == 1 && singleTokenOutput != null) {
            for (Launch launch : singleTokenOutput.launches(1)) {
                logits.accept(launch, 1);
            }
        } else if (m > 0) {
            logits.accept(gather, m);
            logits.accept(finalNorm, m);
            for (Launch launch : outputMatvec.launches(m)) {
                logits.accept(launch, m);
            }
        }
    }

    /**
     * x += W in, then xb = rms_norm(x) * normWeight (and its Q8 activations): the residual add and the norm that
     * always follows it. Where the product runs as a single-token Q8 matvec whose work-groups' rows lie in one Q8
     * group, and every product after a norm can read it deferred ({@link #deferredNormed}), single-token passes
     * launch no norm: the last work-group to finish each 32-row group quantizes y * normWeight and leaves the group's
     * sum of squares, and the products that read it multiply their sums by the row's scale (mul_mv_q8.cl). Passes of
     * several tokens keep the norm launch, which normalises their rows side by side.
     */
    private ResidualProduct residualProduct(DeviceTensor w, ClBuffer in, int inStride, Q8Input input, ClBuffer normWeight) {
        boolean fused = deferredNormed != null && products.appliesFollowingNorm(w);
        Q8Input output = fused ? deferredNormed : normed;
        Launch norm = rmsNorm(x, xb, normWeight, output);
        if (!fused) {
            warmingNorm(norm); // launched in single-token passes too (fused: only in passes of several tokens)
        }
        FollowingNorm following = fused ? new FollowingNorm(normWeight, deferredNormed) : null;
        Step product = products.matvec(w, in, inStride, x, 0, config.embeddingLength(), null, true, input, following);
        Step after = fused ? Step.byTokenCount(Step.NONE, norm, 2) : norm;
        return new ResidualProduct(w, in, inStride, input, following, product, Step.sequence(product, after), output, after);
    }

    /**
     * A residual product (x += W in) as {@link #residualProduct} builds it: what it multiplies, the norm it applies in
     * single-token passes (null where it launches it, or where none follows), its launches, and where the products
     * after it read the norm's output.
     */
    private record ResidualProduct(DeviceTensor w, ClBuffer in, int inStride, Q8Input input, @Nullable FollowingNorm norm,
            Step product, Step step, Q8Input output, Step after) {
    }

    /**
     * Layer {@code l}'s q/k/v product reading {@code input}, with the rope and the store into its cache. q, k and v
     * are stacked into one product where they have one type, else into one for each run of one type (Q4_K_M's q and k
     * in Q4_K beside v in Q6_K: two). Where the Q8 matvecs can, those products apply the rope themselves, each to its
     * own heads (kernel_mul_mvq_rope_*), and in single-token passes the previous layer's chained launch may run a
     * whole-layer stack; elsewhere the products are followed by the rope's launch.
     */
    private void addQkv(int l, GgufFile file, WeightUploader upload, LayerKv kv, Q8Input input,
            @Nullable ChainedLaunch previousChain) {
        List<QkvStack> stacks = qkvStacks(l, file, upload);
        Step separate = Step.sequence(stacks.stream()
                .map(stack -> products.matvec(stack.w(), xb, config.embeddingLength(), qkv, stack.firstHead() * config.headDim(),
                        qkvDim, stack.bias(), false, input))
                .reduce(Step::sequence).orElseThrow(), ropeStore(kv));
        if (!stacks.stream().allMatch(stack -> appliesRope(stack.w()))) {
            layerLaunches.add(separate);
            return;
        }
        // the dp4a kernels apply the rope themselves; the tensor-core and tiled ones are followed by its launch
        Step fused = stacks.stream().map(stack -> Step.byTokenWidth(width -> q8RopeLaunch(stack, input, kv, width)))
                .reduce(Step::sequence).orElseThrow();
        int fusedBelow = stacks.stream().mapToInt(stack -> products.dp4aTokenLimit(stack.w())).min().orElseThrow();
        Step qkvStep = Step.byTokenCount(fused, separate, fusedBelow);
        QkvStack whole = stacks.getFirst();
        if (stacks.size() == 1 && previousChain != null && previousChain.typeSuffix().equals(whole.w().kernelSuffix())) {
            // the previous layer's chained launch runs this product in single-token passes
            previousChain.append(q8RopeLaunch(whole, input, kv, KernelLibrary.SINGLE_TOKEN));
            qkvStep = Step.byTokenCount(Step.NONE, qkvStep, 2);
        }
        layerLaunches.add(qkvStep);
    }

    /**
     * Some of a layer's q, k and v matrices stacked into one (with their biases where the architecture has them), whose
     * rows are the heads from {@code firstHead} on.
     */
    private record QkvStack(DeviceTensor w, @Nullable ClBuffer bias, int firstHead) {
    }

    /** Layer {@code l}'s q, k and v matrices as stacks of consecutive matrices of one type, uploaded. */
    private List<QkvStack> qkvStacks(int l, GgufFile file, WeightUploader upload) {
        String[] parts = {"attn_q", "attn_k", "attn_v"};
        int[] firstHeads = {0, config.headCount(), config.headCount() + config.kvHeadCount()};
        List<QkvStack> stacks = new ArrayList<>();
        for (int first = 0, end; first < parts.length; first = end) {
            GgmlType type = file.tensor(layer(l, parts[first] + ".weight")).type();
            end = first + 1;
            while (end < parts.length && file.tensor(layer(l, parts[end] + ".weight")).type() == type) {
                end++;
            }
            String[] weights = new String[end - first];
            String[] biases = new String[end - first];
            for (int p = first; p < end; p++) {
                weights[p - first] = layer(l, parts[p] + ".weight");
                biases[p - first] = layer(l, parts[p] + ".bias");
            }
            String name = (end - first == parts.length ? "qkv" : String.join("+", List.of(parts).subList(first, end)))
                    + " of layer " + l;
            DeviceTensor w = track(weights.length == 1 ? upload.matrix(weights[0]) : upload.stacked(name, weights));
            warmup.read(w.buffer());
            ClBuffer bias = config.architecture().qkvBias() ? track(upload.stackedVector(name + " bias", biases)) : null;
            stacks.add(new QkvStack(w, bias, firstHeads[first]));
        }
        return stacks;
    }

    /**
     * What a layer's rope and cache store read and write: its KV cache, the model's rope frequencies (null where it
     * has none) and Qwen3's per-head norms of q and k (null for other architectures).
     */
    private record LayerKv(ClBuffer keys, ClBuffer values, @Nullable ClBuffer ropeFreqs, @Nullable ClBuffer qNorm,
            @Nullable ClBuffer kNorm) {
    }

    /**
     * Whether a single-token pass runs a layer's o, gated and down products as one chained launch
     * (Options.chainedLayers; mul_mv_q8.cl, kernel_chain_ffn_*): all three on the single-token Q8 matvecs of one weight
     * type, with nothing launched between them (o applies the norm after it, the gated kernel quantizes its output)
     * nor after down (it applies the next norm, or it is the last layer's).
     */
    private boolean chainsFeedForward(ResidualProduct o, DeviceTensor gate, DeviceTensor up, boolean gatedQuantizes,
            ResidualProduct down, boolean lastLayer, Options options) {
        return options.chainedLayers() && o.norm() != null && (down.norm() != null || lastLayer) && gatedQuantizes
                && gate.type() == up.type() && gate.type() == o.w().type() && down.w().type() == gate.type()
                && products.readsDeferredNorm(gate.type(), gate.columns()) && products.runsQ8Matvec(down.w());
    }

    /**
     * The chain kernel's suffix ({@link LaunchedNormChain#kernelSuffix}) where a single-token pass runs a layer's gated
     * product, the quantize of its output and down as one launch (Options.launchedNormChain; LaunchedNormChain): where
     * norms are launched (neither o nor down applies one) and the gated product leaves its quantization to a launch,
     * gate and up of one weight type and down of a type the chain pairs with it, on the single-token Q8 matvecs, not
     * the last layer (its down may apply the output norm). Empty where the three launch apart.
     */
    private Optional<String> launchedNormChainSuffix(ResidualProduct o, DeviceTensor gate, DeviceTensor up,
            boolean gatedQuantizes, ResidualProduct down, boolean lastLayer, Options options) {
        boolean chains = options.chainedLayers() && options.launchedNormChain() > 0 && !lastLayer && !gatedQuantizes
                && o.norm() == null && down.norm() == null && gate.type() == up.type() && !down.input().writtenForVector()
                && products.runsQ8Matvec(gate) && products.runsQ8Matvec(down.w());
        return chains ? LaunchedNormChain.kernelSuffix(gate, down.w()) : Optional.empty();
    }

    /**
     * The chained launch of a layer's o, gated and down products (see {@link #chainsFeedForward}), from the
     * single-token launches of the three; the next layer's q/k/v product may join it before it is built.
     */
    private ChainedLaunch chainedFeedForward(ResidualProduct o, DeviceTensor gate, DeviceTensor up, Q8Input ffnInput, ResidualProduct down) {
        return new ChainedLaunch(kernels, gate.kernelSuffix(),
                products.singleTokenQ8Matvec(o.w(), o.input(), o.inStride(), x, 0, config.embeddingLength(), null, true, o.norm()),
                gatedProducts.q8Launch(gate, up, true, ffnInput, KernelLibrary.SINGLE_TOKEN, true),
                products.singleTokenQ8Matvec(down.w(), down.input(), down.inStride(), x, 0, config.embeddingLength(), null, true, down.norm()),
                chainCounts());
    }

    /**
     * The chained launches' counts (tickets and the products' done counts), zero between launches, then their phase
     * stamps (-Dwebllm.chain.timing); one set serves them all.
     */
    private ClBuffer chainCounts() {
        if (chainCounts == null) {
            chainCounts = zeroed("chain counts", ChainedLaunch.COUNTS_BYTES);
        }
        return chainCounts;
    }

    /**
     * The last chained launch's phases, in microseconds of the device's global timer (with -Dwebllm.chain.timing on
     * NVIDIA; empty otherwise), per product of {@link #chainProducts}: see {@link PhaseStamps#chainMicros}.
     */
    public java.util.Map<String, Double> chainPhaseMicros() {
        return chainCounts == null || !Tuning.CHAIN_TIMING ? new java.util.LinkedHashMap<>()
                : stamps.chainMicros(chainCounts, chainProducts);
    }

    /**
     * Whether every product that reads a norm's output (q, k, v, gate and up of every layer) can read it deferred
     * (MatrixProducts.readsDeferredNorm): the norm of a residual product is deferred only if all of them can.
     */
    private boolean readsDeferredNorms(GgufFile file) {
        for (int l = 0; l < config.layerCount(); l++) {
            for (String name : List.of("attn_q.weight", "attn_k.weight", "attn_v.weight", "ffn_gate.weight", "ffn_up.weight")) {
                var tensor = file.tensor(layer(l, name));
                if (!products.readsDeferredNorm(tensor.type(), (int) tensor.dims()[0])) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The first warm argument of kernel_rms_norm_q8 (warm.cl). */
    private static final int NORM_WARM_ARG = 8;

    /**
     * A norm launched in single-token passes: with Q8 activations its kernel warms L2 with the weights read after it
     * ({@link L2Warmup}).
     */
    private Launch warmingNorm(Launch norm) {
        if (q8) {
            norm.warmedBy(warmup.warmer(norm.kernel(), NORM_WARM_ARG, Tuning.WARM_NORM_BYTES));
        }
        return norm;
    }

    /** out = rms_norm(in) * weight, and with Q8 activations the same quantized into {@code into} for the next product. */
    private Launch rmsNorm(ClBuffer in, ClBuffer out, ClBuffer weight, Q8Input into) {
        ClKernel kernel = kernels.create(q8 ? "kernel_rms_norm_q8" : "kernel_rms_norm")
                .arg(0, in).arg(1, out).arg(2, weight).arg(3, config.embeddingLength()).arg(4, config.rmsEpsilon())
                .localArg(5, 4L * NORM_GROUP);
        if (q8) {
            kernel.arg(6, into.quants()).arg(7, into.scales());
            L2Warmup.none(kernel, NORM_WARM_ARG, in);
            // a work-group per (row, NORM_GROUP / 32 groups): see q8.cl
            long slices = LaunchedNormChain.NormStages.workGroups(config.embeddingLength(), NORM_GROUP);
            return new Launch(kernel, -1, n -> slices * NORM_GROUP, n -> n, NORM_GROUP, 1);
        }
        return new Launch(kernel, -1, n -> (long) n * NORM_GROUP, null, NORM_GROUP, 0);
    }

    private Launch ropeStore(LayerKv kv) {
        ModelConfig c = config;
        int half = c.headDim() / 2;
        ClKernel kernel = kernels.create("kernel_rope_store").arg(0, qkv).arg(1, qkvDim);
        ropeArgs(kernel, 2, kv).localArg(19, 4L * half);
        return new Launch(kernel, -1, n -> (long) (c.headCount() + c.kvHeadCount()) * half, n -> n, half, 1);
    }

    /** kernel_rope_store's arguments from its third on (n_heads .. eps), from {@code first} on. */
    private ClKernel ropeArgs(ClKernel kernel, int first, LayerKv kv) {
        ModelConfig c = config;
        return kernel.arg(first, c.headCount()).arg(first + 1, c.kvHeadCount()).arg(first + 2, c.headDim())
                .arg(first + 3, positions).arg(first + 4, slotIds).arg(first + 5, kv.keys()).arg(first + 6, kv.values())
                .arg(first + 7, contextLength).arg(first + 8, c.ropeFreqBase()).arg(first + 9, c.ropeFreqScale())
                .arg(first + 10, kv.ropeFreqs() != null ? kv.ropeFreqs() : qkv).arg(first + 11, kv.ropeFreqs() != null ? 1 : 0)
                .arg(first + 12, c.architecture().ropeStyle() == Architecture.RopeStyle.HALVES ? 1 : 0)
                .arg(first + 13, kv.qNorm() != null ? kv.qNorm() : qkv).arg(first + 14, kv.kNorm() != null ? kv.kNorm() : qkv)
                .arg(first + 15, kv.qNorm() != null ? 1 : 0).arg(first + 16, c.rmsEpsilon());
    }

    /**
     * Whether the stacked q/k/v product applies the rope itself in matrix-vector passes (kernel_mul_mvq_rope_*): a
     * Q8 matvec whose work-groups' rows each lie within one head.
     */
    private boolean appliesRope(DeviceTensor stacked) {
        return Tuning.FUSE_ROPE && products.runsQ8Matvec(stacked) && config.headDim() % MatrixProducts.q8GroupRows(stacked, false) == 0
                && config.headDim() / 2 <= MatrixProducts.Q8_GROUP;
    }

    /** A stacked q/k/v product that applies the rope and fills the cache (appliesRope), for up to 31 tokens. */
    private Launch q8RopeLaunch(QkvStack stack, Q8Input input, LayerKv kv, String width) {
        DeviceTensor w = stack.w();
        ClBuffer bias = stack.bias();
        boolean deferred = input.deferredIn(width);
        ClKernel kernel = kernels.create("kernel_mul_mvq_rope_" + w.kernelSuffix() + width)
                .arg(0, w.buffer()).arg(1, w.columns()).arg(2, w.rowBytes()).arg(3, w.rows())
                .arg(4, input.quants()).arg(5, config.embeddingLength() / 32).arg(6, qkv).arg(7, qkvDim)
                .arg(9, bias != null ? bias : qkv).arg(10, bias != null ? 1 : 0).arg(11, input.scales()).arg(12, MatrixProducts.q8Split(w));
        ropeArgs(kernel, 13, kv)
                .arg(30, products.gpuArrivals())
                .arg(31, deferred ? input.deferredSquares() : qkv).arg(32, deferred ? 1 : 0).arg(33, stack.firstHead());
        long global = MatrixProducts.q8GlobalSize(w, false);
        return new Launch(kernel, 8, n -> global, null, MatrixProducts.Q8_GROUP, 0).labeled(w.rows() + "x" + w.columns() + " rope");
    }

    /** Work-items of an attention work-group (AT_ITEMS in attention.cl). */
    private static final int ATTENTION_GROUP = 128;

    /** The first warm argument of kernel_attention_split_* (warm.cl). */
    private static final int ATTENTION_WARM_ARG = 20;

    private Launch attentionSplit(LayerKv kv, ClBuffer partials, ClBuffer arrivals) {
        ModelConfig c = config;
        ClKernel kernel = kernels.create(AttentionSplit.kernelName(c.headDim()))
                .arg(0, qkv).arg(1, qkvDim).arg(2, kv.keys()).arg(3, kv.values()).arg(4, partials).arg(5, arrivals)
                .arg(6, positions).arg(7, slotIds).arg(8, c.headCount()).arg(9, c.kvHeadCount()).arg(10, c.headDim())
                .arg(11, contextLength).arg(12, (float) (1.0 / Math.sqrt(c.headDim()))).arg(15, attn);
        quantizedOutput(kernel, 16);
        kernel.arg(19, attentionTiming != null ? attentionTiming : arrivals);
        chunking.follow(kernel);
        return new Launch(kernel, -1, n -> chunking.globalSize(ATTENTION_GROUP), n -> n, ATTENTION_GROUP, 1)
                .warmedBy(warmup.warmer(kernel, ATTENTION_WARM_ARG, Tuning.WARM_ATTENTION_BYTES));
    }

    /** Arguments from {@code first}: xq, its scales and whether attention writes them (dummies and 0 when not). */
    private void quantizedOutput(ClKernel kernel, int first) {
        kernel.arg(first, attentionQuantizes ? xq : attn).arg(first + 1, attentionQuantizes ? xqScales : attn)
                .arg(first + 2, attentionQuantizes ? 1 : 0);
    }

    /** CPU variant: one work-item per (head, token) over all its positions, no partials (attention.cl). */
    private Launch attentionCpu(LayerKv kv) {
        ModelConfig c = config;
        ClKernel kernel = kernels.create("kernel_attention_cpu")
                .arg(0, qkv).arg(1, qkvDim).arg(2, kv.keys()).arg(3, kv.values()).arg(4, attn)
                .arg(5, positions).arg(6, slotIds).arg(7, c.headCount()).arg(8, c.kvHeadCount()).arg(9, c.headDim())
                .arg(10, contextLength).arg(11, (float) (1.0 / Math.sqrt(c.headDim())));
        return new Launch(kernel, -1, n -> c.headCount(), n -> n, 1, 1);
    }

    /** Releases the weights, cache and activations on the device (the context itself belongs to the caller). */
    @Override
    public void close() {
        if (recorded != null) {
            recorded.close();
        }
        inputs.close(); // first: it waits for a write that may still read its host copy
        logitReadback.close();
        picks.close();
        owned.forEach(ClBuffer::close);
        hostArena.close();
    }
}
