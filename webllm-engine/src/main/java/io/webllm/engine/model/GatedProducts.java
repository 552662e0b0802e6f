package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.KernelLibrary;
import io.webllm.engine.opencl.Tuning;
import org.jspecify.annotations.Nullable;

/**
 * The launches of a layer's gated feed-forward product, ff = silu(gate xb) * (up xb) (step 7 of {@link Transformer}):
 * the fused gated kernels (mul_mv_q8.cl, mul_mv.cl, mul_mv_mma.cl, mul_mv_cpu.cl) where gate and up have one type,
 * otherwise two products and the SiLU. With Q8 activations the output can be quantized too ({@code ffq}), for the
 * down product to read.
 */
final class GatedProducts {

    private final KernelLibrary kernels;
    private final MatrixProducts products;
    private final ModelConfig config;
    private final boolean cpuKernels;
    private final boolean q8;
    private final ClBuffer xb;
    private final ClBuffer ff;
    private final ClBuffer ffUp;
    private final @Nullable ClBuffer ffq;
    private final @Nullable ClBuffer ffqScales;
    private final @Nullable ClBuffer xq;
    private final @Nullable ClBuffer xqScales;

    /**
     * Products reading xb (or its Q8 activations), writing ff (and ffUp where gate and up run apart); {@code ffq} and
     * {@code ffqScales} receive ff quantized where asked, else (null) {@code xq} and {@code xqScales}.
     */
    GatedProducts(KernelLibrary kernels, MatrixProducts products, ModelConfig config, boolean cpuKernels, boolean q8,
            ClBuffer xb, ClBuffer ff, ClBuffer ffUp, @Nullable ClBuffer ffq, @Nullable ClBuffer ffqScales,
            @Nullable ClBuffer xq, @Nullable ClBuffer xqScales) {
        this.kernels = kernels;
        this.products = products;
        this.config = config;
        this.cpuKernels = cpuKernels;
        this.q8 = q8;
        this.xb = xb;
        this.ff = ff;
        this.ffUp = ffUp;
        this.ffq = ffq;
        this.ffqScales = ffqScales;
        this.xq = xq;
        this.xqScales = xqScales;
    }

    /** Gate and up of different types (quantizer mixes give them so): two products into ff and ffUp, then the SiLU. */
    Step separate(DeviceTensor gate, DeviceTensor up, Q8Input input) {
        int nff = config.feedForwardLength();
        Step gateProduct = products.matvec(gate, xb, config.embeddingLength(), ff, 0, nff, null, false, input);
        Step upProduct = products.matvec(up, xb, config.embeddingLength(), ffUp, 0, nff, null, false, input);
        return Step.sequence(Step.sequence(gateProduct, upProduct), swiglu());
    }

    /**
     * ff = silu(gate xb) * (up xb) for gate and up of one type: one fused kernel for a few tokens; for prompts two
     * tiled products and the SiLU.
     * With {@code quantizeOutput} the fused kernel writes ff as Q8 activations too (MatrixProducts.tailQuantizes).
     */
    Step fused(DeviceTensor gate, DeviceTensor up, boolean quantizeOutput, Q8Input input) {
        if (cpuKernels) {
            Launch[] launches = new Launch[2];
            for (int i = 0; i < 2; i++) {
                ClKernel kernel = gatedArgs((i == 0 ? "kernel_mul_mv_glu_cpu1_" : "kernel_mul_mv_glu_cpu4_") + gate.kernelSuffix(), gate, up)
                        .arg(5, xb).arg(6, config.embeddingLength());
                launches[i] = MatrixProducts.cpuLaunch(kernel, gate.rows(), Tuning.CPU_ROWS / 2);
            }
            return Step.byTokenCount(launches[0], launches[1], Tuning.CPU_WIDE_MIN_TOKENS);
        }
        boolean quantized = q8 && gate.integerKernels();
        Step fused;
        if (quantized) {
            fused = Step.byTokenWidth(width -> q8Launch(gate, up, quantizeOutput, input, width, false));
        } else {
            ClKernel kernel = gatedArgs("kernel_mul_mv_glu_" + gate.kernelSuffix(), gate, up).arg(5, xb).arg(6, config.embeddingLength());
            long global = MatrixProducts.matvecGlobalSize(gate, true);
            fused = new Launch(kernel, 9, n -> global, null, MatrixProducts.groupSize(gate), 0);
        }
        if (gate.columns() % 32 != 0) {
            return fused;
        }
        int nff = config.feedForwardLength();
        // with Q8 activations the norm has quantized xb already
        Launch gateProduct = quantized ? products.q8MatrixLaunch(gate, input, config.embeddingLength(), ff, 0, nff, null, false)
                : products.matvecLaunch("kernel_mul_mm_", gate, xb, config.embeddingLength(), ff, 0, nff, null, false);
        Launch upProduct = quantized ? products.q8MatrixLaunch(up, input, config.embeddingLength(), ffUp, 0, nff, null, false)
                : products.matvecLaunch("kernel_mul_mm_", up, xb, config.embeddingLength(), ffUp, 0, nff, null, false);
        Step separate = Step.sequence(gateProduct, upProduct, swiglu());
        if (products.runsTensorCoreMatvec(gate)) {
            separate = Step.byTokenCount(tensorCoreGated(gate, up, quantizeOutput, input), separate, Step.MATRIX_MATRIX_MIN_TOKENS);
        }
        return Step.byTokenCount(fused, separate, products.dp4aTokenLimit(gate));
    }

