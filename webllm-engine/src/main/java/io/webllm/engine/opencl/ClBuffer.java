package io.webllm.engine.opencl;

import static org.lwjgl.opencl.CL10.clReleaseMemObject;

/**
 * A device buffer, or a region of one ({@link ClContext#region}); released by {@link #close()} or, at the latest,
 * with its context.
 */
public final class ClBuffer implements AutoCloseable {

    private final ClContext context;
    private final String name;
    private final long handle;
    private final long size;
    private final long serial;
    private final boolean region;
    private boolean released;

    ClBuffer(ClContext context, String name, long handle, long size, long serial, boolean region) {
        this.context = context;
        this.name = name;
        this.handle = handle;
        this.size = size;
        this.serial = serial;
        this.region = region;
    }

    /** Device memory this buffer holds of its own: none for a region of another buffer. */
    long heldBytes() {
        return region ? 0 : size;
    }

    long serial() {
        return serial;
    }

    public String name() {
        return name;
    }

    public long size() {
        return size;
    }

    long handle() {
        if (released) {
            throw new IllegalStateException("buffer " + name + " was released");
        }
        return handle;
    }

    void checkRange(long offset, long bytes) {
        if (offset < 0 || bytes < 0 || offset + bytes > size) {
            throw new IndexOutOfBoundsException("%d bytes at offset %d do not fit buffer %s of %d bytes"
                    .formatted(bytes, offset, name, size));
        }
    }

    @Override
    public synchronized void close() {
        if (!released) {
            released = true;
            clReleaseMemObject(handle);
            context.released(this);
        }
    }
}
