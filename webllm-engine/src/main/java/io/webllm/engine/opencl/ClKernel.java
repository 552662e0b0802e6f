package io.webllm.engine.opencl;

import static org.lwjgl.opencl.CL10.*;

import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;

/**
 * A kernel with its arguments. Arguments stay set between launches, so callers set the constant ones once and only
 * change what differs per launch.
 */
public final class ClKernel implements AutoCloseable {

    private final ClContext context;
    private final String name;
    private final long handle;
    private boolean released;
    /** The argument values set so far by index (see {@link #copyArgsTo}); null where none was set. */
    private final java.util.List<@org.jspecify.annotations.Nullable Object> values = new java.util.ArrayList<>();

    /** The size of a {@code local} memory argument, as {@link #values} holds it. */
    private record LocalBytes(long bytes) {
    }

    ClKernel(ClContext context, String name, long handle) {
        this.context = context;
        this.name = name;
        this.handle = handle;
    }

    public String name() {
        return name;
    }

    long handle() {
        return handle;
    }

    /** Records a 1-D launch into {@code buffer} with the arguments as they are now (see {@link #run(long, long)}). */
    public void record(ClCommandBuffer buffer, long global, long local) {
        buffer.recordLaunch(this, 1, global, 0, local, 0);
    }

    /** Records a 2-D launch into {@code buffer} with the arguments as they are now. */
    public void record(ClCommandBuffer buffer, long global0, long global1, long local0, long local1) {
        buffer.recordLaunch(this, 2, global0, global1, local0, local1);
    }

    public ClKernel arg(int index, ClBuffer buffer) {
        check(clSetKernelArg1p(handle, index, buffer.handle()), index);
        return remember(index, buffer);
    }

    public ClKernel arg(int index, int value) {
        check(clSetKernelArg1i(handle, index, value), index);
        return remember(index, value);
    }

    public ClKernel arg(int index, long value) {
        check(clSetKernelArg1l(handle, index, value), index);
        return remember(index, value);
    }

    public ClKernel arg(int index, float value) {
        check(clSetKernelArg1f(handle, index, value), index);
        return remember(index, value);
    }

    /** A {@code local} memory argument of {@code bytes} bytes. */
    public ClKernel localArg(int index, long bytes) {
        check(clSetKernelArg(handle, index, bytes), index);
        return remember(index, new LocalBytes(bytes));
    }

    private ClKernel remember(int index, Object value) {
        while (values.size() <= index) {
            values.add(null);
        }
        values.set(index, value);
        return this;
    }

    /**
     * Sets this kernel's arguments on {@code target} from index {@code first} on, in order: a kernel that runs this
     * one's work among others (mul_mv_q8.cl's chained launches) takes its arguments as they were set. Returns how many
     * arguments this kernel declares (CL_KERNEL_NUM_ARGS), where the next kernel's arguments start; the ones never set
     * are left to the caller.
     */
    public int copyArgsTo(ClKernel target, int first) {
        for (int i = 0; i < values.size(); i++) {
            switch (values.get(i)) {
                case null -> { }
                case ClBuffer buffer -> target.arg(first + i, buffer);
                case Integer value -> target.arg(first + i, (int) value);
                case Long value -> target.arg(first + i, (long) value);
                case Float value -> target.arg(first + i, (float) value);
                case LocalBytes local -> target.localArg(first + i, local.bytes());
                default -> throw new IllegalStateException("argument " + i + " of " + name + ": " + values.get(i));
            }
        }
        return declaredArgs();
    }

    /** How many arguments the kernel's source declares. */
    public int declaredArgs() {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            java.nio.IntBuffer count = stack.mallocInt(1);
            ClException.check(clGetKernelInfo(handle, CL_KERNEL_NUM_ARGS, count, null), "clGetKernelInfo(" + name + ", CL_KERNEL_NUM_ARGS)");
            return count.get(0);
        }
    }

    /** Enqueues a 1-D launch of {@code global} work items in groups of {@code local} (0: the driver chooses). */
    public void run(long global, long local) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer globalSize = stack.mallocPointer(1).put(0, global);
            PointerBuffer localSize = local == 0 ? null : stack.mallocPointer(1).put(0, local);
            int error = clEnqueueNDRangeKernel(context.queue(), handle, 1, null, globalSize, localSize, null, null);
            // the message is built only on failure: a decode token makes hundreds of launches
            if (error != 0) {
                ClException.check(error, "clEnqueueNDRangeKernel(" + name + ", global " + global + ", local " + local + ")");
            }
        }
    }

    /** Enqueues a 2-D launch; local sizes of 0 let the driver choose. */
    public void run(long global0, long global1, long local0, long local1) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer globalSize = stack.mallocPointer(2).put(0, global0).put(1, global1);
            PointerBuffer localSize = local0 == 0 ? null : stack.mallocPointer(2).put(0, local0).put(1, local1);
            int error = clEnqueueNDRangeKernel(context.queue(), handle, 2, null, globalSize, localSize, null, null);
            if (error != 0) {
                ClException.check(error, "clEnqueueNDRangeKernel(" + name + ", global " + global0 + "x" + global1 + ")");
            }
        }
    }

    /** A 1-D or 2-D launch ({@code global1} 0 for 1-D) that returns its event for device timing. */
    public long runTimed(long global0, long global1, long local0, long local1) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            int dims = global1 == 0 ? 1 : 2;
            PointerBuffer globalSize = stack.mallocPointer(dims).put(0, global0);
            PointerBuffer localSize = local0 == 0 ? null : stack.mallocPointer(dims).put(0, local0);
            if (dims == 2) {
                globalSize.put(1, global1);
                if (localSize != null) {
                    localSize.put(1, local1);
                }
            }
            PointerBuffer event = stack.mallocPointer(1);
            ClException.check(clEnqueueNDRangeKernel(context.queue(), handle, dims, null, globalSize, localSize, null, event),
                    "clEnqueueNDRangeKernel(" + name + ")");
            return event.get(0);
        }
    }

    private void check(int error, int index) {
        ClException.check(error, "clSetKernelArg(" + name + ", " + index + ")");
    }

    @Override
    public synchronized void close() {
        if (!released) {
            released = true;
            clReleaseKernel(handle);
        }
    }
}
