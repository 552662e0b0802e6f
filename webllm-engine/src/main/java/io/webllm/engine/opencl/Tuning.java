package io.webllm.engine.opencl;

import io.webllm.engine.tensor.GgmlType;
import org.jspecify.annotations.Nullable;

/**
 * The GPU kernels' tunables: work-group shapes of the matrix kernels and attention, shared by the kernels (as build
 * defines) and the host (which sizes launches from them), and which launches fuse. Defaults are the measured best
 * (docs/performance.md); each has a {@code -Dwebllm....} system property for sweeps and A/B runs
 * ({@code scripts/device-run.sh}, {@code scripts/device-compare.sh}).
 */
public final class Tuning {

    /** Rows each warp of a packed matvec computes. */
    public static final int PACKED_ROWS_PER_WARP = powerOfTwo("webllm.mv.rows", 4, 2);
    /** Warps per work-group of a packed matvec. */
    public static final int PACKED_WARPS = powerOfTwo("webllm.mv.warps", 8, 1);
    /**
     * Warps of a work-group that share the columns of one row set in the Q8 matvecs (mul_mv_q8.cl), a power of two,
     * capped by what the row length allows; 0: all it allows. On the H100, 8B Q4_0 decode (-p 16 -n 128): split 2
     * 226 tok/s, 1 210, by row length (4-8) 198, with the butterfly lane sums; before them each split warp paid 80
     * shuffles for its sums and split 1 was best (196 against 140).
     */
    public static final int Q8_SPLIT = powerOfTwoOrZero("webllm.mv.split", 2);
    /**
     * The split of the Q8 matvecs whose matrices have at most {@link #SHORT_PRODUCT_ROWS} rows,
     * {@code -Dwebllm.mv.splitShort=N} (a power of two, capped by the row length as {@link #Q8_SPLIT} is); 0, the
     * default, leaves them at {@link #Q8_SPLIT}. A short product launches few warps (the 8B's o product 256
     * work-groups, under 16 warps an SM), but splitting them further lost on an H100 (session 15: 8B Q4_0 286.6 and
     * 283.6 tok/s at 4, 273.8 at 8, against 307.0 and 292.7; Qwen2.5-0.5B no change). Host-side: no kernel rebuild.
     */
    public static final int Q8_SPLIT_SHORT = powerOfTwoOrZero("webllm.mv.splitShort", 0);
    /**
     * Work-groups an SM of the single-token products that need no tail (kernel_mul_mvq_plain/ahead and
     * kernel_mul_mv_gluq_plain: the 8B's o, down and gated products), {@code -Dwebllm.mv.walk=N}; 0, the default until
     * measured, launches one work-group per row group. With N the launch is N work-groups a compute unit, each walking
     * the product's row groups (the _walk_ kernels): a resident grid of warps that live for several row sets instead
     * of waves of warps that live for one (the 8B's gated product launches 1,792 work-groups whose warps each load 4.6
     * KB). Host-side: no kernel rebuild.
     */
    public static final int Q8_WALK = bounded("webllm.mv.walk", 0, 0, 64);
    /** The most rows a product may have for {@link #Q8_SPLIT_SHORT}: all of an 8B's but the gated product and the output. */
    public static final int SHORT_PRODUCT_ROWS = 8192;

    /**
     * The most warps of a work-group that can share a row set of {@code columns} columns in mul_mv_q8.cl: every lane a
     * 32-value group a round (Qwen2.5-0.5B's 896 columns are 28 groups: no split), a power of two, at most all the warps.
     */
    public static int q8SplitByLength(int columns) {
        return Math.min(Integer.highestOneBit(Math.max(1, columns / 32 / 32)), PACKED_WARPS);
    }

