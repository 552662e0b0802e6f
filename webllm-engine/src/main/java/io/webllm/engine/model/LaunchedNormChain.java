package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.KernelLibrary;
import io.webllm.engine.tensor.GgmlType;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A single-token pass's gated product, the quantize of its output and the down product as one launch, for models
 * whose norms are launched (mul_mv_q8.cl, kernel_chain_glu_down_*; Transformer.Options.withLaunchedNormChain): two
 * launches fewer a layer; with {@link NormStages} also the feed-forward norm before them and the next layer's
 * attention norm after them (kernel_chain_norms_glu_down_*; Options.withChainedNorms): four. Each product's
 * work-groups walk its row groups, {@code groupsPerUnit} a compute unit, so that the chain's fence and count at the
 * end of every work-group is paid a few hundred times. The products' own single-token launches give the chain its
 * arguments.
 */
public final class LaunchedNormChain implements Step {

    /** The products a chain's phase stamps describe, in order (Transformer.chainPhaseMicros). */
    static final List<String> PRODUCTS = List.of("gated", "quantize", "down");
    /** The same with the norm stages. */
    static final List<String> PRODUCTS_WITH_NORMS = List.of("ffn norm", "gated", "quantize", "down", "attention norm");
    /** Bytes of the counts (and phase stamps) a chain takes: {@link ChainedLaunch#COUNTS_BYTES}. */
    public static final long COUNTS_BYTES = ChainedLaunch.COUNTS_BYTES;

    private final Launch launch;

    /**
     * @param typeSuffix    the chain kernel's suffix ({@link #kernelSuffix})
     * @param gated         the plain gated product (kernel_mul_mv_gluq_plain_*_t1)
     * @param quantizeInput the gated product's output, quantized for down: its floats
     * @param into          where the quantized output goes (down's Q8 input)
     * @param groups        32-value groups of the gated product's output
     * @param down          the plain or loads-ahead down product (kernel_mul_mvq_plain_*_t1, kernel_mul_mvq_ahead_*_t1)
     * @param counts        the chain's counts, zero between launches (shared with the other chains)
     */
    LaunchedNormChain(KernelLibrary kernels, String typeSuffix, @Nullable NormStages norms, Launch gated,
            ClBuffer quantizeInput, Q8Input into, int groups, Launch down, int groupsPerUnit, ClBuffer counts) {
        gated.kernel().arg(gated.tokenCountArg(), 1);
        down.kernel().arg(down.tokenCountArg(), 1);
        Configured chain = configure(kernels, typeSuffix, norms, gated.kernel(), gated.workGroups(1), quantizeInput,
                java.util.Objects.requireNonNull(into.quants(), "down's Q8 input"), into.scales(), groups, down.kernel(),
                down.workGroups(1), groupsPerUnit, counts);
        gated.kernel().close();
        down.kernel().close();
        launch = new Launch(chain.kernel(), -1, n -> chain.workItems(), null, MatrixProducts.Q8_GROUP, 0)
                .labeled(norms == null ? "gated+quantize+down" : "norm+gated+quantize+down+norm");
    }

    /**
     * The norms a chain takes in (kernel_rms_norm_q8's work, a stage of its slices each): the residual row {@code x} of
     * {@code n} values normalised with {@code ffnWeight} before the gated product and with {@code attentionWeight} (the
     * next layer's) after down, each into {@code out} and the Q8 activations {@code quants} and {@code scales}. With
     * {@code warmFirstRound} the gated product's and down's walkers ask L2 for their first round's rows while they wait
     * (Tuning.CHAIN_WARM_FIRST).
     */
    public record NormStages(ClBuffer x, ClBuffer out, int n, float eps, ClBuffer quants, ClBuffer scales, ClBuffer ffnWeight,
            ClBuffer attentionWeight, boolean warmFirstRound) {

        /** Work-groups of a norm stage, {@code groupSize} work-items each ({@link #workGroups(int, long)}). */
        public int workGroups(long groupSize) {
            return workGroups(n, groupSize);
        }

        /**
         * Work-groups of kernel_rms_norm_q8 (or of a chain's norm stage) over a row of {@code n} values, a warp a
         * 32-value group and {@code groupSize} work-items a work-group.
         */
        public static int workGroups(int n, long groupSize) {
            long warps = groupSize / 32;
            return (int) ((n / 32 + warps - 1) / warps);
        }
    }

