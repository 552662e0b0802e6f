package io.webllm.engine.cli;

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
