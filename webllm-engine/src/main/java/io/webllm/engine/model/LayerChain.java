package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.KernelLibrary;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The large models' decode layer after attention as one launch (mul_mv_q8.cl, kernel_chain_layer_*; Transformer
 * .Options.withLayerChain): o, the feed-forward norm, the gated product, the quantize of its output, down, the next
 * layer's attention norm and, where it {@link #append joins}, that layer's q/k/v product with its rope. It extends
 * {@link LaunchedNormChain} (gated product to down) to the rest of the layer, so that a single stream's layer makes
 * two launches (this and attention) instead of six. Products walk their row groups, {@code groupsPerUnit} work-groups
 * a compute unit; each norm is a launch's worth of kernel_rms_norm_q8 slices. The products' own single-token launches
 * give the chain their arguments.
 */
final class LayerChain implements JoinableChain {

    /** The products a chain's phase stamps describe, in order (Transformer.chainPhaseMicros). */
    static final List<String> PRODUCTS = List.of("o", "ffn norm", "gated", "quantize", "down", "attention norm", "qkv");

    /** The residual row both norms normalise, where they write it (floats and Q8), and their weights and epsilon. */
    record Norms(ClBuffer x, ClBuffer out, Q8Input into, int n, float eps, ClBuffer ffnWeight, ClBuffer attentionWeight) {
    }

    private final KernelLibrary kernels;
    private final String typeSuffix;
    private final Launch o;
    private final Norms norms;
    private final Launch gated;
    private final ClBuffer quantizeInput;
    private final Q8Input quantizeInto;
    private final int quantizeGroups;
    private final Launch down;
    private final int groupsPerUnit;
    private final ClBuffer counts;
    private @Nullable Launch qkv;
    private @Nullable Launch launch;

    /**
     * @param o             the plain or loads-ahead o product (kernel_mul_mvq_plain_*_t1, kernel_mul_mvq_ahead_*_t1)
     * @param gated         the plain gated product (kernel_mul_mv_gluq_plain_*_t1), reading the feed-forward norm
     * @param quantizeInput the gated product's output, quantized for down: its floats
     * @param quantizeInto  where the quantized output goes (down's Q8 input)
     * @param groups        32-value groups of the gated product's output
     * @param down          the plain or loads-ahead down product
     * @param counts        the chain's counts, zero between launches (shared with the other chains)
     */
    LayerChain(KernelLibrary kernels, String typeSuffix, Launch o, Norms norms, Launch gated, ClBuffer quantizeInput,
            Q8Input quantizeInto, int groups, Launch down, int groupsPerUnit, ClBuffer counts) {
        if (groupsPerUnit < 1) {
            throw new IllegalArgumentException("a chain takes at least 1 work-group a compute unit, not " + groupsPerUnit);
        }
        this.kernels = kernels;
        this.typeSuffix = typeSuffix;
        this.o = o;
        this.norms = norms;
        this.gated = gated;
        this.quantizeInput = quantizeInput;
        this.quantizeInto = quantizeInto;
        this.quantizeGroups = groups;
        this.down = down;
        this.groupsPerUnit = groupsPerUnit;
        this.counts = counts;
    }

    @Override
    public String typeSuffix() {
        return typeSuffix;
    }

    @Override
    public void append(Launch qkvWithRope) {
        if (launch != null || qkv != null) {
            throw new IllegalStateException("only one q/k/v product joins a chain, before it is built");
        }
        qkv = qkvWithRope;
    }

    @Override
    public void build() {
        ClKernel chain = kernels.create("kernel_chain_layer_" + (qkv != null ? "qkv_" : "") + typeSuffix + KernelLibrary.SINGLE_TOKEN);
        int first = copyArgs(o, chain, 0);
        chain.arg(first, norms.x()).arg(first + 1, norms.out()).arg(first + 2, norms.n()).arg(first + 3, norms.eps())
                .arg(first + 4, Objects.requireNonNull(norms.into().quants(), "the norms' Q8 output"))
                .arg(first + 5, norms.into().scales()).arg(first + 6, norms.ffnWeight()).arg(first + 7, norms.attentionWeight());
        first = copyArgs(gated, chain, first + 8);
        chain.arg(first, quantizeInput).arg(first + 1, Objects.requireNonNull(quantizeInto.quants(), "down's Q8 input"))
                .arg(first + 2, quantizeInto.scales()).arg(first + 3, quantizeGroups);
        first = copyArgs(down, chain, first + 4);
        if (qkv != null) {
            first = copyArgs(qkv, chain, first);
        }
        int added = qkv != null ? 13 : 11;
        if (chain.declaredArgs() != first + added) {
            chain.close();
            throw new IllegalStateException("%s declares %d arguments, but its products and norms take %d and it adds %d"
                    .formatted(chain.name(), chain.declaredArgs(), first, added));
        }
        long normGroups = ceilDiv(norms.n() / 32, MatrixProducts.Q8_GROUP / 32);
        long oWalkers = walkers(o.workGroups(1));
        long gatedWalkers = walkers(gated.workGroups(1));
        long quantizeWalkers = Math.max(1, walkers(ceilDiv(ceilDiv(quantizeGroups, MatrixProducts.Q8_GROUP / 32), 2)));
        long downWalkers = walkers(down.workGroups(1));
        long qkvWalkers = qkv != null ? walkers(qkv.workGroups(1)) : 0;
        chain.arg(first, (int) o.workGroups(1)).arg(first + 1, (int) oWalkers).arg(first + 2, ahead(o))
                .arg(first + 3, (int) normGroups).arg(first + 4, (int) gated.workGroups(1)).arg(first + 5, (int) gatedWalkers)
                .arg(first + 6, (int) quantizeWalkers).arg(first + 7, (int) down.workGroups(1)).arg(first + 8, (int) downWalkers)
                .arg(first + 9, ahead(down));
        first += 10;
        if (qkv != null) {
            chain.arg(first, (int) qkv.workGroups(1)).arg(first + 1, (int) qkvWalkers);
            first += 2;
        }
        chain.arg(first, counts);
        for (Launch product : qkv != null ? List.of(o, gated, down, qkv) : List.of(o, gated, down)) {
            product.kernel().close();
        }
        long workItems = (oWalkers + 2 * normGroups + gatedWalkers + quantizeWalkers + downWalkers + qkvWalkers) * MatrixProducts.Q8_GROUP;
        launch = new Launch(chain, -1, n -> workItems, null, MatrixProducts.Q8_GROUP, 0)
                .labeled(qkv != null ? "layer chain+qkv" : "layer chain");
    }

    /** Copies a product's single-token arguments (its token count 1) to the chain from {@code first}; the next index. */
    private static int copyArgs(Launch product, ClKernel chain, int first) {
        int count = product.kernel().copyArgsTo(chain, first);
        chain.arg(first + product.tokenCountArg(), 1);
        return first + count;
    }

    /** Work-groups that walk a product of {@code groups}: at most {@code groupsPerUnit} a compute unit. */
    private long walkers(long groups) {
        return Math.min(groups, (long) kernels.computeUnits() * groupsPerUnit);
    }

    private static int ahead(Launch residual) {
        return residual.kernel().name().startsWith("kernel_mul_mvq_ahead_") ? 1 : 0;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    @Override
    public List<Launch> launches(int tokens) {
        if (launch == null) {
            throw new IllegalStateException("layer chain not built");
        }
        return launch.launches(tokens);
    }
}