    /**
     * Warps sharing the columns of a row set of a rows x columns Q8 matvec (mul_mv_q8.cl): {@link #Q8_SPLIT}, or
     * {@link #Q8_SPLIT_SHORT} where set for matrices of at most {@link #SHORT_PRODUCT_ROWS} rows, capped by
     * {@link #q8SplitByLength} (0: all it allows).
     */
    public static int q8Split(int columns, int rows) {
        int byLength = q8SplitByLength(columns);
        int cap = Q8_SPLIT_SHORT > 0 && rows <= SHORT_PRODUCT_ROWS ? Q8_SPLIT_SHORT : Q8_SPLIT;
        return cap > 0 ? Math.min(cap, byLength) : byLength;
    }
    /**
     * Tokens per pass over the weights (batched decode of several streams: 8 measured 9% faster than 4 at 16
     * streams, and the same for one).
     */
    public static final int PACKED_TOKENS = powerOfTwo("webllm.mv.tokens", 8, 1);
    /**
     * Whether the Q8 matvecs load a round of weights ahead (1) or not (0), {@code -Dwebllm.mv.prefetch}: two rounds of
     * loads in flight a lane instead of one.
     */
    public static final int Q8_PREFETCH = integer("webllm.mv.prefetch", 0);
    static final AutoFlag AHEAD_PLAIN = AutoFlag.read("webllm.mv.aheadPlain");

    /**
     * Whether a single stream's residual products (o, down) of {@code type} weights, where they neither apply nor read a
     * norm, load their next round of weights ahead (kernel_mul_mvq_ahead_*_t1, built beside kernel_mul_mvq_plain_*_t1
     * whatever {@link #Q8_PREFETCH} says, so that one build measures both), {@code -Dwebllm.mv.aheadPlain}.
     */
    public static boolean loadsAhead(GgmlType type) {
        return loadsAhead(AHEAD_PLAIN, type);
    }

    /**
     * {@link #loadsAhead(GgmlType)} under {@code flag}: with {@code auto} (the default) the 4-bit types, Q4_0 and
     * Q4_K. A round of theirs is 16 bytes of quants a lane and row, half of Q8_0's, and the second round costs their
     * kernels 2 registers (ptxas sm_90: 36 against 34 for Q4_0) where it costs Q8_0 26 (76 against 50) and Q6_K 44.
     * On H100s (session 12) 8B Q4_0 decoded 279.5-283.7 tok/s with it against 264.5-272.9 without (down 0.648 against
     * 0.732 ms a token, o 0.350 against 0.375), 8B Q4_K_M 230.6 against 217.5, 8B Q8_0 212-213 either way.
     */
    static boolean loadsAhead(AutoFlag flag, GgmlType type) {
        return flag.or(type == GgmlType.Q4_0 || type == GgmlType.Q4_K);
    }

    static final AutoFlag GATED_QUANTIZE_TAIL = AutoFlag.read("webllm.gated.quantizeTail");

    /**
     * Whether the gated product of a model whose residual rows have {@code rowLength} values quantizes its output in
     * its tail (mul_mv_q8.cl, quantize_finished_groups: each work-group fences its writes and counts itself in, the
     * last of a 32-row group quantizes it) or a quantize launch does, {@code -Dwebllm.gated.quantizeTail=auto|true|false}.
     * With {@code auto} (the default) the tail where norms are deferred ({@link #DEFERRED_NORM_MAX_ROW}): small models,
     * bound by their launches, whose chained layers need it. Large ones lose more to the fence and the count, which
     * hold every work-group's compute unit for a round trip to L2, than the launch costs: on an H100 (session 14) 8B
     * Q4_0 decoded 308.7 tok/s with the launch against 290.3-291.6 with the tail (gated product 1.28 against 1.53 ms a
     * token), Q8_0 231.0 against 224.5, Q4_K_M 253-258 against 247, and at 4,000 positions 277.5 against 259.6.
     */
    public static boolean gatedQuantizes(int rowLength) {
        return gatedQuantizes(GATED_QUANTIZE_TAIL, rowLength);
    }

