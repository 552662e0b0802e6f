package io.webllm.engine.cli;

import io.webllm.engine.model.LaunchedNormChain;
import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.ClProgram;
import io.webllm.engine.opencl.DeviceSelector;
import io.webllm.engine.opencl.KernelLibrary;
import io.webllm.engine.opencl.Tuning;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Times the packed Q4_0 matrix-vector kernel on one matrix against diagnostic variants that keep only its weight
 * loads or only its activation loads, and against the copy kernel: which part keeps decode from the bandwidth
 * roofline (device times, on a profiling queue of its own), and the host time one launch takes to enqueue.
 */
final class KernelBenchCommand implements Command {

    @Override
    public String name() {
        return "kernel-bench";
    }

    @Override
    public String usage() {
        return "[--rows 14336] [--cols 4096] [--device D] [--json]  time the Q4_0 matvec and its parts on one matrix";
    }

    @Override
    public void run(Args args, PrintStream out) throws Exception {
        boolean json = args.flag("json");
        int rows = args.intOption("rows", "", 14336);
        int cols = args.intOption("cols", "", 4096);
        DeviceSelector device = DeviceSelector.of(args.option("device", "d", "auto"));
        args.checkAllUsed();
        Map<String, Object> result = new LinkedHashMap<>();
        // host time a launch takes to enqueue, on an ordinary queue as decode uses (a profiling queue costs more)
        try (ClContext cl = ClContext.open(device, false)) {
            ClProgram probes = cl.build("launch probes", KernelLibrary.sourceOf("launch_probe.cl"), "-cl-std=CL1.2");
            try (ClBuffer a = cl.allocate("probe", 64)) {
                ClKernel one = probes.kernel("probe_launch_1").arg(0, a).arg(1, -1);
                ClKernel twelve = probes.kernel("probe_launch_12").arg(12, -1);
                for (int i = 0; i < 12; i++) {
                    twelve.arg(i, a);
                }
                result.put("enqueueMicros1Buffer", enqueueMicros(cl, one));
                result.put("enqueueMicros12Buffers", enqueueMicros(cl, twelve));
            } finally {
                probes.close();
            }
        }
        try (ClContext cl = ClContext.open(device, true)) {
            result.put("device", cl.device().describe());
            long weightBytes = (long) rows * cols / 32 * 18;
            result.put("matrix", "%d x %d Q4_0, %.1f MB".formatted(rows, cols, weightBytes / 1e6));
            result.put("copyGBps", BenchCommand.copyBandwidth(cl) / 1e9);
            KernelLibrary kernels = cl.kernels();
            // only the sources the probes use, not the whole engine's again: kernel-bench crashed inside NVIDIA's
            // compiler in one of its builds (SIGSEGV in libnvidia-nvvm, session 10; which one is not known yet), and
            // a second build of everything costs seconds anyway
            ClProgram probes = cl.build("probes", KernelLibrary.sourceOf("quants.cl", "reduce.cl", "xstage.cl", "probe.cl"),
                    kernels.buildOptions());
            try (ClBuffer w = cl.allocate("weights", weightBytes);
                 ClBuffer x = cl.allocate("x", 4L * cols);
                 ClBuffer y = cl.allocate("y", 4L * rows)) {
                long group = (long) Tuning.PACKED_WARPS * 32;
                long rowsPerGroup = (long) Tuning.PACKED_ROWS_PER_WARP * Tuning.PACKED_WARPS;
                long global = (rows + rowsPerGroup - 1) / rowsPerGroup * group;
                ClKernel matvec = kernels.create("kernel_mul_mv_q4_0")
                        .arg(0, w).arg(1, cols).arg(2, (long) cols / 32 * 18).arg(3, rows).arg(4, x).arg(5, cols)
                        .arg(6, y).arg(7, 0).arg(8, rows).arg(9, 1).arg(10, y).arg(11, 0).arg(12, 0);
                ClKernel weightsOnly = probes.kernel("probe_weights_q4_0").arg(0, w).arg(1, cols).arg(2, rows).arg(3, y);
                ClKernel xOnly = probes.kernel("probe_x").arg(0, x).arg(1, cols).arg(2, rows).arg(3, y);
                for (var entry : Map.of("matvec", matvec, "weightsOnly", weightsOnly, "xOnly", xOnly).entrySet()) {
                    double seconds = time(cl, entry.getValue(), global, group);
                    result.put(entry.getKey() + "Micros", seconds * 1e6);
                    result.put(entry.getKey() + "WeightGBps", weightBytes / seconds / 1e9);
                }
                q8Products(cl, kernels, probes, rows, cols, result);
            } finally {
                probes.close();
            }
        }
        if (json) {
            Json.print(out, result);
        } else {
            result.forEach((key, value) -> out.printf("%-22s %s%n", key, value instanceof Double d ? "%.2f".formatted(d) : value));
        }
    }

