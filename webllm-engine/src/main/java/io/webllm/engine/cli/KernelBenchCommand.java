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
 * roofline. Needs a profiling queue (it sets one up itself).
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
        System.setProperty("webllm.opencl.profile", "true");
        Map<String, Object> result = new LinkedHashMap<>();
        try (ClContext cl = ClContext.open(device)) {
            result.put("device", cl.device().describe());
            long weightBytes = (long) rows * cols / 32 * 18;
            result.put("matrix", "%d x %d Q4_0, %.1f MB".formatted(rows, cols, weightBytes / 1e6));
            result.put("copyGBps", BenchCommand.copyBandwidth(cl) / 1e9);
            KernelLibrary kernels = cl.kernels();
            ClProgram probes = cl.build("probes", KernelLibrary.sourceWith("probe.cl"), kernels.buildOptions());
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
