package io.webllm.engine.model;

/**
 * A chained single-token launch that the next layer's stacked q/k/v product with its rope may join
 * (Transformer.addQkv): it is built once that layer is known, with or without that product.
 */
sealed interface JoinableChain extends Step permits ChainedLaunch, LayerChain {

    /** The chain's weight type as kernel names end in it (q4_0): only a q/k/v product of that type joins. */
    String typeSuffix();

    /** Adds the next layer's stacked q/k/v product with its rope (kernel_mul_mvq_rope_*_t1) as the chain's last. */
    void append(Launch qkvWithRope);

    /** Makes the chained kernel from the products' launches, which it then releases. */
    void build();
}