    /**
     * The single-token Q8 products decode runs where norms are launched (the 8B's): the gated product on a rows x cols
     * gate and up (kernel_mul_mv_gluq_plain_q4_0_t1) and the residual one on its transpose, cols x rows, as down
     * (kernel_mul_mvq_plain_q4_0_t1, and kernel_mul_mvq_ahead_q4_0_t1 as decode runs it), each at every split of a row
     * set's columns between warps (Split1..8), as walking kernels (Walk2..8: N work-groups a compute unit,
     * -Dwebllm.mv.walk), and against their weight loads alone in the same shape (probe_q8_weights_q4_0) with warps that
     * walk 1-8 row sets from a grid that much smaller, and the gated product's rows read a warp a matrix
     * (WarpPerMatrix; session 17 measured a kernel of that shape slower, its hand-off between warps costing more than
     * the shape gained, and removed it): whether a product is held
     * back by the shape of its loads, by how short-lived its warps are, or by the rest of its work. Device times of one
     * kernel at a time, so far steadier than a whole decode's tokens a second; rates in weight GB/s.
     */
    private static void q8Products(ClContext cl, KernelLibrary kernels, ClProgram probes, int rows, int cols,
            Map<String, Object> result) {
        long bytes = (long) rows * cols / 32 * 18;
        try (ClBuffer gate = cl.allocate("gate", bytes);
             ClBuffer up = cl.allocate("up", bytes);
             ClBuffer xq = cl.allocate("x quants", Math.max(rows, cols));
             ClBuffer xd = cl.allocate("x scales", 8L * Math.max(rows, cols) / 32);
             ClBuffer y = cl.allocate("y", 4L * Math.max(rows, cols));
             ClBuffer arrivals = cl.allocate("arrivals", 4L * Math.max(rows, cols))) {
            // activations and counts zero (the weights' contents do not change the work)
            try (java.lang.foreign.Arena zeros = java.lang.foreign.Arena.ofConfined()) {
                for (ClBuffer buffer : new ClBuffer[] {xq, xd, arrivals}) {
                    cl.write(buffer, 0, zeros.allocate(buffer.size()));
                }
            }
            // gated: rows x cols each of gate and up; down: cols x rows. Splits as decode picks them.
            int gatedMost = Tuning.q8SplitByLength(cols);
            int downMost = Tuning.q8SplitByLength(rows);
            int gatedSplit = Tuning.q8Split(cols, rows);
            int downSplit = Tuning.q8Split(rows, cols);
            for (int split = 1; split <= Math.max(gatedMost, downMost); split *= 2) {
                String suffix = "Split" + split;
                if (split <= gatedMost) {
                    timeGated(cl, kernels, "plain_", gate, up, xq, xd, y, arrivals, rows, cols, split, 0, "gatedKernel" + suffix, result);
                }
                if (split <= downMost) {
                    timeDown(cl, kernels, "plain_", gate, xq, xd, y, arrivals, cols, rows, split, 0, "downKernel" + suffix, result);
                }
            }
            timeDown(cl, kernels, "ahead_", gate, xq, xd, y, arrivals, cols, rows, downSplit, 0, "downAheadKernel", result);
            for (int walk : new int[] {2, 4, 8}) {
                timeGated(cl, kernels, "plain_walk_", gate, up, xq, xd, y, arrivals, rows, cols, gatedSplit, walk, "gatedWalk" + walk, result);
                timeDown(cl, kernels, "ahead_walk_", gate, xq, xd, y, arrivals, cols, rows, downSplit, walk, "downAheadWalk" + walk, result);
            }
            for (int walk : new int[] {1, 2}) {
                chainAgainstSeparate(cl, kernels, gate, up, xq, xd, arrivals, rows, cols, gatedSplit, downSplit, walk, result);
            }
            long gatedGroups = gatedGroups(rows, gatedSplit);
            long downGroups = downGroups(cols, downSplit);
            long local = mvGroup();
            for (int sets : new int[] {1, 2, 4, 8}) {
                ClKernel probe = probes.kernel("probe_q8_weights_q4_0").arg(0, gate).arg(1, up).arg(2, 1).arg(3, cols)
                        .arg(4, rows).arg(5, gatedSplit).arg(6, sets).arg(7, y);
                rate(result, "gatedWeightsOnlySets" + sets, 2 * bytes, time(cl, probe, ceilDiv(gatedGroups, sets) * local, local));
                probe.close();
                probe = probes.kernel("probe_q8_weights_q4_0").arg(0, gate).arg(1, gate).arg(2, 0).arg(3, rows)
                        .arg(4, cols).arg(5, downSplit).arg(6, sets).arg(7, y);
                rate(result, "downWeightsOnlySets" + sets, bytes, time(cl, probe, ceilDiv(downGroups, sets) * local, local));
                probe.close();
            }
            // the gated product's rows with each warp on one matrix, four rows of it (the same rows a work-group)
            try (ClKernel probe = probes.kernel("probe_q8_weights_q4_0").arg(0, gate).arg(1, up).arg(2, 2).arg(3, cols)
                    .arg(4, rows).arg(5, gatedSplit).arg(6, 1).arg(7, y)) {
                rate(result, "gatedWeightsOnlyWarpPerMatrix", 2 * bytes, time(cl, probe, gatedGroups * local, local));
            }
        }
    }

