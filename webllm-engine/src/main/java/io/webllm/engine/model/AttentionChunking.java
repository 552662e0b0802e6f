package io.webllm.engine.model;

import io.webllm.engine.opencl.ClKernel;
import java.util.ArrayList;
import java.util.List;

/**
 * The attention split kernels of one model and the chunking they run with, which follows each pass: before a pass,
 * {@link #cover} picks its {@link AttentionSplit} from its token count and furthest position, and only a change
 * resets the kernels' two chunking arguments (span and live chunks), so that decode steps of one chunking set
 * nothing.
 */
final class AttentionChunking {

    /** The split kernels' arguments: positions a chunk and live chunks (attention.cl). */
    private static final int SPAN_ARG = 13;
    private static final int LIVE_ARG = 14;

    private final int groupsPerToken;
    private final int targetGroups;
    private final List<ClKernel> kernels = new ArrayList<>();
    private AttentionSplit split = new AttentionSplit(AttentionSplit.MIN_SPAN, 1);

    /**
     * For a model of {@code heads} query heads over {@code kvHeads} KV heads, a pass aiming at {@code targetGroups}
     * work-groups in all (Tuning.ATTENTION_GROUPS_PER_UNIT per compute unit).
     */
    AttentionChunking(int heads, int kvHeads, int targetGroups) {
        this.groupsPerToken = AttentionSplit.groupsPerToken(heads, kvHeads);
        this.targetGroups = targetGroups;
    }

    /** Work-groups per (token, chunk). */
    int groupsPerToken() {
        return groupsPerToken;
    }

    /** (token, chunk) pairs a pass of up to {@code maxTokens} tokens needs partial results for. */
    int partialsCapacity(int maxTokens) {
        return AttentionSplit.capacity(maxTokens, groupsPerToken, targetGroups);
    }

    /** The chunking of the pass about to run. */
    AttentionSplit split() {
        return split;
    }

    /** Takes {@code kernel} into the chunking: its span and live-chunk arguments set now and on every change. */
    ClKernel follow(ClKernel kernel) {
        kernel.arg(SPAN_ARG, split.span()).arg(LIVE_ARG, split.live());
        kernels.add(kernel);
        return kernel;
    }

    /** Work-items of a split launch for the current chunking, {@code groupSize} a work-group. */
    long globalSize(int groupSize) {
        return (long) groupsPerToken * split.live() * groupSize;
    }

    /** Chunks the attention of tokens start .. start + n - 1 of {@code positions}. */
    void cover(int[] positions, int start, int n) {
        int furthest = 0;
        for (int i = start; i < start + n; i++) {
            furthest = Math.max(furthest, positions[i]);
        }
        cover(furthest, n);
    }

    /** Chunks the attention of a pass of {@code n} tokens whose furthest position is {@code furthest}. */
    void cover(int furthest, int n) {
        AttentionSplit next = AttentionSplit.of(furthest, n, groupsPerToken, targetGroups);
        if (!next.equals(split)) {
            split = next;
            for (ClKernel kernel : kernels) {
                kernel.arg(SPAN_ARG, next.span()).arg(LIVE_ARG, next.live());
            }
        }
    }
}
