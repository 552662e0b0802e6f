package io.webllm.engine.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.lang.foreign.MemorySegment;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;

/**
 * An OpenCL context and one in-order command queue on one device. It owns every buffer, program and kernel made
 * through it: {@link #close()} releases whatever is still alive, so a failed load never leaks device memory.
 */
public final class ClContext implements AutoCloseable {

    private final ClDevice device;
    private final long context;
    private final long queue;
    private final Set<AutoCloseable> owned = Collections.newSetFromMap(new IdentityHashMap<>());
    private long nextSerial;
    private long allocatedBytes;
    private long regionAlignment;
    private boolean closed;
    private KernelLibrary kernels;

    private final boolean profiling;

    private ClContext(ClDevice device, long context, long queue, boolean profiling) {
        this.device = device;
        this.context = context;
        this.queue = queue;
        this.profiling = profiling;
    }

    /** Whether kernels can be timed on the device ({@link ClKernel#runTimed}). */
    public boolean profiling() {
        return profiling;
    }

    /** Device seconds between the start and end of a timed launch; releases the event. Call after it finished. */
    public double eventSeconds(long event) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            java.nio.LongBuffer start = stack.mallocLong(1);
            java.nio.LongBuffer end = stack.mallocLong(1);
            ClException.check(clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_START, start, null), "clGetEventProfilingInfo");
            ClException.check(clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_END, end, null), "clGetEventProfilingInfo");
            return (end.get(0) - start.get(0)) / 1e9;
        } finally {
            clReleaseEvent(event);
        }
    }

    /** A context on {@code device} whose queue times kernels on the device if {@code -Dwebllm.opencl.profile=true}. */
    public static ClContext create(ClDevice device) {
        return create(device, Boolean.getBoolean("webllm.opencl.profile"));
    }

    /**
     * A context on {@code device}; with {@code profiling} its queue times each kernel on the device (bench --profile),
     * which costs a launch-bound decode host time of its own (the 0.5B decode 17% on an H100).
     */
    public static ClContext create(ClDevice device, boolean profiling) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer error = stack.mallocInt(1);
            PointerBuffer properties = stack.mallocPointer(3)
                    .put(CL_CONTEXT_PLATFORM).put(device.platformHandle()).put(0).flip();
            long context = clCreateContext(properties, device.deviceHandle(), null, 0, error);
            ClException.check(error.get(0), "clCreateContext on " + device.describe());
            long queueProperties = profiling ? CL_QUEUE_PROFILING_ENABLE : 0;
            long queue = clCreateCommandQueue(context, device.deviceHandle(), queueProperties, error);
            if (error.get(0) != 0) {
                clReleaseContext(context);
                ClException.check(error.get(0), "clCreateCommandQueue on " + device.describe());
            }
            return new ClContext(device, context, queue, queueProperties != 0);
        }
    }

    /** Opens the device {@code selector} picks among all platforms' devices. */
    public static ClContext open(DeviceSelector selector) {
        return create(selector.choose(ClPlatforms.devices()));
    }

    /** Opens the device {@code selector} picks, with or without a profiling queue whatever the system property says. */
    public static ClContext open(DeviceSelector selector, boolean profiling) {
        return create(selector.choose(ClPlatforms.devices()), profiling);
    }

    public ClDevice device() {
        return device;
    }

    long handle() {
        return context;
    }

    long queue() {
        return queue;
    }

    /** The properties the queue was created with (profiling or none). */
    long queueProperties() {
        return profiling ? CL_QUEUE_PROFILING_ENABLE : 0;
    }

    /** Device memory currently held by buffers of this context. */
    public synchronized long allocatedBytes() {
        return allocatedBytes;
    }

    /** The engine's kernels, built on first use and shared by every model on this context. */
    public synchronized KernelLibrary kernels() {
        checkOpen();
        if (kernels == null) {
            kernels = new KernelLibrary(this);
        }
        return kernels;
    }

    public ClBuffer allocate(String name, long bytes) {
        return allocate(name, bytes, CL_MEM_READ_WRITE);
    }

    /**
     * {@code bytes} of host memory the device reads and writes at the bus's speed (see {@link PinnedMemory}); counted
     * with the device buffers, as the driver may mirror it there.
     */
    public PinnedMemory allocatePinned(String name, long bytes) {
        ClBuffer buffer = allocate(name, bytes, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR);
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer error = stack.mallocInt(1);
            long address = nclEnqueueMapBuffer(queue, buffer.handle(), 1, CL_MAP_READ | CL_MAP_WRITE, 0, buffer.size(), 0, 0, 0,
                    org.lwjgl.system.MemoryUtil.memAddress(error));
            if (error.get(0) != 0) {
                buffer.close();
                throw new ClException("clEnqueueMapBuffer", error.get(0), "mapping " + name + " (" + bytes + " bytes of pinned host memory)");
            }
            if (address == 0) {
                buffer.close();
                throw new ClException("clEnqueueMapBuffer reported success but returned no address for " + name + " ("
                        + bytes + " bytes of pinned host memory) on " + device.describe());
            }
            PinnedMemory pinned = new PinnedMemory(this, buffer, MemorySegment.ofAddress(address).reinterpret(bytes));
            synchronized (this) {
                owned.add(pinned); // so that releaseSince and close unmap it before its buffer goes
            }
            return pinned;
        }
    }

    /**
     * As {@link #allocatePinned}, or null (logged) where the driver cannot give pinned memory: the caller then reads
     * through ordinary memory, which is slower, not wrong.
     */
    public @Nullable PinnedMemory allocatePinnedOrNull(String name, long bytes) {
        try {
            return allocatePinned(name, bytes);
        } catch (ClException e) {
            System.getLogger(ClContext.class.getName()).log(System.Logger.Level.WARNING,
                    "no pinned host memory for {0}; reading through ordinary memory: {1}", name, e.getMessage());
            return null;
        }
    }

    /**
     * {@code bytes} of {@code parent} from {@code offset} as a buffer of its own (clCreateSubBuffer): kernels take it
     * as any buffer, and one write to the parent fills several regions at once (a decode step's small inputs: one
     * enqueue instead of four). {@code offset} must be a multiple of {@link #regionAlignment}. Holds no memory of its
     * own; released with the context or by {@link #releaseSince} like a buffer.
     */
    public ClBuffer region(ClBuffer parent, String name, long offset, long bytes) {
        checkOpen();
        parent.checkRange(offset, bytes);
        if (offset % regionAlignment() != 0) {
            throw new IllegalArgumentException("region %s at offset %d of %s: offsets must be multiples of %d bytes on %s"
                    .formatted(name, offset, parent.name(), regionAlignment(), device.name()));
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer error = stack.mallocInt(1);
            org.lwjgl.opencl.CLBufferRegion region = org.lwjgl.opencl.CLBufferRegion.malloc(stack).origin(offset).size(bytes);
            long handle = org.lwjgl.opencl.CL11.nclCreateSubBuffer(parent.handle(), CL_MEM_READ_WRITE,
                    org.lwjgl.opencl.CL11.CL_BUFFER_CREATE_TYPE_REGION, region.address(), org.lwjgl.system.MemoryUtil.memAddress(error));
            ClException.check(error.get(0), "clCreateSubBuffer(" + name + ": " + bytes + " bytes at " + offset + " of " + parent.name() + ")");
            ClBuffer buffer;
            synchronized (this) {
                buffer = new ClBuffer(this, name, handle, bytes, nextSerial++, true);
                owned.add(buffer);
            }
            return buffer;
        }
    }

    /** The alignment, in bytes, of a {@link #region}'s offset on this device (CL_DEVICE_MEM_BASE_ADDR_ALIGN). */
    public synchronized long regionAlignment() {
        if (regionAlignment == 0) {
            try (MemoryStack stack = MemoryStack.stackPush()) {
                IntBuffer bits = stack.mallocInt(1);
                ClException.check(clGetDeviceInfo(device.deviceHandle(), CL_DEVICE_MEM_BASE_ADDR_ALIGN, bits, null),
                        "clGetDeviceInfo(CL_DEVICE_MEM_BASE_ADDR_ALIGN)");
                regionAlignment = Math.max(1, bits.get(0) / 8);
            }
        }
        return regionAlignment;
    }

    /** Unmaps a {@link PinnedMemory}'s buffer and waits for it, before the buffer's release. */
    void unmap(ClBuffer buffer, MemorySegment mapped) {
        if (!closed) {
            ClException.check(nclEnqueueUnmapMemObject(queue, buffer.handle(), mapped.address(), 0, 0, 0), "clEnqueueUnmapMemObject");
            clFinish(queue);
        }
    }

    private ClBuffer allocate(String name, long bytes, long flags) {
        checkOpen();
        if (bytes > device.maxAllocationBytes()) {
            throw new ClException("clCreateBuffer: %s needs %d bytes but %s allows at most %d bytes in one buffer"
                    .formatted(name, bytes, device.name(), device.maxAllocationBytes()));
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer error = stack.mallocInt(1);
            long handle = clCreateBuffer(context, flags, Math.max(bytes, 4), error);
            if (error.get(0) != 0) {
                throw new ClException("clCreateBuffer", error.get(0), "allocating %s (%d bytes; %d bytes already held by this model on %s)"
                        .formatted(name, bytes, allocatedBytes, device.describe()));
            }
            ClBuffer buffer;
            synchronized (this) {
                buffer = new ClBuffer(this, name, handle, bytes, nextSerial++, false);
                owned.add(buffer);
                allocatedBytes += bytes;
            }
            return buffer;
        }
    }

    public ClProgram build(String name, String source, String options) {
        checkOpen();
        ClProgram program = ClProgram.build(this, name, source, options);
        synchronized (this) {
            owned.add(program);
        }
        return program;
    }

    /** A mark to pass to {@link #releaseSince} to undo every allocation made after this call. */
    public synchronized long allocationMark() {
        return nextSerial;
    }

    /** Releases the buffers allocated since {@code mark}: a failed load leaves the device as it found it. */
    public void releaseSince(long mark) {
        List<PinnedMemory> toUnmap = new ArrayList<>();
        List<ClBuffer> toRelease = new ArrayList<>();
        synchronized (this) {
            for (AutoCloseable resource : owned) {
                if (resource instanceof PinnedMemory pinned && pinned.serial() >= mark) {
                    toUnmap.add(pinned);
                } else if (resource instanceof ClBuffer buffer && buffer.serial() >= mark) {
                    toRelease.add(buffer);
                }
            }
        }
        toUnmap.forEach(PinnedMemory::close);
        toRelease.forEach(ClBuffer::close);
    }

    synchronized void released(ClBuffer buffer) {
        if (owned.remove(buffer)) {
            allocatedBytes -= buffer.heldBytes();
        }
    }

    synchronized void released(ClProgram program) {
        owned.remove(program);
    }

    synchronized void released(PinnedMemory pinned) {
        owned.remove(pinned);
    }

    /** Waits until every enqueued command finished; errors of asynchronous kernels surface here. */
    public void finish() {
        ClException.check(clFinish(queue), "clFinish");
    }

    public void flush() {
        ClException.check(clFlush(queue), "clFlush");
    }

    /** Copies host memory (for example a slice of a memory-mapped model file) into a buffer; blocking. */
    public void write(ClBuffer buffer, long offset, MemorySegment source) {
        checkOpen();
        buffer.checkRange(offset, source.byteSize());
        int error = nclEnqueueWriteBuffer(queue, buffer.handle(), 1, offset, source.byteSize(), source.address(), 0, 0, 0);
        ClException.check(error, "clEnqueueWriteBuffer(" + buffer.name() + ")");
    }

    /** Copies host memory into a buffer without waiting; {@code source} must stay valid until the next finish. */
    public void writeAsync(ClBuffer buffer, long offset, MemorySegment source) {
        checkOpen();
        buffer.checkRange(offset, source.byteSize());
        int error = nclEnqueueWriteBuffer(queue, buffer.handle(), 0, offset, source.byteSize(), source.address(), 0, 0, 0);
        ClException.check(error, "clEnqueueWriteBuffer(" + buffer.name() + ")");
    }

    /** Copies a buffer's bytes into host memory; blocking, so it also waits for the kernels before it. */
    public void read(ClBuffer buffer, long offset, MemorySegment target) {
        checkOpen();
        buffer.checkRange(offset, target.byteSize());
        int error = nclEnqueueReadBuffer(queue, buffer.handle(), 1, offset, target.byteSize(), target.address(), 0, 0, 0);
        ClException.check(error, "clEnqueueReadBuffer(" + buffer.name() + ")");
    }

    /**
     * Copies a buffer's bytes into host memory once the commands before it have run, without waiting: returns the
     * event that {@link #await} waits on. {@code target} must stay valid until then (or until a {@link #finish}).
     */
    public long readAsync(ClBuffer buffer, long offset, MemorySegment target) {
        checkOpen();
        buffer.checkRange(offset, target.byteSize());
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer event = stack.mallocPointer(1);
            int error = nclEnqueueReadBuffer(queue, buffer.handle(), 0, offset, target.byteSize(), target.address(), 0, 0,
                    event.address());
            ClException.check(error, "clEnqueueReadBuffer(" + buffer.name() + ")");
            return event.get(0);
        }
    }

    /** Waits for an event of {@link #readAsync} and releases it; an error of the commands before it surfaces here. */
    public void await(long event) {
        try {
            ClException.check(clWaitForEvents(event), "clWaitForEvents");
        } finally {
            clReleaseEvent(event);
        }
    }

    /** Releases an event of {@link #readAsync} that will not be waited on. */
    public void release(long event) {
        clReleaseEvent(event);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the OpenCL context on " + device.name() + " is closed");
        }
    }

    @Override
    public void close() {
        List<AutoCloseable> remaining;
        synchronized (this) {
            if (closed) {
                return;
            }
            remaining = new ArrayList<>(owned);
        }
        // pinned memory first: it unmaps through its buffer, which must still be alive
        remaining.sort(java.util.Comparator.comparingInt(resource -> resource instanceof PinnedMemory ? 0 : 1));
        clFinish(queue);
        for (AutoCloseable resource : remaining) {
            try {
                resource.close();
            } catch (Exception ignored) {
                // keep releasing the rest: one failure must not leak the others
            }
        }
        synchronized (this) {
            closed = true;
        }
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
