package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A pass's four small inputs (token ids, positions, KV cache slots, logit rows) as regions of one device buffer,
 * which the kernels read as four buffers, filled from their host copy by one write a pass instead of four: a write
 * costs an enqueue, ~5-10 us of host time on NVIDIA's driver, and a small model's decode token is short.
 *
 * <p>The write does not wait: the queue is in order, so the pass's kernels see the data. The host copy must then stay
 * untouched until the device has read it, so the next write first waits for the queue unless the caller said it
 * drained ({@link #drained}: a blocking read of the logits, or a finish).
 */
final class PassInputs implements AutoCloseable {

    private final ClContext cl;
    private final ClBuffer buffer;
    private final ClBuffer tokenIds;
    private final ClBuffer positions;
    private final ClBuffer slots;
    private final ClBuffer logitRows;
    /** Bytes from one region to the next: maxBatch ints, rounded up to the device's region alignment. */
    private final long region;
    private final MemorySegment host;
    /** Whether a write may still be reading the host copy. */
    private boolean pending;

    /** Buffers on {@code cl} for passes of up to {@code maxBatch} tokens; the host copy from {@code hostArena}. */
    PassInputs(ClContext cl, int maxBatch, Arena hostArena) {
        this.cl = cl;
        long bytes = 4L * maxBatch;
        this.region = MatrixProducts.roundUp(bytes, cl.regionAlignment());
        this.buffer = cl.allocate("pass inputs", 4 * region);
        try {
            this.tokenIds = cl.region(buffer, "token ids", 0, bytes);
            this.positions = cl.region(buffer, "positions", region, bytes);
            this.slots = cl.region(buffer, "slots", 2 * region, bytes);
            this.logitRows = cl.region(buffer, "logit rows", 3 * region, bytes);
        } catch (RuntimeException e) {
            buffer.close();
            throw e;
        }
        this.host = hostArena.allocate(4 * region, 4);
    }

    ClBuffer tokenIds() {
        return tokenIds;
    }

    ClBuffer positions() {
        return positions;
    }

    ClBuffer slots() {
        return slots;
    }

    ClBuffer logitRows() {
        return logitRows;
    }

    /**
     * Writes tokens, positions and slots {@code [start, start + n)} of the given arrays and the first {@code rowCount}
     * logit rows, in one write, without waiting for it.
     */
    void write(int[] tokens, int[] positions, int[] slots, int start, int n, int[] rows, int rowCount) {
        if (pending) {
            // an earlier write may still be copying from the host copy about to change
            cl.finish();
        }
        place(tokens, start, n, 0);
        place(positions, start, n, 1);
        place(slots, start, n, 2);
        place(rows, 0, rowCount, 3);
        // the last region only as far as its rows (at least one int: a write of nothing is an error)
        cl.writeAsync(buffer, 0, host.asSlice(0, 3 * region + 4L * Math.max(1, rowCount)));
        pending = true;
    }

    /** The queue has run everything enqueued so far: the host copy is free again. */
    void drained() {
        pending = false;
    }

    private void place(int[] values, int start, int n, int index) {
        MemorySegment.copy(values, start, host, ValueLayout.JAVA_INT, index * region, n);
    }

    /** Waits for a write still reading the host copy (which its arena's owner frees), then releases the regions and the buffer. */
    @Override
    public void close() {
        try {
            if (pending) {
                cl.finish();
            }
        } finally {
            logitRows.close();
            slots.close();
            positions.close();
            tokenIds.close();
            buffer.close();
        }
    }
}