    /** {@link #gatedQuantizes(int)} under {@code flag}. */
    static boolean gatedQuantizes(AutoFlag flag, int rowLength) {
        return flag.or(rowLength <= DEFERRED_NORM_MAX_ROW);
    }
    /**
     * How the Q8 matvecs load Q4_0 and Q8_0 weights on NVIDIA (quants.cl, MV_WEIGHT_LOAD), {@code -Dwebllm.mv.weightLoad=N}:
     * 0 (the default) ordinary loads, 1 the read-only path, 2 it without L1 lines, 3 streaming, 4 no L1 line and a
     * 256-byte L2 fetch. A build define: each value rebuilds every kernel. On an H100 (session 14) 4 decoded 8B Q4_0
     * 3% faster (325.5, 314.7, 319.1 tok/s against 313.4, 310.6, 307.0, alternating), on another (session 15) not
     * (294.4 and 317.0 against 304.2 and 310.9; Q8_0 226.8 against 229.5): 0.
     */
    public static final int WEIGHT_LOAD = bounded("webllm.mv.weightLoad", 0, 0, 4);
    /** Whether quants become floats through the 2^23 mantissa trick (1) or conversion instructions (0). */
    public static final int PACKED_MAGIC = integer("webllm.mv.magic", 1);

    /**
     * Work-group size of the CPU matrix kernels (mul_mv_cpu.cl), {@code -Dwebllm.cpu.local}; 0 lets the driver
     * choose. Fixed by default: PoCL compiles a kernel once per work-group size, and the driver's choice differs
     * with every matrix height (1 to 16 made no measurable difference to speed).
     */
    public static final int CPU_LOCAL = integer("webllm.cpu.local", 8);
    /** Rows each work-item of a CPU matrix kernel computes (CPU_ROWS in mul_mv_cpu.cl). */
    public static final int CPU_ROWS = 4;
    /** Passes of at least this many tokens use the CPU kernels that block 4 tokens per pass over the rows. */
    public static final int CPU_WIDE_MIN_TOKENS = integer("webllm.cpu.wide", 4);

    /**
     * Weight rows and tokens of one work-group's output tile in the Q8 matrix-matrix kernels (mul_mm_q8.cl),
     * {@code -Dwebllm.mmq.rows} and {@code -Dwebllm.mmq.tokens}: multiples of 32 (each warp computes 32 x 32).
     */
    public static final int MMQ_ROWS = multipleOf32("webllm.mmq.rows", 64);
    public static final int MMQ_TOKENS = multipleOf32("webllm.mmq.tokens", 64);
    /** 32-weight groups staged per barrier step of the Q8 matrix-matrix kernels, {@code -Dwebllm.mmq.step}. */
    public static final int MMQ_STEP = integer("webllm.mmq.step", 4);
    /** Work-items of one Q8 matrix-matrix work-group: a warp per 32 x 32 block of the tile. */
    public static final int MMQ_ITEMS = MMQ_ROWS / 32 * (MMQ_TOKENS / 32) * 32;
    /**
     * Whether the Q8 matrix-matrix kernels use the tensor cores (inline PTX mma.sync) where the kernels are built
     * with PTX (NVIDIA); {@code -Dwebllm.mma=false} keeps them on the integer dot-product path instead.
     */
    public static final boolean MMA = flag("webllm.mma", true);

    /**
     * Warps of a work-group of the small-batch tensor-core matvecs (mul_mv_mma.cl), {@code -Dwebllm.mmv.warps}; each
     * computes a 16-row tile, {@link #MMV_TILES} x 8 tokens a pass, and up to all of them share a tile's groups. 4:
     * 16 streams of Llama-3.1-8B Q4_0 on an H100 decoded 2,679 and 2,679 tok/s in aggregate at 4 against 2,453 and
     * 2,451 at 8, in alternation in one command (session 18), and 2,697 against 2,447-2,465 in session 17 (8.3x one
     * stream against 7.6x); the gated product's 16-token step took 2.6 ms against 3.1 (docs/performance.md, step 78).
     */
    public static final int MMV_WARPS = powerOfTwo("webllm.mmv.warps", 4, 1);
    /** Token tiles of 8 a pass of the small-batch tensor-core matvecs, {@code -Dwebllm.mmv.tiles}. */
    public static final int MMV_TILES = atLeastOne("webllm.mmv.tiles", 2);
    /** Consecutive 32-weight groups a warp of the small-batch tensor-core matvecs loads a round, {@code -Dwebllm.mmv.unroll}. */
    public static final int MMV_UNROLL = atLeastOne("webllm.mmv.unroll", 4);
    /**
     * Passes of at least this many tokens (and below Step.MATRIX_MATRIX_MIN_TOKENS) run their Q4_0 / Q8_0 products
     * through the small-batch tensor-core matvecs instead of mul_mv_q8.cl's dp4a kernels,
     * {@code -Dwebllm.mmv.minTokens}; 32 or more: never. 2: on the H100, 16 streams of 8B Q4_0 decoded 977 tok/s in
     * all against 682 on the dp4a kernels; a single token stays on the single-token dp4a kernels (179 tok/s on the
     * tensor-core ones against 241).
     */
    public static final int MMV_MIN_TOKENS = atLeastOne("webllm.mmv.minTokens", 2);

