package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.KernelLibrary;
import io.webllm.engine.opencl.Tuning;
import io.webllm.engine.tensor.GgmlType;
import org.jspecify.annotations.Nullable;

/**
 * The launches of the forward pass's matrix products, y (+)= W x: for each weight type and pass width the kernel
 * that multiplies it (single-token and few-token Q8 matvecs, the small-batch tensor-core matvecs, tiled
 * matrix-matrix kernels for prompts, the float and CPU kernels where Q8 activations do not apply), with its
 * arguments set once and its launch shape. The Transformer decides what is multiplied into what; this class how.
 */
final class MatrixProducts {

    /** Work-items per row sum and per work-group of every mul_mv kernel (mul_mv.cl, mul_mv_packed.cl, reduce.cl). */
    static final int MV_LANES = 32;
    private static final int MV_GROUP = 128;
    /** Output tile side of the matrix-matrix kernels, and work-items per tile side (mul_mm.cl). */
    private static final int MM_TILE = 64;
    private static final int MM_SIDE = 16;
    /** Work-items of a Q8 matrix-vector work-group (mul_mv_q8.cl): PK_WARPS warps. */
    static final int Q8_GROUP = Tuning.PACKED_WARPS * MV_LANES;

    private final KernelLibrary kernels;
    private final boolean cpuKernels;
    private final boolean q8;
    private final float rmsEpsilon;
    private final @Nullable ClBuffer arrivals;

    /**
     * @param cpuKernels whether the CPU kernel variant multiplies (mul_mv_cpu.cl)
     * @param q8         whether products take Q8 activations (integer kernels) where the weight type has them
     * @param rmsEpsilon the epsilon of the norms a residual matvec may apply (FollowingNorm)
     * @param arrivals   the arrival counts of the fused tails; null with the CPU kernels
     */
    MatrixProducts(KernelLibrary kernels, boolean cpuKernels, boolean q8, float rmsEpsilon, @Nullable ClBuffer arrivals) {
        this.kernels = kernels;
        this.cpuKernels = cpuKernels;
        this.q8 = q8;
        this.rmsEpsilon = rmsEpsilon;
        this.arrivals = arrivals;
    }

    /**
     * out[t][outOffset + row] (+)= W[row] . in[t] for every row of W and t < n: the matrix-vector kernel for a few
     * tokens, the tiled matrix-matrix kernel for prompts (rows of whole 32-weight groups only).
     */
    Step matvec(DeviceTensor w, ClBuffer in, int inStride, ClBuffer out, int outOffset, int outStride,
            @Nullable ClBuffer bias, boolean accumulate, Q8Input q8Input) {
        return matvec(w, in, inStride, out, outOffset, outStride, bias, accumulate, q8Input, null);
    }

    /**
     * As above; with {@code norm} (where {@link #appliesFollowingNorm}) the single-token matvec kernel applies the norm
     * after it, deferred.
     */
    Step matvec(DeviceTensor w, ClBuffer in, int inStride, ClBuffer out, int outOffset, int outStride,
            @Nullable ClBuffer bias, boolean accumulate, Q8Input q8Input, @Nullable FollowingNorm norm) {
        if (cpuKernels) {
            return cpuMatvec(w, in, inStride, out, outOffset, outStride, bias, accumulate);
        }
        Step vector;
        if (q8 && w.integerKernels()) {
            // the norm only in the single-token kernel (Transformer.residualProduct)
            Step product = Step.byTokenWidth(width -> q8MatvecLaunch(w, q8Input, inStride, out, outOffset, outStride, bias,
                    accumulate, width.isEmpty() ? null : norm, width, true));
            if (runsTensorCoreMatvec(w)) {
                product = Step.byTokenCount(product,
                        tensorCoreLaunch(w, q8Input, inStride, out, outOffset, outStride, bias, accumulate), dp4aTokenLimit(w));
            }
            vector = q8Input.writtenForVector() ? product : Step.sequence(quantize(in, inStride, w.columns(), q8Input), product);
        } else {
            vector = matvecLaunch("kernel_mul_mv_", w, in, inStride, out, outOffset, outStride, bias, accumulate);
        }
        if (w.columns() % 32 != 0) {
            return vector;
        }
        Step matrix = q8 && w.integerKernels()
                ? q8MatrixStep(w, q8Input, in, inStride, out, outOffset, outStride, bias, accumulate)
                : matvecLaunch("kernel_mul_mm_", w, in, inStride, out, outOffset, outStride, bias, accumulate);
        return Step.byTokenCount(vector, matrix, Step.MATRIX_MATRIX_MIN_TOKENS);
    }