    /**
     * Work-items of a Q8 matvec work-group (mul_mv_q8.cl): PK_WARPS warps. A method, not a constant: reading Tuning
     * when Main loads its commands would make a malformed switch fail every command, not the one that reads it.
     */
    private static long mvGroup() {
        return (long) Tuning.PACKED_WARPS * 32;
    }

    /**
     * Times kernel_mul_mv_gluq_{kind}q4_0_t1 on rows x cols gate and up weights at {@code split}; a walking kind
     * launches {@code walk} work-groups a compute unit.
     */
    private static void timeGated(ClContext cl, KernelLibrary kernels, String kind, ClBuffer gate, ClBuffer up, ClBuffer xq,
            ClBuffer xd, ClBuffer y, ClBuffer arrivals, int rows, int cols, int split, int walk, String name,
            Map<String, Object> result) {
        long groups = gatedGroups(rows, split);
        try (ClKernel gated = gatedKernel(kernels, kind, gate, up, xq, xd, y, arrivals, rows, cols, split)) {
            if (walk > 0) {
                gated.arg(19, (int) groups);
            }
            rate(result, name, 2L * rows * cols / 32 * 18, time(cl, gated, launched(cl, groups, walk) * mvGroup(), mvGroup()));
        }
    }

    /** kernel_mul_mv_gluq_{kind}q4_0_t1 set up for y = silu(gate x) * (up x) over rows x cols, x as Q8 in xq/xd. */
    private static ClKernel gatedKernel(KernelLibrary kernels, String kind, ClBuffer gate, ClBuffer up, ClBuffer xq,
            ClBuffer xd, ClBuffer y, ClBuffer arrivals, int rows, int cols, int split) {
        return kernels.create("kernel_mul_mv_gluq_" + kind + "q4_0" + KernelLibrary.SINGLE_TOKEN)
                .arg(0, gate).arg(1, up).arg(2, cols).arg(3, (long) cols / 32 * 18).arg(4, rows).arg(5, xq)
                .arg(6, cols / 32).arg(7, y).arg(8, rows).arg(9, 1).arg(10, xd).arg(11, split).arg(12, xq)
                .arg(13, xd).arg(14, arrivals).arg(15, 0).arg(16, y).arg(17, 0).arg(18, 1e-5f);
    }

    private static long gatedGroups(int rows, int split) {
        return ceilDiv(rows, Tuning.PACKED_WARPS / split * (Tuning.PACKED_ROWS_PER_WARP / 2));
    }

    /**
     * Times kernel_mul_mvq_{kind}q4_0_t1 on rows x cols weights at {@code split}; a walking kind launches {@code walk}
     * work-groups a compute unit.
     */
    private static void timeDown(ClContext cl, KernelLibrary kernels, String kind, ClBuffer w, ClBuffer xq, ClBuffer xd,
            ClBuffer y, ClBuffer arrivals, int rows, int cols, int split, int walk, String name, Map<String, Object> result) {
        long groups = downGroups(rows, split);
        try (ClKernel down = downKernel(kernels, kind, w, xq, xd, y, y, arrivals, rows, cols, split)) {
            if (walk > 0) {
                down.arg(24, (int) groups);
            }
            rate(result, name, (long) rows * cols / 32 * 18, time(cl, down, launched(cl, groups, walk) * mvGroup(), mvGroup()));
        }
    }

