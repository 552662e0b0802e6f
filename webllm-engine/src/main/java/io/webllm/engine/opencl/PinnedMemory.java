package io.webllm.engine.opencl;

import java.lang.foreign.MemorySegment;

/**
 * Host memory the device copies to and from at the bus's speed: a buffer allocated with CL_MEM_ALLOC_HOST_PTR
 * (page-locked on NVIDIA) and mapped once for as long as it lives. A read into ordinary Java memory goes through the
 * driver's own staging copy instead, which a decode step pays on every logits read (8 MB for 16 streams of a
 * 128k vocabulary). Transfers treat {@link #segment()} as any host memory ({@link ClContext#read}).
 */
public final class PinnedMemory implements AutoCloseable {

    private final ClContext context;
    private final ClBuffer buffer;
    private final MemorySegment segment;
    private boolean closed;

    PinnedMemory(ClContext context, ClBuffer buffer, MemorySegment segment) {
        this.context = context;
        this.buffer = buffer;
        this.segment = segment;
    }

    long serial() {
        return buffer.serial();
    }

    /** The mapped host memory, valid until {@link #close()}. */
    public MemorySegment segment() {
        if (closed) {
            throw new IllegalStateException("pinned memory " + buffer.name() + " was released");
        }
        return segment;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                context.unmap(buffer, segment);
            } finally {
                buffer.close();
                context.released(this);
            }
        }
    }
}