    /**
     * The single-token Q8 matvec launch {@link #matvec} makes (where {@link #runsQ8Matvec}), built again for a chained
     * launch to take its arguments from (Transformer.chainedFeedForward).
     */
    Launch singleTokenQ8Matvec(DeviceTensor w, Q8Input input, int inStride, ClBuffer out, int outOffset, int outStride,
            @Nullable ClBuffer bias, boolean accumulate, @Nullable FollowingNorm norm) {
        return q8MatvecLaunch(w, input, inStride, out, outOffset, outStride, bias, accumulate, norm, KernelLibrary.SINGLE_TOKEN, false);
    }

    /**
     * A matrix-vector product with the Q8 activations of {@code input} (x_groups: groups per token row of them), and
     * with {@code norm} the rms_norm of its output rows (outOffset 0, one row of w.rows() values a token);
     * {@code width}: the kernel-name suffix of the single-token build, or "" (Step.byTokenWidth); {@code mayWalk}:
     * whether it may take a walking kernel (-Dwebllm.mv.walk), whose extra argument a chained launch does not take.
     */
    private Launch q8MatvecLaunch(DeviceTensor w, Q8Input input, int inStride, ClBuffer out, int outOffset, int outStride,
            @Nullable ClBuffer bias, boolean accumulate, @Nullable FollowingNorm norm, String width, boolean mayWalk) {
        boolean deferred = input.deferredIn(width);
        // the kernel without the norm tail and deferred scale where neither is used: their code costs registers
        boolean plain = norm == null && !deferred;
        String kind = !plain ? "kernel_mul_mvq_"
                : Tuning.loadsAhead(w.type()) && width.equals(KernelLibrary.SINGLE_TOKEN) ? "kernel_mul_mvq_ahead_" : "kernel_mul_mvq_plain_";
        long groups = q8GlobalSize(w, false) / Q8_GROUP;
        int walkers = mayWalk ? walkingGroups(plain, width, groups) : 0;
        String kernelName = kind + (walkers > 0 ? "walk_" : "") + w.kernelSuffix() + width;
        ClKernel kernel = productArgs(kernelName, w, input, inStride, out, outOffset, outStride, bias, accumulate)
                .arg(14, q8Split(w))
                .arg(15, norm != null ? 1 : 0).arg(16, norm != null ? norm.weight() : out).arg(17, rmsEpsilon)
                .arg(18, norm != null ? norm.into().deferredSquares() : out)
                .arg(19, norm != null ? norm.into().quants() : input.quants())
                .arg(20, norm != null ? norm.into().scales() : input.scales())
                .arg(21, gpuArrivals())
                .arg(22, deferred ? input.deferredSquares() : out).arg(23, deferred ? 1 : 0);
        return q8Launch(kernel, groups, walkers, 24).labeled(w.rows() + "x" + w.columns());
    }

    /**
     * The launch of a Q8 matvec kernel (mul_mv_q8.cl) of {@code groups} work-groups, token count at argument 9; where
     * {@code walkers} > 0 a walking kernel's that many work-groups take them all, their count at {@code walkArg}.
     */
    static Launch q8Launch(ClKernel kernel, long groups, int walkers, int walkArg) {
        if (walkers > 0) {
            kernel.arg(walkArg, (int) groups);
        }
        long global = (walkers > 0 ? walkers : groups) * Q8_GROUP;
        return new Launch(kernel, 9, n -> global, null, Q8_GROUP, 0);
    }

    /**
     * Warps sharing the columns of a row set in mul_mv_q8.cl: {@link Tuning#Q8_SPLIT} (0: as many as the row length
     * gives every lane a group a round), or {@link Tuning#Q8_SPLIT_SHORT} where set for matrices of at most
     * {@link Tuning#SHORT_PRODUCT_ROWS} rows; at most all the warps.
     */
    static int q8Split(DeviceTensor w) {
        return Tuning.q8Split(w.columns(), w.rows());
    }

    /**
     * Work-groups a single-token product without tails launches where they walk its {@code groups} row groups
     * ({@link Tuning#Q8_WALK} a compute unit, the _walk_ kernels), or 0: one work-group a row group.
     */
    int walkingGroups(boolean plain, String width, long groups) {
        if (!plain || Tuning.Q8_WALK == 0 || !width.equals(KernelLibrary.SINGLE_TOKEN)) {
            return 0;
        }
        return (int) Math.min(groups, (long) kernels.computeUnits() * Tuning.Q8_WALK);
    }