    /**
     * The gated Q8 matvec (mul_mv_q8.cl) reading {@code input}, for a pass width (Step.byTokenWidth); with
     * {@code quantizeOutput} it writes ff as Q8 activations too. {@code forChain}: the product body's own kernel, never
     * the walking one (-Dwebllm.mv.walk), for a chained launch to take its arguments from.
     */
    Launch q8Launch(DeviceTensor gate, DeviceTensor up, boolean quantizeOutput, Q8Input input, String width,
            boolean forChain) {
        boolean deferred = input.deferredIn(width);
        // the kernel built without the quantizing tail and the deferred scale where it needs neither (the large models)
        boolean plain = !quantizeOutput && !deferred;
        long groups = MatrixProducts.q8GlobalSize(gate, true) / MatrixProducts.Q8_GROUP;
        int walkers = forChain ? 0 : products.walkingGroups(plain, width, groups);
        String kind = plain ? "kernel_mul_mv_gluq_plain_" + (walkers > 0 ? "walk_" : "") : "kernel_mul_mv_gluq_";
        ClKernel kernel = gatedArgs(kind + gate.kernelSuffix() + width, gate, up)
                .arg(5, input.quants()).arg(6, config.embeddingLength() / 32).arg(10, input.scales()).arg(11, MatrixProducts.q8Split(gate))
                .arg(12, quantizeOutput ? ffq : xq).arg(13, quantizeOutput ? ffqScales : xqScales)
                .arg(14, products.gpuArrivals()).arg(15, quantizeOutput ? 1 : 0)
                .arg(16, deferred ? input.deferredSquares() : ff).arg(17, deferred ? 1 : 0).arg(18, config.rmsEpsilon());
        return MatrixProducts.q8Launch(kernel, groups, walkers, 19);
    }

    /**
     * A new gated kernel (mul_mv_q8.cl, mul_mv.cl, mul_mv_mma.cl, mul_mv_cpu.cl) with the arguments they all share:
     * both matrices (0-4) and ff (7, 8).
     */
    private ClKernel gatedArgs(String name, DeviceTensor gate, DeviceTensor up) {
        return kernels.create(name)
                .arg(0, gate.buffer()).arg(1, up.buffer()).arg(2, gate.columns()).arg(3, gate.rowBytes()).arg(4, gate.rows())
                .arg(7, ff).arg(8, config.feedForwardLength());
    }

    /**
     * ff = silu(gate xb) * (up xb) on the small-batch tensor-core kernel (mul_mv_mma.cl), and with {@code quantizeOutput}
     * a quantize launch that writes ff as Q8 activations, as the fused kernel would have.
     */
    private Step tensorCoreGated(DeviceTensor gate, DeviceTensor up, boolean quantizeOutput, Q8Input input) {
        int nff = config.feedForwardLength();
        ClKernel kernel = gatedArgs("kernel_mul_mv_glu_mma_" + gate.kernelSuffix(), gate, up)
                .arg(5, input.quants()).arg(6, config.embeddingLength() / 32)
                .arg(10, input.scales()).arg(11, MatrixProducts.tensorCoreSplit(gate));
        long global = MatrixProducts.tensorCoreGlobalSize(gate);
        Launch product = new Launch(kernel, 9, n -> global, null, MatrixProducts.TENSOR_CORE_GROUP, 0).labeled(gate.rows() + "x" + gate.columns());
        return quantizeOutput ? Step.sequence(product, products.quantize(ff, nff, nff, new Q8Input(ffq, ffqScales, true, true))) : product;
    }

    /** ff = silu(ff) * ffUp, elementwise over n tokens; with Q8 activations ff also quantized into ffq. */
    private Launch swiglu() {
        int nff = config.feedForwardLength();
        if (ffq != null) {
            ClKernel kernel = kernels.create("kernel_swiglu_q8").arg(0, ff).arg(1, ffUp).arg(2, nff).arg(3, ffq).arg(4, ffqScales);
            return new Launch(kernel, -1, n -> MatrixProducts.roundUp(nff, Transformer.NORM_GROUP), n -> n, Transformer.NORM_GROUP, 1);
        }
        return new Launch(kernels.create("kernel_swiglu").arg(0, ff).arg(1, ffUp), -1, n -> (long) n * nff, null, 0, 0);
    }
}
