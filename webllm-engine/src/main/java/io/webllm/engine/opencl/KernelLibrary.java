package io.webllm.engine.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's kernels: the {@code .cl} resources concatenated in dependency order and built once per context.
 * Kernels are created on first use and shared; their arguments are set per launch by their single user thread.
 */
public final class KernelLibrary {

    /** Resource files, helpers first. */
    private static final List<String> SOURCES = List.of("quants.cl", "repack.cl", "reduce.cl", "warm.cl", "xstage.cl", "mul_mv.cl",
            "mul_mv_packed.cl", "q8.cl", "rope.cl", "mul_mv_q8.cl", "mul_mm.cl", "mul_mm_q8.cl", "mul_mv_mma.cl", "mul_mv_cpu.cl", "norm.cl", "attention.cl", "gather.cl", "greedy.cl", "sample.cl", "bench.cl");
    /** The Q8 matvecs again, for one token a pass (mul_mv_q8.cl: kernels named ..._t1), and what they need. */
    private static final List<String> SINGLE_TOKEN_SOURCES = List.of("quants.cl", "reduce.cl", "warm.cl", "q8.cl", "rope.cl", "mul_mv_q8.cl");
    /** Suffix of the kernels of the single-token program. */
    public static final String SINGLE_TOKEN = "_t1";
    private static final System.Logger LOG = System.getLogger(KernelLibrary.class.getName());

    /**
     * Which shape of the matrix kernels a model uses: {@code GPU} (a warp of work-items per row, mul_mv*.cl and
     * mul_mm.cl) or {@code CPU} (one work-item per few whole rows with explicit vectors, mul_mv_cpu.cl), or
     * {@code AUTO}: by the device's type. Both are built into every program, so a model on any device can use
     * either; tests run both against the reference on the same device.
     */
    public enum Variant {
        GPU, CPU, AUTO;

        /** {@code -Dwebllm.kernels=gpu|cpu|auto}, read when called; {@code AUTO} when unset. */
        public static Variant configured() {
            String value = System.getProperty("webllm.kernels", "auto");
            try {
                return valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("webllm.kernels must be gpu, cpu or auto, but was '" + value + "'", e);
            }
        }

        /** {@code CPU} or {@code GPU} for this device: {@code AUTO} picks CPU kernels on CPU devices only. */
        public Variant resolve(ClDevice device) {
            if (this != AUTO) {
                return this;
            }
            return device.type() == ClDevice.Type.CPU ? CPU : GPU;
        }
    }

    private final ClContext context;
    private final ClProgram program;
    private ClProgram singleToken;
    /** Whether the kernels were built with inline PTX (NVIDIA), which the single-token build follows. */
    private final boolean ptx;
    private final String options;
    private final Map<String, ClKernel> kernels = new HashMap<>();

    KernelLibrary(ClContext context) {
        boolean nvidia = context.device().platformName().toUpperCase(java.util.Locale.ROOT).contains("NVIDIA")
                && !Boolean.getBoolean("webllm.opencl.noPtx");
        ClProgram built = null;
        if (nvidia) {
            try {
                built = context.build("webllm kernels", source(), options(Tuning.PACKED_TOKENS, true));
            } catch (ClException e) {
                if (Boolean.getBoolean("webllm.opencl.requirePtx")) {
                    // device runs: a silent fallback would benchmark and test the portable kernels instead
                    throw new ClException("the NVIDIA build with inline PTX failed and -Dwebllm.opencl.requirePtx=true "
                            + "forbids the portable fallback: " + e.getMessage());
                }
                LOG.log(System.Logger.Level.WARNING, "building the kernels with inline PTX failed; using portable reductions: {0}", e.getMessage());
            }
        }
        this.context = context;
        this.ptx = built != null;
        this.options = options(Tuning.PACKED_TOKENS, ptx);
        this.program = built != null ? built : context.build("webllm kernels", source(), options);
    }

    /**
     * Build options for {@code tokens} tokens a pass of the matvecs, with inline PTX (NVIDIA: row sums through warp
     * shuffles instead of local memory and barriers) or without. {@code -Dwebllm.opencl.buildLog=true} adds NVIDIA's
     * {@code -cl-nv-verbose}, whose build log holds ptxas's registers and stack a kernel (ClProgram prints it).
     */
    private static String options(int tokens, boolean ptx) {
        return "-cl-std=CL1.2 -cl-mad-enable " + Tuning.buildDefines(tokens)
                + (ptx ? " -DWEBLLM_PTX" + (Boolean.getBoolean("webllm.opencl.buildLog") ? " -cl-nv-verbose" : "") : "");
    }

    /** The single-token program, built on first use (CPU devices never use it). */
    private synchronized ClProgram singleToken() {
        if (singleToken == null) {
            singleToken = context.build("webllm single-token matvecs", source(SINGLE_TOKEN_SOURCES),
                    options(1, ptx) + " -DPKQ_SINGLE_TOKEN");
        }
        return singleToken;
    }

    /**
     * Whether the tensor-core kernels (mul_mm_q8.cl, mul_mv_mma.cl) run on tensor cores here: built with inline PTX
     * (NVIDIA) and not switched off ({@code -Dwebllm.mma=false}). Elsewhere they compute the same sums with dot4.
     */
    public boolean tensorCores() {
        return ptx && Tuning.MMA;
    }

    /** The device's compute units (SMs on NVIDIA), for launches sized to what the device holds at once. */
    public int computeUnits() {
        return Math.max(1, context.device().computeUnits());
    }

    /** The build options the kernels were compiled with (for programs that reuse their sources). */
    public String buildOptions() {
        return options;
    }

    /** The driver's compiled program (PTX on NVIDIA). */
    public byte[] binary() {
        return program.binary();
    }

    /** A new kernel object of its own, for a launch site that sets its arguments once and reuses them. */
    public ClKernel create(String name) {
        return (name.endsWith(SINGLE_TOKEN) ? singleToken() : program).kernel(name);
    }

    public static String source() {
        return source(SOURCES);
    }

    /** Files of the kernels folder alone, concatenated (diagnostic programs that need none of the engine's sources). */
    public static String sourceOf(String... files) {
        return source(List.of(files));
    }

    private static String source(List<String> files) {
        StringBuilder source = new StringBuilder();
        for (String name : files) {
            try (InputStream in = KernelLibrary.class.getResourceAsStream("kernels/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("kernel source kernels/" + name + " is missing from the engine jar");
                }
                source.append("// ---- ").append(name).append('\n');
                source.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return source.toString();
    }

    /** A kernel shared by every caller on this context; its arguments must be set before each launch. */
    public synchronized ClKernel kernel(String name) {
        return kernels.computeIfAbsent(name, this::create);
    }
}