    /** kernel_mul_mvq_{kind}q4_0_t1 set up for out += W x over rows x cols, x as Q8 in xq/xd, no norms. */
    private static ClKernel downKernel(KernelLibrary kernels, String kind, ClBuffer w, ClBuffer xq, ClBuffer xd,
            ClBuffer out, ClBuffer unused, ClBuffer arrivals, int rows, int cols, int split) {
        return kernels.create("kernel_mul_mvq_" + kind + "q4_0" + KernelLibrary.SINGLE_TOKEN)
                .arg(0, w).arg(1, cols).arg(2, (long) cols / 32 * 18).arg(3, rows).arg(4, xq).arg(5, cols / 32)
                .arg(6, out).arg(7, 0).arg(8, rows).arg(9, 1).arg(10, unused).arg(11, 0).arg(12, 1).arg(13, xd)
                .arg(14, split).arg(15, 0).arg(16, unused).arg(17, 1e-5f).arg(18, unused).arg(19, xq).arg(20, xd)
                .arg(21, arrivals).arg(22, unused).arg(23, 0);
    }

    private static long downGroups(int rows, int split) {
        return ceilDiv(rows, Tuning.PACKED_WARPS / split * Tuning.PACKED_ROWS_PER_WARP);
    }

    /**
     * The 8B's gated product, the quantize of its output and down launched apart against step 74's chained launch
     * of the three (kernel_chain_glu_down_q4_0_t1, {@code walk} work-groups a compute unit walking each product):
     * host-clock microseconds a pass over 200 passes of each enqueued back to back, as a decode enqueues them, so
     * that the launch boundaries and the host's enqueues count (on kernel-bench's profiling queue, the same for both).
     */
    private static void chainAgainstSeparate(ClContext cl, KernelLibrary kernels, ClBuffer gate, ClBuffer up, ClBuffer xq,
            ClBuffer xd, ClBuffer arrivals, int rows, int cols, int gatedSplit, int downSplit, int walk,
            Map<String, Object> result) {
        int groups = rows / 32;
        try (ClBuffer ff = cl.allocate("ff", 4L * rows);
             ClBuffer ffq = cl.allocate("ff quants", rows);
             ClBuffer ffd = cl.allocate("ff scales", 8L * groups);
             ClBuffer out = cl.allocate("out", 4L * cols);
             ClBuffer counts = cl.allocate("chain counts", LaunchedNormChain.COUNTS_BYTES);
             ClKernel gated = gatedKernel(kernels, "plain_", gate, up, xq, xd, ff, arrivals, rows, cols, gatedSplit);
             ClKernel quantize = kernels.create("kernel_quantize_q8").arg(0, ff).arg(1, rows).arg(2, ffq).arg(3, ffd).arg(4, groups);
             ClKernel down = downKernel(kernels, "ahead_", gate, ffq, ffd, out, ff, arrivals, cols, rows, downSplit)) {
            try (java.lang.foreign.Arena zeros = java.lang.foreign.Arena.ofConfined()) {
                cl.write(counts, 0, zeros.allocate(counts.size()));
            }
            long gatedGroups = gatedGroups(rows, gatedSplit);
            long downGroups = downGroups(cols, downSplit);
            LaunchedNormChain.Configured chain = LaunchedNormChain.configure(kernels, "q4_0", null, gated, gatedGroups, ff, ffq,
                    ffd, groups, down, downGroups, walk, counts);
            long quantizeItems = ceilDiv(groups * 32L, mvGroup()) * mvGroup();
            Runnable separate = () -> {
                gated.run(gatedGroups * mvGroup(), mvGroup());
                quantize.run(quantizeItems, 1, mvGroup(), 1);
                down.run(downGroups * mvGroup(), mvGroup());
            };
            try (ClKernel chained = chain.kernel()) {
                result.put("gatedQuantizeDownSeparateMicros", passMicros(cl, separate));
                result.put("gatedQuantizeDownChainedWalk" + walk + "Micros",
                        passMicros(cl, () -> chained.run(chain.workItems(), mvGroup())));
                normsAround(cl, kernels, chained, chain.workItems(), xq, xd,
                        norms -> LaunchedNormChain.configure(kernels, "q4_0", norms, gated, gatedGroups, ff, ffq, ffd,
                                groups, down, downGroups, walk, counts), cols, walk, result);
            }
        }
    }

