package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The phase stamps of measurement builds, read back as microseconds: the attention split kernel's
 * ({@code -Dwebllm.attention.timing}, attention.cl) and the chained decode launches'
 * ({@code -Dwebllm.chain.timing}, mul_mv_q8.cl). The kernels write NVIDIA's global timer; elsewhere it reads 0 and
 * the maps come back empty. {@code bench} prints both.
 */
final class PhaseStamps {

    /** Slots of the attention phase stamps (attention.cl: 0-4 chunk 0, 8-12 the combining work-group). */
    static final int ATTENTION_STAMPS = 16;

    private final ClContext cl;
    private final @Nullable ClBuffer attention;

    /** {@code attention}: where the split kernel writes its stamps, or null where the build has none. */
    PhaseStamps(ClContext cl, @Nullable ClBuffer attention) {
        this.cl = cl;
        this.attention = attention;
    }

    /**
     * The attention split kernel's phases in its last launch, from the stamps attention.cl writes for chunk 0 of head
     * set 0, token 0 (entered, finished its positions, merged its warps and wrote, counted itself in, ended: [0..4]) and
     * for the work-group that combined that token's chunks ([8..12], zeros where one chunk held them all): chunk 0's
     * positions, merge and write, count-in and total; the combiner's start after chunk 0's, its positions, its combine
     * and its end after chunk 0's start.
     */
    Map<String, Double> attentionMicros() {
        Map<String, Double> phases = new LinkedHashMap<>();
        if (attention == null) {
            return phases;
        }
        long[] stamps = read(attention, 0, ATTENTION_STAMPS);
        if (stamps[0] == 0) {
            return phases; // no stamps: not NVIDIA (the clock reads 0), or no split launch yet
        }
        phases.put("positions", micros(stamps[1] - stamps[0]));
        phases.put("mergeAndWrite", micros(stamps[2] - stamps[1]));
        phases.put("countIn", micros(stamps[3] - stamps[2]));
        phases.put("chunk0", micros(stamps[4] - stamps[0]));
        if (stamps[8] != 0) {
            phases.put("combinerStartAfterChunk0", micros(stamps[8] - stamps[0]));
            phases.put("combinerPositions", micros(stamps[9] - stamps[8]));
            phases.put("combine", micros(stamps[12] - stamps[11]));
            phases.put("combinerEndAfterChunk0Start", micros(stamps[12] - stamps[0]));
        }
        return phases;
    }

    /**
     * The last chained launch's phases, from the stamps mul_mv_q8.cl writes after the chain's counts in
     * {@code counts}, per product of {@code products} (o, gated, down and q/k/v, or for the large models' chain gated,
     * quantize and down): when its first work-group entered and its wait released it, when its last work-group counted
     * itself done, and when that one was released. Per product: {@code release} (its first work-group's release after
     * the previous product's last done, or after its own entry for the first product), {@code span} (first release to
     * last done) and {@code lastGroup} (the last work-group's own run); then {@code total} (the first product's first
     * entry to the last product's last done) and, with attention stamps, {@code afterAttention} (that first entry
     * after the attention launch before it ended its last stamp).
     */
    Map<String, Double> chainMicros(ClBuffer counts, List<String> products) {
        Map<String, Double> phases = new LinkedHashMap<>();
        long[] stamps = read(counts, 4L * ChainedLaunch.COUNTS, ChainedLaunch.STAMPS);
        long start = stamps[0];
        if (start == 0) {
            return phases; // not NVIDIA (the clock reads 0), or no chained launch yet
        }
        long previousDone = start;
        for (int p = 0; p < products.size(); p++) {
            long entered = stamps[4 * p];
            long released = stamps[4 * p + 1];
            long done = stamps[4 * p + 2];
            if (entered < start || done == 0) {
                break; // a product this launch has not (a chain without q/k/v, after one with it)
            }
            String name = products.get(p);
            phases.put(name + ".release", micros(released - previousDone));
            phases.put(name + ".span", micros(done - released));
            phases.put(name + ".lastGroup", micros(done - stamps[4 * p + 3]));
            previousDone = done;
        }
        phases.put("total", micros(previousDone - start));
        if (attention != null) {
            long[] attentionStamps = read(attention, 0, ATTENTION_STAMPS);
            long attentionEnd = Math.max(attentionStamps[4], attentionStamps[12]);
            if (attentionEnd != 0) {
                phases.put("afterAttention", micros(start - attentionEnd));
            }
        }
        return phases;
    }

    private static double micros(long nanos) {
        return nanos / 1e3;
    }

    private long[] read(ClBuffer buffer, long offset, int count) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(8L * count);
            cl.read(buffer, offset, segment);
            return segment.toArray(ValueLayout.JAVA_LONG);
        }
    }
}
