package io.webllm.engine.model;

/**
 * How a pass's attention splits each (head, token)'s positions into chunks (attention.cl): {@code live} chunks of
 * {@code span} positions, together covering positions 0 .. the batch's furthest one.
 *
 * <p>A decode step has only as many (head, token) pairs as heads (32 for Llama 3.1 8B): one work-group each would
 * leave most of an H100's 132 compute units idle and make every work-group walk all positions. So a pass gets about
 * {@code targetGroups} work-groups in all, its positions split into that many chunks per pair, but never chunks of
 * fewer than {@link #MIN_SPAN} positions (a work-group's four warps then score 8 positions each, one batch of loads).
 * Prompts have work-groups enough in their tokens: one chunk, no combine pass.
 *
 * @param span positions per chunk, a multiple of {@link #MIN_SPAN}
 * @param live chunks that hold positions of the pass
 */
record AttentionSplit(int span, int live) {

    /** Positions one work-group of the split kernel scores in one round: AT_WARPS x AT_BATCH in attention.cl. */
    static final int MIN_SPAN = 32;

    /** The split for a pass of {@code tokens} tokens whose furthest position is {@code furthest}. */
    static AttentionSplit of(int furthest, int tokens, int heads, int targetGroups) {
        int length = furthest + 1;
        int wanted = Math.max(1, ceilDiv(targetGroups, heads * tokens));
        int chunks = Math.min(wanted, ceilDiv(length, MIN_SPAN));
        int span = ceilDiv(ceilDiv(length, chunks), MIN_SPAN) * MIN_SPAN;
        return new AttentionSplit(span, ceilDiv(length, span));
    }

    /**
     * (token, chunk) pairs any pass of at most {@code maxTokens} tokens needs partial results for: tokens x live,
     * where live exceeds 1 only while heads x tokens x live stays near targetGroups.
     */
    static int capacity(int maxTokens, int heads, int targetGroups) {
        return maxTokens + ceilDiv(targetGroups, heads);
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
