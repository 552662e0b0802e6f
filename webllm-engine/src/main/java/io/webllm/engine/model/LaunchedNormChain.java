package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.KernelLibrary;
import java.util.List;

/**
 * A single-token pass's gated product, the quantize of its output and the down product as one launch, for models
 * whose norms are launched (mul_mv_q8.cl, kernel_chain_glu_down_*; Transformer.Options.withLaunchedNormChain): two
 * launches fewer a layer. Each product's work-groups walk its row groups, {@code groupsPerUnit} a compute unit, so
 * that the chain's fence and count at the end of every work-group is paid a few hundred times. The products' own
 * single-token launches give the chain its arguments.
 */
final class LaunchedNormChain implements Step {

    private final Launch launch;

    /**
     * @param gated         the plain gated product (kernel_mul_mv_gluq_plain_*_t1)
     * @param quantizeInput the gated product's output, quantized for down: its floats
     * @param into          where the quantized output goes (down's Q8 input)
     * @param groups        32-value groups of the gated product's output
     * @param down          the plain or loads-ahead down product (kernel_mul_mvq_plain_*_t1, kernel_mul_mvq_ahead_*_t1)
     * @param counts        the chain's counts, zero between launches (shared with the other chains)
     */
    LaunchedNormChain(KernelLibrary kernels, String typeSuffix, Launch gated, ClBuffer quantizeInput, Q8Input into,
            int groups, Launch down, int groupsPerUnit, ClBuffer counts) {
        ClKernel chain = kernels.create("kernel_chain_glu_down_" + typeSuffix + KernelLibrary.SINGLE_TOKEN);
        int first = gated.kernel().copyArgsTo(chain, 0);
        chain.arg(gated.tokenCountArg(), 1);
        chain.arg(first, quantizeInput).arg(first + 1, into.quants()).arg(first + 2, into.scales()).arg(first + 3, groups);
        first += 4;
        int downFirst = first;
        first += down.kernel().copyArgsTo(chain, downFirst);
        chain.arg(downFirst + down.tokenCountArg(), 1);
        long gatedGroups = gated.workGroups(1);
        long quantizeGroups = (groups + MatrixProducts.Q8_GROUP / 32 - 1) / (MatrixProducts.Q8_GROUP / 32);
        long downGroups = down.workGroups(1);
        long most = (long) kernels.computeUnits() * groupsPerUnit;
        long gatedWalkers = Math.min(gatedGroups, most);
        // two quantize work-groups a walker at least: each is a few hundred ns of work, each walker a fence and count
        long quantizeWalkers = Math.max(1, Math.min((quantizeGroups + 1) / 2, most));
        long downWalkers = Math.min(downGroups, most);
        if (chain.declaredArgs() != first + 7) {
            throw new IllegalStateException("%s declares %d arguments, but its products take %d and it adds 7"
                    .formatted(chain.name(), chain.declaredArgs(), first));
        }
        chain.arg(first, (int) gatedGroups).arg(first + 1, (int) gatedWalkers).arg(first + 2, (int) quantizeWalkers)
                .arg(first + 3, (int) downGroups).arg(first + 4, (int) downWalkers)
                .arg(first + 5, down.kernel().name().startsWith("kernel_mul_mvq_ahead_") ? 1 : 0).arg(first + 6, counts);
        gated.kernel().close();
        down.kernel().close();
        long global = (gatedWalkers + quantizeWalkers + downWalkers) * MatrixProducts.Q8_GROUP;
        launch = new Launch(chain, -1, n -> global, null, MatrixProducts.Q8_GROUP, 0).labeled("gated+quantize+down");
    }

    @Override
    public List<Launch> launches(int tokens) {
        return launch.launches(tokens);
    }
}