    static long q8GlobalSize(DeviceTensor w, boolean gated) {
        long rowsPerGroup = q8GroupRows(w, gated);
        return roundUp(w.rows(), rowsPerGroup) / rowsPerGroup * Tuning.PACKED_WARPS * MV_LANES;
    }

    /** Output rows of one Q8 matvec work-group: its row sets times their rows (half of them for the gated kernel). */
    static int q8GroupRows(DeviceTensor w, boolean gated) {
        return Tuning.PACKED_WARPS / q8Split(w) * (gated ? Tuning.PACKED_ROWS_PER_WARP / 2 : Tuning.PACKED_ROWS_PER_WARP);
    }

    /** The arrival counts, which exist wherever the GPU kernels run. */
    ClBuffer gpuArrivals() {
        return java.util.Objects.requireNonNull(arrivals, "arrival counts exist only for the GPU kernels");
    }

    /**
     * Whether the single-token Q8 matvec of the residual product {@code w} can apply the norm that follows it
     * (mul_mv_q8.cl, quantize_finished_groups with norm weights): it reads as the products after it do, and its tail
     * can quantize its output ({@link #tailQuantizes}).
     */
    boolean appliesFollowingNorm(DeviceTensor w) {
        return readsDeferredNorm(w.type(), w.columns()) && tailQuantizes(w, false);
    }

    /**
     * Whether the Q8 matvec of {@code w} (the gated one if {@code gated}) can quantize its output in its tail
     * (mul_mv_q8.cl, quantize_finished_groups): a work-group's rows must lie in one 32-row Q8 group and divide it, so
     * that the group's last work-group to finish knows it is the last.
     */
    static boolean tailQuantizes(DeviceTensor w, boolean gated) {
        int rows = q8GroupRows(w, gated);
        return w.integerKernels() && w.rows() % 32 == 0 && rows <= 32 && 32 % rows == 0;
    }

    /**
     * Whether single-token products of weights of this type and row length can read activations with a deferred norm
     * (mul_mv_q8.cl, PKQ_DEFERRED_SCALE): single tokens run the single-token dp4a Q8 matvecs.
     */
    boolean readsDeferredNorm(GgmlType type, int columns) {
        return runsQ8Matvec(type, columns) && Tuning.SINGLE_TOKEN_MATVECS && dp4aTokenLimit(type, columns) > 1;
    }

    /** Whether a matrix-vector product of {@code w} runs as a Q8 matvec kernel (mul_mv_q8.cl), which can fuse. */
    boolean runsQ8Matvec(DeviceTensor w) {
        return runsQ8Matvec(w.type(), w.columns());
    }

    private boolean runsQ8Matvec(GgmlType type, int columns) {
        return !cpuKernels && q8 && DeviceTensor.repacked(type) && columns % 32 == 0;
    }

    /**
     * The matrix-matrix product of packed weights with Q8 activations (mul_mm_q8.cl: tensor cores on NVIDIA),
     * after a quantize launch unless the input's producer already wrote them.
     */
    private Step q8MatrixStep(DeviceTensor w, Q8Input input, ClBuffer in, int inStride, ClBuffer out, int outOffset,
            int outStride, @Nullable ClBuffer bias, boolean accumulate) {
        Launch product = q8MatrixLaunch(w, input, inStride, out, outOffset, outStride, bias, accumulate);
        return input.writtenForMatrix() ? product : Step.sequence(quantize(in, inStride, w.columns(), input), product);
    }

    /** Tiles of Tuning.MMQ_ROWS rows x MMQ_TOKENS tokens, one work-group each; arguments as the matrix-vector kernel's. */
    Launch q8MatrixLaunch(DeviceTensor w, Q8Input input, int inStride, ClBuffer out, int outOffset, int outStride,
            @Nullable ClBuffer bias, boolean accumulate) {
        ClKernel kernel = productArgs("kernel_mul_mmq_" + w.kernelSuffix(), w, input, inStride, out, outOffset, outStride, bias, accumulate);
        long global = roundUp(w.rows(), Tuning.MMQ_ROWS) / Tuning.MMQ_ROWS * Tuning.MMQ_ITEMS;
        return new Launch(kernel, 9, n -> global, n -> roundUp(n, Tuning.MMQ_TOKENS) / Tuning.MMQ_TOKENS, Tuning.MMQ_ITEMS, 1);
    }

