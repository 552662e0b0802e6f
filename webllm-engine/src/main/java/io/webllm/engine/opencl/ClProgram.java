package io.webllm.engine.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/** A program built once for the context's device; a failed build reports the driver's build log. */
public final class ClProgram implements AutoCloseable {

    private final ClContext context;
    private final String name;
    private final long handle;
    private final List<ClKernel> kernels = new ArrayList<>();
    private boolean released;

    private ClProgram(ClContext context, String name, long handle) {
        this.context = context;
        this.name = name;
        this.handle = handle;
    }

    static ClProgram build(ClContext context, String name, String source, String options) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer error = stack.mallocInt(1);
            long program = clCreateProgramWithSource(context.handle(), source, error);
            ClException.check(error.get(0), "clCreateProgramWithSource(" + name + ")");
            long device = context.device().deviceHandle();
            int status = clBuildProgram(program, device, options, null, 0);
            if (status != 0) {
                String log = buildLog(program, device);
                clReleaseProgram(program);
                throw new ClException("clBuildProgram", status, "building %s for %s with options '%s'; build log:%n%s"
                        .formatted(name, context.device().name(), options, log));
            }
            if (Boolean.getBoolean("webllm.opencl.buildLog")) {
                // with NVIDIA's -cl-nv-verbose (KernelLibrary adds it) the log holds ptxas's registers and stack a kernel
                System.err.printf("webllm: build log of %s with options '%s':%n%s%n", name, options, buildLog(program, device));
            }
            return new ClProgram(context, name, program);
        }
    }

    private static String buildLog(long program, long device) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, (ByteBuffer) null, size);
            ByteBuffer log = MemoryUtil.memAlloc((int) size.get(0));
            try {
                clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, log, null);
                byte[] bytes = new byte[Math.max(0, log.remaining() - 1)];
                log.get(bytes);
                return new String(bytes, StandardCharsets.UTF_8).strip();
            } finally {
                MemoryUtil.memFree(log);
            }
        }
    }

    /** The compiled program as the driver returns it (PTX text on NVIDIA), for inspecting register and spill use. */
    public byte[] binary() {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            ClException.check(clGetProgramInfo(handle, CL_PROGRAM_BINARY_SIZES, size, null), "clGetProgramInfo(CL_PROGRAM_BINARY_SIZES)");
            ByteBuffer binary = MemoryUtil.memAlloc((int) size.get(0));
            try {
                PointerBuffer pointers = stack.mallocPointer(1).put(0, MemoryUtil.memAddress(binary));
                ClException.check(clGetProgramInfo(handle, CL_PROGRAM_BINARIES, pointers, null), "clGetProgramInfo(CL_PROGRAM_BINARIES)");
                byte[] bytes = new byte[binary.remaining()];
                binary.get(bytes);
                return bytes;
            } finally {
                MemoryUtil.memFree(binary);
            }
        }
    }

    public ClKernel kernel(String kernelName) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer error = stack.mallocInt(1);
            long kernel = clCreateKernel(handle, kernelName, error);
            ClException.check(error.get(0), "clCreateKernel(" + kernelName + " in " + name + ")");
            ClKernel created = new ClKernel(context, kernelName, kernel);
            synchronized (this) {
                kernels.add(created);
            }
            return created;
        }
    }

    @Override
    public synchronized void close() {
        if (!released) {
            released = true;
            kernels.forEach(ClKernel::close);
            clReleaseProgram(handle);
            context.released(this);
        }
    }
}
