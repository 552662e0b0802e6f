package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.model.L2Warmup.Range;
import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClKernel;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How {@link L2Warmup} hands the weights of a decode step to its latency-bound kernels: each takes the next budget's
 * worth of what the products after it read, in launch order, continuing where the warmer before it stopped but never
 * behind the products launched since; weights read side by side advance together; at most four ranges a warmer.
 */
class L2WarmupTests extends OnTestDevice {

    private ClBuffer qkv;
    private ClBuffer o;
    private ClBuffer gate;
    private ClBuffer up;
    private ClBuffer down;
    private ClBuffer nextQkv;
    private ClKernel norm;

    @BeforeEach
    void weights() {
        qkv = cl.allocate("qkv", 10_240);
        o = cl.allocate("o", 4_096);
        gate = cl.allocate("gate", 16_384);
        up = cl.allocate("up", 16_384);
        down = cl.allocate("down", 16_384);
        nextQkv = cl.allocate("next qkv", 10_240);
        norm = cl.kernels().create("kernel_rms_norm_q8");
    }

    @AfterEach
    void release() {
        for (AutoCloseable c : List.of(qkv, o, gate, up, down, nextQkv, norm)) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * A layer as the 8B model launches it: attention norm, q/k/v, attention, o, ffn norm, gate and up, down, next
     * norm (every warmer here the norm kernel, whose warm arguments start at 8).
     */
    private List<List<Range>> layer(long normBudget, long attentionBudget) {
        L2Warmup warmup = new L2Warmup();
        warmup.warmer(norm, 8, normBudget);
        warmup.read(qkv);
        warmup.warmer(norm, 8, attentionBudget);
        warmup.read(o);
        warmup.warmer(norm, 8, normBudget);
        warmup.read(gate, up);
        warmup.read(down);
        warmup.warmer(norm, 8, normBudget);
        warmup.read(nextQkv);
        return warmup.plan();
    }

    private List<List<Range>> layer(long budget) {
        return layer(budget, budget);
    }

    @Test
    void onlyWarmersWithRangesAppendWarmingWorkItems() {
        L2Warmup warmup = new L2Warmup();
        L2Warmup.Warmer first = warmup.warmer(norm, 8, 1 << 20);
        warmup.read(qkv);
        warmup.read(o);
        L2Warmup.Warmer second = warmup.warmer(norm, 8, 1 << 20);
        assertThat(first.workItems()).as("before assign").isZero();
        warmup.assign(qkv);
        assertThat(first.workItems()).isEqualTo(L2Warmup.WORK_ITEMS);
        assertThat(second.workItems()).as("nothing left to warm after it").isZero();
        L2Warmup none = new L2Warmup();
        L2Warmup.Warmer idle = none.warmer(norm, 8, 0);
        none.read(qkv);
        none.assign(qkv);
        assertThat(idle.workItems()).isZero();
    }

    @Test
    void noBudgetWarmsNothing() {
        assertThat(layer(0)).hasSize(4).allSatisfy(ranges -> assertThat(ranges).isEmpty());
    }

    @Test
    void eachWarmerTakesWhatTheProductsAfterItReadFirst() {
        List<List<Range>> plans = layer(8_192);
        // the attention norm: the q/k/v product's first 8 KiB
        assertThat(plans.get(0)).containsExactly(new Range(qkv, 0, 8_192));
        // attention: all of o, then gate and up side by side for the rest of its budget
        assertThat(plans.get(1)).containsExactly(new Range(o, 0, 4_096), new Range(gate, 0, 2_048), new Range(up, 0, 2_048));
        // the ffn norm: gate and up on from where attention stopped
        assertThat(plans.get(2)).containsExactly(new Range(gate, 2_048, 6_144), new Range(up, 2_048, 6_144));
        // the next attention norm: not the rest of gate, up and down (their products have run), the next q/k/v
        assertThat(plans.get(3)).containsExactly(new Range(nextQkv, 0, 8_192));
    }

    @Test
    void eachWarmerHasItsOwnBudget() {
        List<List<Range>> plans = layer(0, 8_192);
        assertThat(plans.get(0)).isEmpty();
        assertThat(plans.get(1)).containsExactly(new Range(o, 0, 4_096), new Range(gate, 0, 2_048), new Range(up, 0, 2_048));
        assertThat(plans.get(2)).isEmpty();
        assertThat(plans.get(3)).isEmpty();
        // norms that warm more than attention: attention goes on where the norm before it stopped, in the same product
        plans = layer(12_288, 1_024);
        assertThat(plans.get(0)).containsExactly(new Range(qkv, 0, 10_240), new Range(o, 0, 2_048));
        assertThat(plans.get(1)).containsExactly(new Range(o, 2_048, 3_072));
    }

    @Test
    void aWarmerNeverTakesMoreThanFourRanges() {
        List<List<Range>> plans = layer(1 << 20);
        assertThat(plans.get(0)).containsExactly(new Range(qkv, 0, 10_240), new Range(o, 0, 4_096),
                new Range(gate, 0, 16_384), new Range(up, 0, 16_384));
        // attention: the products after it are warmed already, so it goes on with down and the next layer
        assertThat(plans.get(1)).containsExactly(new Range(down, 0, 16_384), new Range(nextQkv, 0, 10_240));
        assertThat(plans.get(2)).isEmpty();
        assertThat(plans.get(3)).isEmpty();
    }

    @Test
    void rangesOutsideTheirBufferOrTooManyAreRefusedByName() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> L2Warmup.set(norm, 8, List.of(new Range(o, 0, 4_097)), o))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..4097").hasMessageContaining("o (4096 bytes)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> L2Warmup.set(norm, 8, List.of(new Range(o, 256, 128)), o))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256..128");
        List<Range> five = List.of(new Range(o, 0, 128), new Range(o, 0, 128), new Range(o, 0, 128), new Range(o, 0, 128),
                new Range(o, 0, 128));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> L2Warmup.set(norm, 8, five, o))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 4 ranges, not 5");
    }

    @Test
    void rangesStartOnCacheLines() {
        List<List<Range>> plans = layer(1_000);
        assertThat(plans.get(1)).containsExactly(new Range(o, 0, 1_024));
        assertThat(plans.get(2)).containsExactly(new Range(gate, 0, 512), new Range(up, 0, 512));
        assertThat(plans).allSatisfy(ranges -> assertThat(ranges).allSatisfy(r -> assertThat(r.start() % 128).isZero()));
    }
}
