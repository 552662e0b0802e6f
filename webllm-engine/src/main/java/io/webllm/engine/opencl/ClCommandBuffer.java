package io.webllm.engine.opencl;

import static org.lwjgl.opencl.KHRCommandBuffer.*;

import java.nio.IntBuffer;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;

/**
 * A recorded sequence of kernel launches that one call replays (cl_khr_command_buffer). A decode step makes a
 * few hundred launches; NVIDIA's driver takes ~10 us of host time to enqueue each, which for a small model is most
 * of the step (Qwen2.5-0.5B: 2.1 ms of enqueueing in a 2.7 ms token on an H200). Replaying a recorded step costs
 * one enqueue.
 *
 * <p>Kernel arguments are captured when a launch is recorded: a buffer replays the arguments of its recording, so
 * callers record one per distinct set of changing arguments. Each launch waits for the one recorded before it, as
 * on the in-order queue.
 */
public final class ClCommandBuffer implements AutoCloseable {

    private final long handle;
    private final IntBuffer syncPoint;
    private final IntBuffer lastSyncPoint;
    private boolean recorded;
    private boolean finalized;
    private boolean released;

    private ClCommandBuffer(long handle) {
        this.handle = handle;
        this.syncPoint = org.lwjgl.BufferUtils.createIntBuffer(1);
        this.lastSyncPoint = org.lwjgl.BufferUtils.createIntBuffer(1);
    }

    /**
     * Whether to record passes: always, never, or on GPUs. PoCL offers the extension but replays a buffer launch by
     * launch, no faster than enqueueing them (decode on this 2-core machine 21-23 tok/s either way). The default
     * ({@link #configured}) is OFF until recorded passes have been checked and timed on NVIDIA's driver
     * (RecordedPassTests and scripts/device-report.sh): driver 580.159.04 does not offer the extension at all
     * ({@code devices --json} on an H100, session 7), so NVIDIA GPUs launch one by one.
     */
    public enum Use {
        ON, OFF, AUTO;

        /** {@code -Dwebllm.commandBuffers=true|false|auto}, OFF when unset. */
        public static Use configured() {
            String setting = System.getProperty("webllm.commandBuffers", "false").trim();
            return switch (setting) {
                case "true" -> ON;
                case "false" -> OFF;
                case "auto" -> AUTO;
                default -> throw new IllegalArgumentException("-Dwebllm.commandBuffers must be true, false or auto, got '" + setting + "'");
            };
        }
    }

    /**
     * Whether passes on {@code context} are recorded under {@code use}: wanted there, and the device records command
     * buffers on the context's queue (the extension is offered, the queue has the properties it requires and none
     * it cannot take).
     */
    public static boolean supported(ClContext context, Use use) {
        ClDevice device = context.device();
        boolean wanted = switch (use) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> device.type() == ClDevice.Type.GPU;
        };
        if (!wanted) {
            return false;
        }
        return refusal(context) == null;
    }

    /** Null where the device records command buffers on the context's queue, else why not. */
    public static @org.jspecify.annotations.Nullable String refusal(ClContext context) {
        return CommandBufferSupport.of(context.device()).refusal(context.queueProperties());
    }

    /** A new, empty command buffer on the context's queue; check {@link #supported} first. */
    public static ClCommandBuffer create(ClContext context) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer error = stack.mallocInt(1);
            long handle = clCreateCommandBufferKHR(stack.pointers(context.queue()), null, error);
            ClException.check(error.get(0), "clCreateCommandBufferKHR");
            return new ClCommandBuffer(handle);
        }
    }

    /** Records a launch of {@code kernel} with its arguments as they are now, after every launch recorded before. */
    void recordLaunch(ClKernel kernel, int dimensions, long global0, long global1, long local0, long local1) {
        if (finalized) {
            throw new IllegalStateException("command buffer already finalized");
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer global = stack.mallocPointer(dimensions).put(0, global0);
            PointerBuffer local = local0 == 0 ? null : stack.mallocPointer(dimensions).put(0, local0);
            if (dimensions == 2) {
                global.put(1, global1);
                if (local != null) {
                    local.put(1, local1);
                }
            }
            IntBuffer waitFor = recorded ? lastSyncPoint : null;
            int error = clCommandNDRangeKernelKHR(handle, 0, null, kernel.handle(), dimensions, null, global, local,
                    waitFor, syncPoint, null);
            if (error != 0) {
                ClException.check(error, "clCommandNDRangeKernelKHR(" + kernel.name() + ")");
            }
            lastSyncPoint.put(0, syncPoint.get(0));
            recorded = true;
        }
    }

    /** Ends recording: the buffer can be enqueued from now on, and recorded to no more. */
    public void finish() {
        ClException.check(clFinalizeCommandBufferKHR(handle), "clFinalizeCommandBufferKHR");
        finalized = true;
    }

    /** Enqueues the recorded launches on the context's queue, after whatever is queued already. */
    public void enqueue() {
        if (!finalized) {
            throw new IllegalStateException("command buffer not finalized");
        }
        ClException.check(clEnqueueCommandBufferKHR(null, handle, null, null), "clEnqueueCommandBufferKHR");
    }

    @Override
    public void close() {
        if (!released) {
            released = true;
            clReleaseCommandBufferKHR(handle);
        }
    }
}
