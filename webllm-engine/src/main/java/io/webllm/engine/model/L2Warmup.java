package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClKernel;
import java.util.ArrayList;
import java.util.List;

/**
 * Which weights each latency-bound kernel of a decode step asks L2 to fetch while it runs (warm.cl): a norm launch
 * or attention leaves DRAM idle for 7-20 us, and the product after it then waits for its first rows. The forward
 * pass is described in launch order: {@link #read} for each product's weights as the products read them (weights
 * read side by side, such as gate and up, in one call), {@link #warmer} for each latency-bound kernel where it
 * launches. Each warmer then takes the next budget of bytes (its own) of what the products after it read, continuing
 * where the warmer before it stopped, in at most {@link #REGIONS} ranges, and its launch appends
 * {@link #WORK_ITEMS} warming work-items to the work-groups that do its own work. (Warming work-groups appended to
 * the gated product, to run in its tail, gained nothing on an H100: session 14.)
 */
final class L2Warmup {

    /** The ranges a warmer takes (WARM_REGIONS in warm.cl), three kernel arguments each. */
    static final int REGIONS = 4;
    /** Ranges are whole cache lines (WARM_LINE). */
    private static final long LINE = 128;
    /**
     * Warming work-items a launch with ranges appends: at 16 MB, 16 lines each, so their requests reach L2 within
     * about a microsecond from compute units the kernel's own work-groups leave idle.
     */
    static final long WORK_ITEMS = 8192;

    /** Bytes of weights in {@code buffer} from {@code start} to {@code end}. */
    record Range(ClBuffer buffer, long start, long end) {
    }

    /** A latency-bound kernel that warms L2, and how many warming work-items its launch appends (0 until assigned). */
    static final class Warmer {
        private final ClKernel kernel;
        private final int firstArg;
        private final long budget;
        private final int stage;
        private long workItems;

        private Warmer(ClKernel kernel, int firstArg, long budget, int stage) {
            this.kernel = kernel;
            this.firstArg = firstArg;
            this.budget = budget;
            this.stage = stage;
        }

        /** Work-items to add to dimension 0 of the launch: 0, or {@link #WORK_ITEMS} where it warms anything. */
        long workItems() {
            return workItems;
        }
    }

    private final List<List<ClBuffer>> stages = new ArrayList<>();
    private final List<Warmer> warmers = new ArrayList<>();

    /**
     * A latency-bound kernel that launches before the weights read next, whose warm arguments start at
     * {@code firstArg}; {@link #assign} sets them to up to {@code budget} bytes (0: none).
     */
    Warmer warmer(ClKernel kernel, int firstArg, long budget) {
        Warmer warmer = new Warmer(kernel, firstArg, budget, stages.size());
        warmers.add(warmer);
        return warmer;
    }

    /** The weights the next product reads; several read side by side (gate and up) are warmed side by side. */
    void read(ClBuffer... buffers) {
        stages.add(List.of(buffers));
    }

    /** Every warmer's ranges in the order they were added, empty for a warmer with no budget. */
    List<List<Range>> plan() {
        List<List<Range>> plans = new ArrayList<>();
        int stage = 0;
        long offset = 0; // into each buffer of the stage
        for (Warmer warmer : warmers) {
            if (warmer.stage > stage) {
                // the products launched since the last warmer read what it did not reach
                stage = warmer.stage;
                offset = 0;
            }
            List<Range> ranges = new ArrayList<>();
            long left = warmer.budget;
            while (left > 0 && stage < stages.size() && ranges.size() + stages.get(stage).size() <= REGIONS) {
                List<ClBuffer> buffers = stages.get(stage);
                long length = buffers.stream().mapToLong(ClBuffer::size).max().orElse(0);
                long share = (left / buffers.size() + LINE - 1) / LINE * LINE;
                long take = Math.min(length - offset, share);
                for (ClBuffer buffer : buffers) {
                    long end = Math.min(offset + take, buffer.size());
                    if (end > offset) {
                        ranges.add(new Range(buffer, offset, end));
                    }
                }
                left -= take * buffers.size();
                offset += take;
                if (offset >= length) {
                    stage++;
                    offset = 0;
                }
            }
            plans.add(ranges);
        }
        return plans;
    }

    /** Sets every warmer's arguments to its {@link #plan}; {@code any} stands in the unused ranges. */
    void assign(ClBuffer any) {
        List<List<Range>> plans = plan();
        for (int w = 0; w < warmers.size(); w++) {
            Warmer warmer = warmers.get(w);
            set(warmer.kernel, warmer.firstArg, plans.get(w), any);
            warmer.workItems = plans.get(w).isEmpty() ? 0 : WORK_ITEMS;
        }
    }

    /**
     * Sets a warming kernel's arguments from {@code first} to {@code ranges}, {@code any} in the unused ones. Each range
     * must lie within its buffer (the device would prefetch whatever address it is given).
     */
    static ClKernel set(ClKernel kernel, int first, List<Range> ranges, ClBuffer any) {
        if (ranges.size() > REGIONS) {
            throw new IllegalArgumentException("%s warms at most %d ranges, not %d".formatted(kernel.name(), REGIONS, ranges.size()));
        }
        for (Range range : ranges) {
            if (range.start() < 0 || range.start() > range.end() || range.end() > range.buffer().size()) {
                throw new IllegalArgumentException("%s: warm range %d..%d does not lie within %s (%d bytes)"
                        .formatted(kernel.name(), range.start(), range.end(), range.buffer().name(), range.buffer().size()));
            }
        }
        for (int r = 0; r < REGIONS; r++) {
            Range range = r < ranges.size() ? ranges.get(r) : new Range(any, 0, 0);
            kernel.arg(first + 3 * r, range.buffer()).arg(first + 3 * r + 1, range.start()).arg(first + 3 * r + 2, range.end());
        }
        return kernel;
    }

    /** A warming kernel's arguments from {@code first} set to warm nothing (kernels launched outside a forward pass). */
    static ClKernel none(ClKernel kernel, int first, ClBuffer any) {
        return set(kernel, first, List.of(), any);
    }
}
