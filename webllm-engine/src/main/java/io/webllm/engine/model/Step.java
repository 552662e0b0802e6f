package io.webllm.engine.model;

import io.webllm.engine.opencl.Tuning;
import java.util.List;

/**
 * One operation of the forward pass as the launches it takes for a given number of tokens: usually one kernel, but a
 * matrix product picks the matrix-vector kernel for a few tokens and the tiled matrix-matrix one for prompts.
 */
interface Step {

    /**
     * Passes of at least this many tokens go through the tiled matrix-matrix kernels ({@code -Dwebllm.mm.minTokens}
     * for measurements). 32: on the H100 a batched decode step of 16 streams (8B Q4_0) ran 41% faster through two
     * 8-token passes of the matrix-vector kernels than through 64-token tiles a quarter full (docs/performance.md).
     */
    int MATRIX_MATRIX_MIN_TOKENS = Tuning.integer("webllm.mm.minTokens", 32);

    /** No launches. */
    Step NONE = tokens -> List.of();

    List<Launch> launches(int tokens);

    /** {@code few} below {@code threshold} tokens, {@code many} from there on. */
    static Step byTokenCount(Step few, Step many, int threshold) {
        return tokens -> tokens >= threshold ? many.launches(tokens) : few.launches(tokens);
    }

    /** Several launches in order. */
    static Step sequence(Launch... launches) {
        List<Launch> all = List.of(launches);
        return tokens -> all;
    }

    /**
     * One step's launches, then another's (either may be a single launch). The list for a token count is built once
     * and kept until another count comes: a decode asks for the same count every token, and the layers' sequences
     * would otherwise allocate a list each, every token. (Steps' lists depend on the token count alone.)
     */
    static Step sequence(Step first, Step then) {
        return new Step() {
            private int lastTokens = -1;
            private List<Launch> last = List.of();

            @Override
            public List<Launch> launches(int tokens) {
                if (tokens != lastTokens) {
                    List<Launch> all = new java.util.ArrayList<>(first.launches(tokens));
                    all.addAll(then.launches(tokens));
                    last = List.copyOf(all);
                    lastTokens = tokens;
                }
                return last;
            }
        };
    }

    /**
     * The Q8 matvec launch a pass of one token uses, built from the single-token kernels (KernelLibrary, named
     * {@code ..._t1}: a quarter of the registers), and the one passes of several tokens use, from {@code build} given
     * the kernel-name suffix; the general kernel alone where the single-token ones are switched off.
     */
    static Step byTokenWidth(java.util.function.Function<String, Launch> build) {
        Launch several = build.apply("");
        if (!io.webllm.engine.opencl.Tuning.SINGLE_TOKEN_MATVECS) {
            return several;
        }
        return byTokenCount(build.apply(io.webllm.engine.opencl.KernelLibrary.SINGLE_TOKEN), several, 2);
    }
}
