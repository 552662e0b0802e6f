package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The host's split of a pass's positions into chunks: every position in exactly one live chunk, spans in whole
 * rounds of the kernel's warps, never more chunks than the combine has weights for, and at least the work-groups
 * the device asks for while positions allow.
 */
class AttentionSplitTests {

    @ParameterizedTest(name = "furthest {0}, {1} tokens, {2} groups a token, target {3}")
    @CsvSource({"0, 1, 8, 528", "31, 1, 8, 528", "543, 1, 8, 528", "4095, 1, 8, 528", "131071, 1, 4, 4096",
            "4095, 16, 8, 528", "511, 512, 8, 528", "100000, 1, 1, 100000"})
    void chunksCoverThePositionsOnceWithinTheCombinesBound(int furthest, int tokens, int groupsPerToken, int target) {
        AttentionSplit split = AttentionSplit.of(furthest, tokens, groupsPerToken, target);
        int length = furthest + 1;
        assertThat(split.span() % AttentionSplit.MIN_SPAN).isZero();
        assertThat(split.live()).isBetween(1, AttentionSplit.MAX_CHUNKS);
        assertThat((long) split.live() * split.span()).isGreaterThanOrEqualTo(length);
        assertThat((long) (split.live() - 1) * split.span()).isLessThan(length);
        int wanted = Math.min(AttentionSplit.MAX_CHUNKS, (target + groupsPerToken * tokens - 1) / (groupsPerToken * tokens));
        int possible = (length + AttentionSplit.MIN_SPAN - 1) / AttentionSplit.MIN_SPAN;
        // rounding spans up to whole rounds may merge a few chunks, never more than half of them
        assertThat(split.live() * 2).isGreaterThanOrEqualTo(Math.min(wanted, possible));
    }
}