    /**
     * Work-groups per compute unit that an attention pass aims at, {@code -Dwebllm.attention.groups}: a decode step
     * splits its positions into that many chunks in all (model.AttentionSplit).
     */
    public static final int ATTENTION_GROUPS_PER_UNIT = atLeastOne("webllm.attention.groups", 4);
    /**
     * Chunks whose partial results the attention combine loads in one round (attention.cl, AT_COMBINE_UNROLL),
     * {@code -Dwebllm.attention.combineUnroll}: each round is a dependent trip to L2 for the one work-group that
     * combines, 16 chunks at 512 positions, 66 at 4,000. 8 (session 7; not measured yet against 2, the earlier value).
     */
    public static final int ATTENTION_COMBINE_UNROLL = powerOfTwo("webllm.attention.combineUnroll", 8, 1);
    /**
     * Whether the attention split kernel loads a batch's value rows together with its key rows (1) instead of after
     * the scores and softmax (0), {@code -Dwebllm.attention.prefetchV}: one dependent DRAM trip less a batch, for
     * registers (a lane holds 8 positions' value pairs). On since session 11: on an H100 the 8B decode's attention
     * took 0.684 ms a token at 512 positions against 0.791 without (device events; 270.8 against 256.5 tok/s), and
     * Qwen2.5-0.5B decoded 778.7 tok/s against 726.9 on another.
     */
    public static final int ATTENTION_PREFETCH_V = flag("webllm.attention.prefetchV", true) ? 1 : 0;
    /**
     * Whether the attention split kernel stamps its phases with NVIDIA's global timer (attention.cl, AT_TIMING),
     * {@code -Dwebllm.attention.timing=true}: a measurement build (bench prints attentionPhaseMicros), to find where
     * its ~20 us a layer go at any context (session 12).
     */
    public static final boolean ATTENTION_TIMING = flag("webllm.attention.timing", false);
    /**
     * Whether the chained decode layers stamp their products' phases with NVIDIA's global timer (mul_mv_q8.cl,
     * CH_TIMING), {@code -Dwebllm.chain.timing=true}: a measurement build (bench prints chainPhaseMicros), to find
     * where a small model's ~36 us a chained layer go: the products' own work, or the waits between them.
     */
    public static final boolean CHAIN_TIMING = flag("webllm.chain.timing", false);
    /**
     * Megabytes of the next products' weights each latency-bound kernel of a single-token pass (attention, a launched
     * norm) asks L2 to fetch while it runs (warm.cl, model.L2Warmup), {@code -Dwebllm.warm.l2MB}; 0 asks for none. Read
     * at model load: one build measures any amount. 4 since session 13: on an H100 (with the clamped attention loads)
     * 8B Q4_0 decoded 290.4 and 287.9 tok/s against 282.3 and 285.9 with none (2 MB: 287.3, 8 MB: 289.3, 16 MB: 265.3,
     * attention and the norms slowed by the traffic more than the products gained), 8B Q8_0 227.0 against 217.9, Q4_K_M
     * 244.8 against 240.3, Qwen2.5-0.5B 845.9 against 841.4 (8 MB: 826.0). Prompt passes warm nothing: their
     * products are not waiting on DRAM, and warming them cost 2-4% of the prefill speed.
     */
    public static final long WARM_L2_BYTES = megabytes("webllm.warm.l2MB", 4);
    /**
     * The L2 warm-up of attention alone, {@code -Dwebllm.warm.attentionMB} (default: {@link #WARM_L2_BYTES}'s amount).
     * At 16 MB for both, session 13 saw attention slowed 0.12 ms a token and the norm launches 0.15: which of the two
     * can warm more without getting in its own way is for a sweep to say.
     */
    public static final long WARM_ATTENTION_BYTES = megabytes("webllm.warm.attentionMB", (int) (WARM_L2_BYTES >> 20));
    /** The L2 warm-up of the norm launches alone, {@code -Dwebllm.warm.normMB} (default: {@link #WARM_L2_BYTES}'s amount). */
    public static final long WARM_NORM_BYTES = megabytes("webllm.warm.normMB", (int) (WARM_L2_BYTES >> 20));
    /**
     * Whether requests with top-k, top-p or penalties (repetition, frequency, presence) have their tokens drawn on the
     * device too (sample.cl: kernel_sample_truncated_next sorts the candidates for the host sampler's cut and walk; both
     * draw kernels apply the penalties from per-slot counts they keep), {@code -Dwebllm.sample.allOnDevice=false} to
     * keep them on the host, which then reads each step's logits back. On since session 12, after the draw kernels passed
     * on an H100 (SampleKernelTests, DeviceDecodeTests, LocalEngineTests: 34 of 34) and 8B Q4_0 drew top-k 40 / top-p 0.9
     * at 252 tok/s against 261 for plain sampling and 256 for host-picked argmax.
     */
    public static final boolean DEVICE_SAMPLING_ALL = flag("webllm.sample.allOnDevice", true);

