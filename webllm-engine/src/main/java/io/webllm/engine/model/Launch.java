package io.webllm.engine.model;

import io.webllm.engine.opencl.ClKernel;
import java.util.List;
import java.util.function.IntToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * One kernel launch of the forward pass with its arguments set once at load. Per pass only the token count may
 * change: the argument that carries it is set again only when it differs from the last launch, so a decode step is
 * nothing but enqueue calls (every JNI call costs microseconds on the host).
 */
final class Launch implements Step {

    private final ClKernel kernel;
    private final int tokenCountArg;
    private final IntToLongFunction global0;
    private final IntToLongFunction global1;
    private final long local0;
    private final long local1;
    private int lastTokens = -1;
    private String label = "";
    /** Where the kernel warms L2 (warm.cl): in single-token passes its warming work-items follow dimension 0's. */
    private L2Warmup.@Nullable Warmer warmer;
    private final List<Launch> self = List.of(this);

    /**
     * @param tokenCountArg index of the token-count argument, or -1 when the kernel takes none
     * @param global0       global size of dimension 0 for n tokens
     * @param global1       global size of dimension 1 for n tokens; null for a 1-D launch
     */
    Launch(ClKernel kernel, int tokenCountArg, IntToLongFunction global0, IntToLongFunction global1, long local0, long local1) {
        this.kernel = kernel;
        this.tokenCountArg = tokenCountArg;
        this.global0 = global0;
        this.global1 = global1;
        this.local0 = local0;
        this.local1 = local1;
    }

    @Override
    public List<Launch> launches(int tokens) {
        return self;
    }

    ClKernel kernel() {
        return kernel;
    }

    /** This launch's kernel warms L2 as {@code warmer} is assigned (L2Warmup); returns this launch. */
    Launch warmedBy(L2Warmup.Warmer warmer) {
        this.warmer = warmer;
        return this;
    }

    /** The global size of dimension 0: the kernel's work-groups, then in single-token passes any warming ones. */
    private long global0(int tokens) {
        return global0.applyAsLong(tokens) + (warmer == null || tokens != 1 ? 0 : warmer.workItems());
    }

    /** The index of the token-count argument, or -1. */
    int tokenCountArg() {
        return tokenCountArg;
    }

    /** How many work-groups dimension 0 of a pass of {@code tokens} tokens has (1-D launches with a set local size). */
    long workGroups(int tokens) {
        if (global1 != null || local0 == 0) {
            throw new IllegalStateException(profileKey() + " is not a 1-D launch of set work-groups");
        }
        return global0.applyAsLong(tokens) / local0;
    }

    /** Names what this launch works on (a matrix shape) where launches of one kernel differ, for profiles. */
    Launch labeled(String label) {
        this.label = label;
        return this;
    }

    /** The kernel's name, and the label if any: one profile entry per distinct kind of launch. */
    String profileKey() {
        return label.isEmpty() ? kernel.name() : kernel.name() + " " + label;
    }

    /** Enqueues the launch and returns its event, for device timing on a profiling queue. */
    long runTimed(int tokens) {
        setTokens(tokens);
        return kernel.runTimed(global0(tokens), global1 == null ? 0 : global1.applyAsLong(tokens), local0, local1);
    }

    private void setTokens(int tokens) {
        if (tokenCountArg >= 0 && tokens != lastTokens) {
            kernel.arg(tokenCountArg, tokens);
            lastTokens = tokens;
        }
    }

    /** Records the launch for {@code tokens} tokens into {@code buffer} instead of running it. */
    void record(io.webllm.engine.opencl.ClCommandBuffer buffer, int tokens) {
        setTokens(tokens);
        if (global1 == null) {
            kernel.record(buffer, global0(tokens), local0);
        } else {
            kernel.record(buffer, global0(tokens), global1.applyAsLong(tokens), local0, local1);
        }
    }

    void run(int tokens) {
        setTokens(tokens);
        if (global1 == null) {
            kernel.run(global0(tokens), local0);
        } else {
            kernel.run(global0(tokens), global1.applyAsLong(tokens), local0, local1);
        }
    }
}
