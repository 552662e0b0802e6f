package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.KernelLibrary;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A single-token pass's consecutive products of one weight type run as one launch (mul_mv_q8.cl, "Chained launches"):
 * a layer's o, gated and down products (kernel_chain_ffn_*), and the next layer's q/k/v product with its rope where
 * it {@link #append joins} them (kernel_chain_ffn_qkv_*). The products' own single-token launches give the chain its
 * arguments, in order, and their work-group counts; each product's token count is 1. Built once the next layer is
 * known ({@link #build}); a small model's decode then makes two launches a layer (this and attention) instead of five.
 */
final class ChainedLaunch implements Step {

    /** Ints of the chains' counts (tickets and done counts) before their phase stamps (mul_mv_q8.cl, CH_COUNTS). */
    static final int COUNTS = 8;
    /** Phase stamps after the counts (-Dwebllm.chain.timing): 4 ulongs a product, 5 products at most. */
    static final int STAMPS = 20;
    /** Bytes of a chain's counts and stamps; one such buffer serves every chain of a model (one runs at a time). */
    static final long COUNTS_BYTES = 4L * COUNTS + 8L * STAMPS;
    /** The products a chain's phase stamps describe, in order (Transformer.chainPhaseMicros). */
    static final List<String> PRODUCTS = List.of("o", "gated", "down", "qkv");

    private final KernelLibrary kernels;
    private final String typeSuffix;
    private final List<Launch> products = new ArrayList<>();
    private final ClBuffer counts;
    private @Nullable Launch launch;

    /**
     * @param typeSuffix the products' weight type as kernel names end in it (q4_0)
     * @param o          the o product (kernel_mul_mvq_*_t1, applying the norm after it)
     * @param gated      the gated product (kernel_mul_mv_gluq_*_t1, quantizing its output)
     * @param down       the down product (kernel_mul_mvq_*_t1)
     * @param counts     the chain's counts, 5 ints, zero between launches (one set serves every chain)
     */
    ChainedLaunch(KernelLibrary kernels, String typeSuffix, Launch o, Launch gated, Launch down, ClBuffer counts) {
        this.kernels = kernels;
        this.typeSuffix = typeSuffix;
        this.counts = counts;
        products.addAll(List.of(o, gated, down));
    }

    String typeSuffix() {
        return typeSuffix;
    }

    /** Adds the next layer's stacked q/k/v product with its rope (kernel_mul_mvq_rope_*_t1) after down. */
    void append(Launch qkvWithRope) {
        if (launch != null || products.size() != 3) {
            throw new IllegalStateException("only one q/k/v product joins a chain, before it is built");
        }
        products.add(qkvWithRope);
    }

    /** Makes the chained kernel from the products' launches, which it then releases. */
    void build() {
        boolean withQkv = products.size() == 4;
        ClKernel chain = kernels.create("kernel_chain_ffn_" + (withQkv ? "qkv_" : "") + typeSuffix + KernelLibrary.SINGLE_TOKEN);
        int first = 0;
        long groups = 0;
        for (Launch product : products) {
            int count = product.kernel().copyArgsTo(chain, first);
            chain.arg(first + product.tokenCountArg(), 1);
            first += count;
            groups += product.workGroups(1);
        }
        // then the work-group counts of o, gated and down, and the counts buffer
        if (chain.declaredArgs() != first + 4) {
            throw new IllegalStateException("%s declares %d arguments, but its products' kernels declare %d and it adds 4"
                    .formatted(chain.name(), chain.declaredArgs(), first));
        }
        for (int i = 0; i < 3; i++) {
            chain.arg(first + i, (int) products.get(i).workGroups(1));
        }
        chain.arg(first + 3, counts);
        for (Launch product : products) {
            product.kernel().close();
        }
        long local = MatrixProducts.Q8_GROUP;
        long global = groups * local;
        launch = new Launch(chain, -1, n -> global, null, local, 0).labeled(withQkv ? "o+gated+down+qkv" : "o+gated+down");
    }

    @Override
    public List<Launch> launches(int tokens) {
        if (launch == null) {
            throw new IllegalStateException("chained launch not built");
        }
        return launch.launches(tokens);
    }
}