    /**
     * The same pass between the 8B's two norms (kernel_rms_norm_q8 over a row of {@code cols} values, writing the
     * gated product's Q8 input): the norms launched around {@code chained} (the default since step 74) against the
     * chain that runs them as its first and last stages (step 81), without and with its first rounds warmed (step 82).
     */
    private static void normsAround(ClContext cl, KernelLibrary kernels, ClKernel chained, long chainItems, ClBuffer xq,
            ClBuffer xd, java.util.function.Function<LaunchedNormChain.NormStages, LaunchedNormChain.Configured> withNorms,
            int cols, int walk, Map<String, Object> result) {
        try (ClBuffer x = cl.allocate("x", 4L * cols);
             ClBuffer xb = cl.allocate("xb", 4L * cols);
             ClBuffer weight = cl.allocate("norm weight", 4L * cols);
             ClKernel norm = kernels.create("kernel_rms_norm_q8")) {
            try (java.lang.foreign.Arena zeros = java.lang.foreign.Arena.ofConfined()) {
                cl.write(x, 0, zeros.allocate(x.size()));
                cl.write(weight, 0, zeros.allocate(weight.size()));
            }
            norm.arg(0, x).arg(1, xb).arg(2, weight).arg(3, cols).arg(4, 1e-5f).localArg(5, 4L * mvGroup()).arg(6, xq).arg(7, xd);
            for (int r = 0; r < 4; r++) { // warm.cl's ranges: none
                norm.arg(8 + 3 * r, x).arg(9 + 3 * r, 0L).arg(10 + 3 * r, 0L);
            }
            long normItems = (long) LaunchedNormChain.NormStages.workGroups(cols, mvGroup()) * mvGroup();
            result.put("gatedQuantizeDownNormsLaunchedWalk" + walk + "Micros", passMicros(cl, () -> {
                norm.run(normItems, 1, mvGroup(), 1);
                chained.run(chainItems, mvGroup());
                norm.run(normItems, 1, mvGroup(), 1);
            }));
            for (boolean warm : new boolean[] {false, true}) {
                var norms = new LaunchedNormChain.NormStages(x, xb, cols, 1e-5f, xq, xd, weight, weight, warm);
                LaunchedNormChain.Configured chain = withNorms.apply(norms);
                try (ClKernel kernel = chain.kernel()) {
                    result.put("gatedQuantizeDownNormsChained" + (warm ? "Warm" : "") + "Walk" + walk + "Micros",
                            passMicros(cl, () -> kernel.run(chain.workItems(), mvGroup())));
                }
            }
        }
    }

    /** Host-clock microseconds a pass over 200 passes enqueued back to back, after 10 for warm-up. */
    private static double passMicros(ClContext cl, Runnable pass) {
        for (int i = 0; i < 10; i++) {
            pass.run();
        }
        cl.finish();
        int passes = 200;
        long start = System.nanoTime();
        for (int i = 0; i < passes; i++) {
            pass.run();
        }
        cl.finish();
        return (System.nanoTime() - start) / 1e3 / passes;
    }

    /** Work-groups a launch of {@code groups} row groups takes: all of them, or {@code walk} a compute unit where they walk. */
    private static long launched(ClContext cl, long groups, int walk) {
        return walk > 0 ? Math.min(groups, (long) Math.max(1, cl.device().computeUnits()) * walk) : groups;
    }

    private static long ceilDiv(long value, long divisor) {
        return (value + divisor - 1) / divisor;
    }

    private static void rate(Map<String, Object> result, String name, long bytes, double seconds) {
        result.put(name + "Micros", seconds * 1e6);
        result.put(name + "WeightGBps", bytes / seconds / 1e9);
    }

    /**
     * Host microseconds a launch of one 256-item work-group takes to enqueue, over 2,000 after 100 for warm-up: the
     * floor of a launch-bound decode (each launch of a decode token costs at least this much host time).
     */
    private static double enqueueMicros(ClContext cl, ClKernel kernel) {
        for (int i = 0; i < 100; i++) {
            kernel.run(256, 256);
        }
        cl.finish();
        int launches = 2000;
        long start = System.nanoTime();
        for (int i = 0; i < launches; i++) {
            kernel.run(256, 256);
        }
        double micros = (System.nanoTime() - start) / 1e3 / launches;
        cl.finish();
        return micros;
    }

    /** Mean device time of one launch over 50, after 5 warm-up launches. */
    private static double time(ClContext cl, ClKernel kernel, long global, long local) {
        for (int i = 0; i < 5; i++) {
            kernel.run(global, local);
        }
        cl.finish();
        double total = 0;
        int launches = 50;
        for (int i = 0; i < launches; i++) {
            long event = kernel.runTimed(global, 0, local, 0);
            cl.finish();
            total += cl.eventSeconds(event);
        }
        return total / launches;
    }
}