    private Tuning() {
    }

    /**
     * A power of two of at least {@code least}: the matvec kernels split warps, rows and tokens in halves (row pairs
     * of the gated kernels, the lane-sum butterfly, warps / split), so other values would compute wrong sums.
     */
    private static int powerOfTwo(String property, int fallback, int least) {
        int value = integer(property, fallback);
        if (value < least || Integer.bitCount(value) != 1) {
            throw new IllegalArgumentException(property + " must be a power of two of at least " + least + ", but was " + value);
        }
        return value;
    }

    /** {@link #powerOfTwo} of at least 1, or 0 (a setting's "as many as the rest allows"). */
    private static int powerOfTwoOrZero(String property, int fallback) {
        return integer(property, fallback) == 0 ? 0 : powerOfTwo(property, fallback, 1);
    }

    /** A system property in megabytes (0 to 4,096), as bytes. */
    private static long megabytes(String property, int fallback) {
        return (long) bounded(property, fallback, 0, 4096) << 20;
    }

    /**
     * An integer system property (decimal, or hex with 0x), {@code fallback} when unset. A value that is no integer is
     * refused, naming the property and the value, where Integer.getInteger would quietly run the default: a
     * measurement with a mistyped switch would measure the defaults under the switch's name.
     */
    public static int integer(String property, int fallback) {
        String text = System.getProperty(property);
        if (text == null) {
            return fallback;
        }
        try {
            return Integer.decode(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + " must be an integer, but was '" + text + "'");
        }
    }

    private static int bounded(String property, int fallback, int least, int most) {
        int value = integer(property, fallback);
        if (value < least || value > most) {
            throw new IllegalArgumentException(property + " must be between " + least + " and " + most + ", but was " + value);
        }
        return value;
    }

    private static int atLeastOne(String property, int fallback) {
        int value = integer(property, fallback);
        if (value < 1) {
            throw new IllegalArgumentException(property + " must be at least 1, but was " + value);
        }
        return value;
    }

