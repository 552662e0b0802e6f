package io.webllm.engine.model;

import io.webllm.engine.opencl.Tuning;

/**
 * How a pass's attention splits each token's positions into chunks (attention.cl): {@code live} chunks of
 * {@code span} positions, together covering positions 0 .. the batch's furthest one.
 *
 * <p>A work-group of the split kernel serves up to {@link #HEADS_PER_GROUP} query heads of one KV head (they share
 * its key and value loads), so a decode step has only {@link #groupsPerToken} work-groups per chunk: 8 for Llama 3.1
 * 8B. One chunk each would leave most of an H100's 132 compute units idle and make every work-group walk all
 * positions. So a pass gets about {@code targetGroups} work-groups in all, its positions split into that many
 * chunks, but never chunks of fewer than {@link #MIN_SPAN} positions (a work-group's four warps then score 8
 * positions each, one batch of loads). Prompts have work-groups enough in their tokens: one chunk, no combine pass.
 *
 * @param span positions per chunk, a multiple of {@link #MIN_SPAN}
 * @param live chunks that hold positions of the pass
 */
record AttentionSplit(int span, int live) {

    /** Positions one work-group of the split kernel scores in one round: AT_WARPS x AT_BATCH in attention.cl. */
    static final int ROUND = 32;

    /** Positions one warp scores at once: AT_BATCH in attention.cl. */
    static final int BATCH = 8;

    /**
     * Fewest positions a chunk holds, a multiple of {@link #BATCH}: {@code -Dwebllm.attention.minSpan} for
     * measurements (32: one round). Longer chunks mean fewer partial results for the last work-group to combine;
     * shorter ones (16, 8: some of a work-group's warps idle) more work-groups for short contexts. On H100s at 512
     * positions (session 11): 64 gave the 8B decode 241.7 tok/s against 256.5 for 32, and the 0.5B 662 against
     * 739 (128: 555, 256: 410); 16 measured within the cards' noise of 32 (0.5B +5% on one card, -4% on another).
     */
    static final int MIN_SPAN = minSpan();

    private static int minSpan() {
        int span = Tuning.integer("webllm.attention.minSpan", ROUND);
        if (span < BATCH || span % BATCH != 0) {
            throw new IllegalArgumentException("webllm.attention.minSpan must be a positive multiple of " + BATCH + ", but was " + span);
        }
        return span;
    }

    /** Most chunks a token's positions split into: AT_MAX_CHUNKS in attention.cl (the combine's weights). */
    static final int MAX_CHUNKS = 128;

    /** Query heads one work-group serves: AT_HEADS in attention.cl. */
    static final int HEADS_PER_GROUP = 4;

    /** Work-groups per (token, chunk): each KV head's query heads in sets of {@link #HEADS_PER_GROUP}. */
    static int groupsPerToken(int heads, int kvHeads) {
        return kvHeads * ceilDiv(heads / kvHeads, HEADS_PER_GROUP);
    }

    /**
     * The split for a pass of {@code tokens} tokens whose furthest position is {@code furthest}, with
     * {@code groupsPerToken} work-groups per (token, chunk).
     */
    static AttentionSplit of(int furthest, int tokens, int groupsPerToken, int targetGroups) {
        int length = furthest + 1;
        int wanted = Math.max(1, ceilDiv(targetGroups, groupsPerToken * tokens));
        int chunks = Math.min(Math.min(wanted, MAX_CHUNKS), ceilDiv(length, MIN_SPAN));
        int span = ceilDiv(ceilDiv(length, chunks), MIN_SPAN) * MIN_SPAN;
        return new AttentionSplit(span, ceilDiv(length, span));
    }

    /**
     * (token, chunk) pairs any pass of at most {@code maxTokens} tokens needs partial results for: tokens x live,
     * where live exceeds 1 only while groupsPerToken x tokens x live stays near targetGroups.
     */
    static int capacity(int maxTokens, int groupsPerToken, int targetGroups) {
        return maxTokens + ceilDiv(targetGroups, groupsPerToken);
    }

    /** The split kernel for heads of {@code headDim} dimensions: the variant for the smallest bound that fits. */
    static String kernelName(int headDim) {
        for (int bound : new int[] {64, 128, 256}) {
            if (headDim <= bound) {
                return "kernel_attention_split_" + bound;
            }
        }
        throw new IllegalArgumentException("head size %d is not supported: attention kernels take at most 256".formatted(headDim));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
