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
    private static final List<String> SOURCES = List.of("quants.cl", "mul_mv.cl", "norm.cl", "rope.cl", "attention.cl", "glu.cl", "bench.cl");
    private static final String OPTIONS = "-cl-std=CL1.2 -cl-mad-enable";

    private final ClProgram program;
    private final Map<String, ClKernel> kernels = new HashMap<>();

    KernelLibrary(ClContext context) {
        this.program = context.build("webllm kernels", source(), OPTIONS);
    }

    public static String source() {
        StringBuilder source = new StringBuilder();
        for (String name : SOURCES) {
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

    public synchronized ClKernel kernel(String name) {
        return kernels.computeIfAbsent(name, program::kernel);
    }
}