    private static boolean flag(String property, boolean fallback) {
        String value = System.getProperty(property, Boolean.toString(fallback)).trim().toLowerCase(java.util.Locale.ROOT);
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(property + " must be true or false, but was '" + value + "'");
        };
    }

    /** {@code value} of {@code property} trimmed and lower-cased: {@code fallback} when null, else one of {@code others}. */
    private static String choice(String property, @Nullable String value, String fallback, String... others) {
        String read = value == null ? fallback : value.trim().toLowerCase(java.util.Locale.ROOT);
        if (!read.equals(fallback) && !java.util.List.of(others).contains(read)) {
            throw new IllegalArgumentException(property + " must be one of " + fallback + ", " + String.join(", ", others)
                    + ", but was '" + value + "'");
        }
        return read;
    }

    private static int multipleOf32(String property, int fallback) {
        int value = integer(property, fallback);
        if (value < 32 || value % 32 != 0) {
            throw new IllegalArgumentException(property + " must be a positive multiple of 32, but was " + value);
        }
        return value;
    }

    /**
     * Whether a single stream's decode uses the Q8 matvecs built for one token a pass (KernelLibrary, mul_mv_q8.cl:
     * a quarter of the registers, so several work-groups an SM), {@code -Dwebllm.mv.singleToken=false} to measure
     * without. On the H100, one token a pass decoded 8B Q4_0 at 183 tok/s against 140 for four (step 11 of
     * docs/performance.md).
     */
    public static final boolean SINGLE_TOKEN_MATVECS = flag("webllm.mv.singleToken", true);

    /**
     * {@code -Dwebllm.fuse.norm=auto|true|false}: whether single-token passes defer the rms_norm after each residual
     * add to the products that read it (mul_mv_q8.cl: the residual matvec's tail quantizes y * norm weight per 32-row
     * group and leaves each group's sum of squares; the next products multiply their sums by the row's scale) instead
     * of launching it; see {@link #defersNorms}.
     */
    static final AutoFlag FUSE_NORM_FLAG = AutoFlag.read("webllm.fuse.norm");

    /** Whether norms may be deferred at all ({@code -Dwebllm.fuse.norm} is not false): for rows {@link #defersNorms} allows. */
    public static final boolean FUSE_NORM = !"false".equals(FUSE_NORM_FLAG.value());

    /** The longest rows whose norms {@code auto} defers. */
    public static final int DEFERRED_NORM_MAX_ROW = 2048;

    /**
     * Whether a model whose residual rows have {@code rowLength} values defers its norms: always with {@code true},
     * never with {@code false}, and with {@code auto} (the default) up to {@link #DEFERRED_NORM_MAX_ROW} values. The
     * tail costs the residual products' kernel registers (74 against 34 for the single-token Q4_0 one, ptxas sm_90),
     * which on an H100 made the 8B's o and down products 0.51 ms a token slower against the 0.43 ms its 64 norm
     * launches take on the device (session 10), while Qwen2.5-0.5B (896 values) decoded 6% faster with it: small
     * models are bound by their launches, large ones by their products' loads in flight.
     */
    public static boolean defersNorms(int rowLength) {
        return defersNorms(FUSE_NORM_FLAG, rowLength);
    }

    /** {@link #defersNorms(int)} under {@code flag}. */
    static boolean defersNorms(AutoFlag flag, int rowLength) {
        return flag.or(rowLength <= DEFERRED_NORM_MAX_ROW);
    }

    /**
     * A {@code -Dproperty=auto|true|false} setting as the engine reads it (case and spaces aside): {@code auto}, also
     * when unset, leaves the choice to a rule of the engine's; true and false force it.
     */
    record AutoFlag(String property, String value) {

        static AutoFlag read(String property) {
            return parse(property, System.getProperty(property));
        }

        /** The setting {@code text} (null: unset) of {@code property}; anything but auto, true or false is refused, naming them. */
        static AutoFlag parse(String property, @Nullable String text) {
            return new AutoFlag(property, choice(property, text, "auto", "true", "false"));
        }

        /** What the setting decides where its rule decides {@code byRule}. */
        boolean or(boolean byRule) {
            return switch (value) {
                case "true" -> true;
                case "false" -> false;
                default -> byRule;
            };
        }
    }

    /**
     * Whether models load with chained decode layers unless their options say otherwise (Transformer.Options
     * .withChainedLayers), {@code -Dwebllm.chain=false} to launch each product. They chain only where norms are
     * deferred ({@link #defersNorms}: small models, bound by their launches). Measured on two H100s (session 10,
     * Qwen2.5-0.5B Q8_0): 741 against 730 tok/s where a launch cost the host ~7 us, 722 against 586 where it cost ~13.
     */
    public static final boolean CHAINED_LAYERS = flag("webllm.chain", true);
    /**
     * Work-groups a compute unit of the large models' chained launch (gated product, quantize, down: Transformer.Options
     * .withLaunchedNormChain), {@code -Dwebllm.chain.launchedNorms=N}; 0 launches them apart. One launch for three
     * saves 64 of an 8B token's 260 launches. Measured on an H100 (session 17, Llama-3.1-8B Q4_0, medians of five
     * decodes, in alternation): 329.8 and 332.5 tok/s at 2 against 313.1 and 312.1 launched apart; on device events the
     * three as one launch took 39.5 us against 49.3 apart (56.8 at 1). So 2.
     */
    public static final int LAUNCHED_NORM_CHAIN = bounded("webllm.chain.launchedNorms", 2, 0, 64);
    /**
     * Whether the large models' chained launch ({@link #LAUNCHED_NORM_CHAIN}) takes in the feed-forward norm before it
     * and the next layer's attention norm after it, {@code -Dwebllm.chain.norms=true}: an 8B decode layer in four
     * launches (q/k/v with the rope, attention, o, the chain) instead of six. Host-side; off until measured on a GPU.
     */
    public static final boolean CHAINED_NORMS = flag("webllm.chain.norms", false);
    /**
     * Whether the walkers of that chain's gated product and down ask L2 for their first round's rows while they wait for
     * the norm and the quantize before them, {@code -Dwebllm.chain.warmFirst=true} (PTX prefetch; nothing on PoCL): DRAM
     * idles while the norm runs. Host-side; off until measured on a GPU.
     */
    public static final boolean CHAIN_WARM_FIRST = flag("webllm.chain.warmFirst", false);

    /**
     * Whether the stacked q/k/v Q8 matvec applies the rope and fills the KV cache (rope_finished_heads) instead of a
     * rope launch after it, {@code -Dwebllm.fuse.rope=false} to measure without.
     */
    public static final boolean FUSE_ROPE = flag("webllm.fuse.rope", true);

    /**
     * Passes a greedy decode keeps in flight (model.DeviceDecode), {@code -Dwebllm.decode.lookahead=N}: the host
     * enqueues a pass while the device still runs the ones before it, its token picked on the device. 1 waits for
     * each token before the next pass, as a sampled decode must; a finished sequence wastes up to N - 1 passes.
     */
    public static final int DECODE_LOOKAHEAD = atLeastOne("webllm.decode.lookahead", 3);

    /** The defines with {@code tokens} tokens a pass of the packed and Q8 matvecs. */
    static String buildDefines(int tokens) {
        return ("-DPK_ROWS=%d -DPK_WARPS=%d -DPK_TOKENS=%d -DPK_MAGIC=%d -DMMQ_ROWS=%d -DMMQ_TOKENS=%d -DMMQ_STEP=%d -DWEBLLM_MMA=%d -DPK_PREFETCH=%d"
                + " -DAT_COMBINE_UNROLL=%d -DAT_PREFETCH_V=%d -DAT_TIMING=%d -DMMV_WARPS=%d -DMMV_TILES=%d -DMMV_UNROLL=%d -DMV_WEIGHT_LOAD=%d -DCH_TIMING=%d")
                .formatted(PACKED_ROWS_PER_WARP, PACKED_WARPS, tokens, PACKED_MAGIC, MMQ_ROWS, MMQ_TOKENS,
                        MMQ_STEP, MMA ? 1 : 0, Q8_PREFETCH, ATTENTION_COMBINE_UNROLL, ATTENTION_PREFETCH_V,
                        ATTENTION_TIMING ? 1 : 0, MMV_WARPS, MMV_TILES, MMV_UNROLL, WEIGHT_LOAD,
                        CHAIN_TIMING ? 1 : 0);
    }
}