    /**
     * A new kernel of the Q8 product family (mul_mv_q8.cl, mul_mm_q8.cl, mul_mv_mma.cl) with the arguments they share
     * set: the weights (0-3), the Q8 input (4, 5, 13), the output rows (6-8), bias (10, 11) and accumulation (12);
     * argument 9, the token count, is the launch's.
     */
    private ClKernel productArgs(String name, DeviceTensor w, Q8Input input, int inStride, ClBuffer out, int outOffset,
            int outStride, @Nullable ClBuffer bias, boolean accumulate) {
        return floatProductArgs(name, w, input.quants(), inStride / 32, out, outOffset, outStride, bias, accumulate)
                .arg(13, input.scales());
    }

    /**
     * A new kernel of the float-input product family (mul_mv.cl, mul_mv_packed.cl, mul_mm.cl, mul_mv_cpu.cl) with its
     * arguments set but the token count (9): as {@link #productArgs}, the input being {@code in} (4) and its stride (5).
     */
    private ClKernel floatProductArgs(String name, DeviceTensor w, ClBuffer in, int inStride, ClBuffer out, int outOffset,
            int outStride, @Nullable ClBuffer bias, boolean accumulate) {
        return kernels.create(name)
                .arg(0, w.buffer()).arg(1, w.columns()).arg(2, w.rowBytes()).arg(3, w.rows())
                .arg(4, in).arg(5, inStride)
                .arg(6, out).arg(7, outOffset).arg(8, outStride)
                .arg(10, bias != null ? bias : out).arg(11, bias != null ? 1 : 0).arg(12, accumulate ? 1 : 0);
    }

    /**
     * Whether passes of {@link Tuning#MMV_MIN_TOKENS} up to {@link Step#MATRIX_MATRIX_MIN_TOKENS} tokens multiply
     * {@code w} on the small-batch tensor-core matvecs (mul_mv_mma.cl: Q4_0 and Q8_0) rather than the dp4a ones: only
     * where they run on tensor cores (their dot4 path, which PoCL tests, replays every lane's loads).
     */
    boolean runsTensorCoreMatvec(DeviceTensor w) {
        return runsTensorCoreMatvec(w.type(), w.columns());
    }

    private boolean runsTensorCoreMatvec(GgmlType type, int columns) {
        return runsQ8Matvec(type, columns) && DeviceTensor.packed(type) && kernels.tensorCores()
                && Tuning.MMV_MIN_TOKENS < Step.MATRIX_MATRIX_MIN_TOKENS;
    }

    /**
     * Passes of fewer tokens than this multiply {@code w} on the dp4a Q8 matvecs (mul_mv_q8.cl), the only product
     * kernels with fused tails (norm, rope, quantize); longer passes run the tensor-core matvecs or the tiled kernels,
     * after which such work is a launch of its own. {@link Step#MATRIX_MATRIX_MIN_TOKENS} where w has no tensor-core
     * matvec (or no Q8 matvec: then nothing fuses below it either).
     */
    int dp4aTokenLimit(DeviceTensor w) {
        return dp4aTokenLimit(w.type(), w.columns());
    }

    private int dp4aTokenLimit(GgmlType type, int columns) {
        return runsTensorCoreMatvec(type, columns) ? Tuning.MMV_MIN_TOKENS : Step.MATRIX_MATRIX_MIN_TOKENS;
    }

    /** The small-batch tensor-core product (mul_mv_mma.cl); arguments as {@link #q8MatvecLaunch}'s. */
    private Launch tensorCoreLaunch(DeviceTensor w, Q8Input input, int inStride, ClBuffer out, int outOffset, int outStride,
            @Nullable ClBuffer bias, boolean accumulate) {
        ClKernel kernel = productArgs("kernel_mul_mvq_mma_" + w.kernelSuffix(), w, input, inStride, out, outOffset, outStride,
                bias, accumulate).arg(14, tensorCoreSplit(w));
        long global = tensorCoreGlobalSize(w);
        return new Launch(kernel, 9, n -> global, null, TENSOR_CORE_GROUP, 0).labeled(w.rows() + "x" + w.columns());
    }

    /** Work-items of a tensor-core matvec work-group (mul_mv_mma.cl): MMV_WARPS warps. */
    static final long TENSOR_CORE_GROUP = Tuning.MMV_WARPS * 32L;

    /** Warps sharing a 16-row tile's groups in mul_mv_mma.cl: as many as it has rounds of groups, up to all. */
    static int tensorCoreSplit(DeviceTensor w) {
        int rounds = (w.columns() / 32 + Tuning.MMV_UNROLL - 1) / Tuning.MMV_UNROLL;
        return Math.min(Tuning.MMV_WARPS, Integer.highestOneBit(Math.max(1, rounds)));
    }