    /**
     * The suffix of the chain kernel for gate and up of {@code gated}'s type and down of {@code down}'s
     * (kernel_chain_glu_down_{suffix}_t1): the type where they are one, q4_k_q6_k for Q4_K_M's layers that keep down
     * in Q6_K (half of them, llama.cpp's use_more_bits); empty for pairs without a kernel.
     */
    static Optional<String> kernelSuffix(DeviceTensor gated, DeviceTensor down) {
        if (gated.type() == down.type()) {
            return Optional.of(gated.kernelSuffix());
        }
        return gated.type() == GgmlType.Q4_K && down.type() == GgmlType.Q6_K
                ? Optional.of(gated.kernelSuffix() + "_" + down.kernelSuffix())
                : Optional.empty();
    }

    /** A chain kernel with its arguments set, and the work-items its launch takes (work-groups of Q8 matvec size). */
    public record Configured(ClKernel kernel, long workItems) {
    }

    /**
     * A new kernel_chain_glu_down_{typeSuffix}_t1 (kernel_chain_norms_glu_down_ with {@code norms}) set up from its
     * products' single-token kernels, their arguments set for one token: the plain gated product's ({@code gatedGroups}
     * work-groups), the quantize of {@code groups} 32-value groups of {@code quantizeInput} into {@code quants} and
     * {@code scales}, and the plain or loads-ahead down product's ({@code downGroups}). Each product's work-groups walk
     * its row groups, at most {@code groupsPerUnit} a compute unit (the quantize two of its work-groups a walker at
     * least: each is a few hundred ns of work, each walker a fence and count). kernel-bench times the same kernel
     * against its products launched apart.
     */
    public static Configured configure(KernelLibrary kernels, String typeSuffix, @Nullable NormStages norms, ClKernel gated,
            long gatedGroups, ClBuffer quantizeInput, ClBuffer quants, ClBuffer scales, int groups, ClKernel down,
            long downGroups, int groupsPerUnit, ClBuffer counts) {
        if (groupsPerUnit < 1) {
            throw new IllegalArgumentException("a chain takes at least 1 work-group a compute unit, not " + groupsPerUnit);
        }
        String name = norms == null ? "kernel_chain_glu_down_" : "kernel_chain_norms_glu_down_";
        ClKernel chain = kernels.create(name + typeSuffix + KernelLibrary.SINGLE_TOKEN);
        // the products' arguments (after the norms' where it takes them), then the chain's own
        int at = 0;
        if (norms != null) {
            chain.arg(at++, norms.x()).arg(at++, norms.out()).arg(at++, norms.n()).arg(at++, norms.eps())
                    .arg(at++, norms.quants()).arg(at++, norms.scales()).arg(at++, norms.ffnWeight())
                    .arg(at++, norms.attentionWeight());
        }
        at += gated.copyArgsTo(chain, at);
        chain.arg(at++, quantizeInput).arg(at++, quants).arg(at++, scales).arg(at++, groups);
        at += down.copyArgsTo(chain, at);
        int own = norms == null ? 7 : 9;
        if (chain.declaredArgs() != at + own) {
            chain.close();
            throw new IllegalStateException("%s declares %d arguments, but %s and %s take %d and the chain adds %d"
                    .formatted(chain.name(), chain.declaredArgs(), gated.name(), down.name(), at, own));
        }
        long normGroups = norms == null ? 0 : norms.workGroups(MatrixProducts.Q8_GROUP);
        long quantizeGroups = (groups + MatrixProducts.Q8_GROUP / 32 - 1) / (MatrixProducts.Q8_GROUP / 32);
        long most = (long) kernels.computeUnits() * groupsPerUnit;
        long gatedWalkers = Math.min(gatedGroups, most);
        long quantizeWalkers = Math.max(1, Math.min((quantizeGroups + 1) / 2, most));
        long downWalkers = Math.min(downGroups, most);
        if (norms != null) {
            chain.arg(at++, (int) normGroups);
        }
        chain.arg(at++, (int) gatedGroups).arg(at++, (int) gatedWalkers).arg(at++, (int) quantizeWalkers)
                .arg(at++, (int) downGroups).arg(at++, (int) downWalkers)
                .arg(at++, down.name().startsWith("kernel_mul_mvq_ahead_") ? 1 : 0);
        if (norms != null) {
            chain.arg(at++, norms.warmFirstRound() ? 1 : 0);
        }
        chain.arg(at, counts);
        return new Configured(chain, (2 * normGroups + gatedWalkers + quantizeWalkers + downWalkers) * MatrixProducts.Q8_GROUP);
    }

    @Override
    public List<Launch> launches(int tokens) {
        return launch.launches(tokens);
    }
}