    /** Work-items of a tensor-core matvec over w: a work-group per MMV_WARPS / split tiles of 16 rows. */
    static long tensorCoreGlobalSize(DeviceTensor w) {
        long rowsPerGroup = 16L * (Tuning.MMV_WARPS / tensorCoreSplit(w));
        return roundUp(w.rows(), rowsPerGroup) / rowsPerGroup * TENSOR_CORE_GROUP;
    }

    /** The first {@code columns} values of each of n rows of {@code in}, quantized (q8.cl) into {@code target}. */
    Launch quantize(ClBuffer in, int inStride, int columns, Q8Input target) {
        int groups = columns / 32;
        ClKernel kernel = kernels.create("kernel_quantize_q8").arg(0, in).arg(1, inStride)
                .arg(2, target.quants()).arg(3, target.scales()).arg(4, groups);
        return new Launch(kernel, -1, n -> roundUp(groups * 32L, Transformer.NORM_GROUP), n -> n, Transformer.NORM_GROUP, 1);
    }

    Launch matvecLaunch(String kernelPrefix, DeviceTensor w, ClBuffer in, int inStride, ClBuffer out, int outOffset,
            int outStride, @Nullable ClBuffer bias, boolean accumulate) {
        ClKernel kernel = floatProductArgs(kernelPrefix + w.kernelSuffix(), w, in, inStride, out, outOffset, outStride, bias, accumulate);
        if (kernelPrefix.equals("kernel_mul_mm_")) {
            long rowGroups = roundUp(w.rows(), MM_TILE) / MM_TILE;
            return new Launch(kernel, 9, n -> rowGroups * MM_SIDE, n -> roundUp(n, MM_TILE) / MM_TILE * MM_SIDE, MM_SIDE, MM_SIDE);
        }
        long global = matvecGlobalSize(w, false);
        return new Launch(kernel, 9, n -> global, null, groupSize(w), 0);
    }

    /**
     * The CPU variant of {@link #matvec}: whole rows per work-item (mul_mv_cpu.cl), one token per pass over them for
     * short passes, four for longer ones.
     */
    private Step cpuMatvec(DeviceTensor w, ClBuffer in, int inStride, ClBuffer out, int outOffset, int outStride,
            @Nullable ClBuffer bias, boolean accumulate) {
        Launch[] launches = new Launch[2];
        for (int i = 0; i < 2; i++) {
            ClKernel kernel = floatProductArgs((i == 0 ? "kernel_mul_mv_cpu1_" : "kernel_mul_mv_cpu4_") + w.kernelSuffix(),
                    w, in, inStride, out, outOffset, outStride, bias, accumulate);
            launches[i] = cpuLaunch(kernel, w.rows(), Tuning.CPU_ROWS);
        }
        return Step.byTokenCount(launches[0], launches[1], Tuning.CPU_WIDE_MIN_TOKENS);
    }

    /** One work-item per {@code rowsPerItem} rows; the work-group size is the driver's unless tuned. */
    static Launch cpuLaunch(ClKernel kernel, long rows, int rowsPerItem) {
        long items = roundUp(rows, rowsPerItem) / rowsPerItem;
        long local = Tuning.CPU_LOCAL;
        long global = local > 0 ? roundUp(items, local) : items;
        return new Launch(kernel, 9, n -> global, null, local, 0);
    }

    /**
     * Work-items for a matvec over {@code w}: the packed Q4_0/Q8_0 kernels give each warp 4 rows (2 gated rows),
     * the generic ones 1; four warps a work-group.
     */
    static long matvecGlobalSize(DeviceTensor w, boolean gated) {
        if (!w.packed()) {
            long rowsPerGroup = MV_GROUP / MV_LANES;
            return roundUp(w.rows(), rowsPerGroup) / rowsPerGroup * MV_GROUP;
        }
        int warps = Tuning.PACKED_WARPS;
        long rowsPerGroup = (long) (gated ? Tuning.PACKED_ROWS_PER_WARP / 2 : Tuning.PACKED_ROWS_PER_WARP) * warps;
        return roundUp(w.rows(), rowsPerGroup) / rowsPerGroup * warps * MV_LANES;
    }

    static long groupSize(DeviceTensor w) {
        return w.packed() ? (long) Tuning.PACKED_WARPS * MV_LANES : MV_GROUP;
    }

    static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
