package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.PinnedMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jspecify.annotations.Nullable;

/**
 * Logits on their way from the device to the caller's array, up to {@link #ROWS_PER_READ} rows a read, more in turns:
 * through pinned host memory, because a read into pageable memory goes through the driver's own staging copy
 * (NVIDIA), or through ordinary memory where the driver refuses pinned memory.
 */
final class LogitReadback implements AutoCloseable {

    static final int ROWS_PER_READ = 16;

    private final ClContext cl;
    private final ClBuffer logits;
    private final int vocabulary;
    private final Arena arena = Arena.ofShared();
    private final @Nullable PinnedMemory pinned;
    private final MemorySegment host;

    /** For the rows of {@code logits} ({@code vocabulary} floats each) of passes of up to {@code maxRows} rows. */
    LogitReadback(ClContext cl, ClBuffer logits, int vocabulary, int maxRows) {
        this.cl = cl;
        this.logits = logits;
        this.vocabulary = vocabulary;
        long bytes = 4L * Math.min(maxRows, ROWS_PER_READ) * vocabulary;
        pinned = cl.allocatePinnedOrNull("logits on the host", bytes);
        host = pinned != null ? pinned.segment() : arena.allocate(bytes, 4);
    }

    /** Copies the pass's first {@code count} logit rows to their places {@code resultIndex[i]} of {@code result}. */
    void read(int count, int[] resultIndex, float[] result) {
        int perRead = (int) (host.byteSize() / (4L * vocabulary));
        for (int first = 0; first < count; first += perRead) {
            int rows = Math.min(perRead, count - first);
            MemorySegment part = host.asSlice(0, 4L * rows * vocabulary);
            cl.read(logits, 4L * first * vocabulary, part);
            for (int i = 0; i < rows; i++) {
                MemorySegment.copy(part, ValueLayout.JAVA_FLOAT, 4L * i * vocabulary, result,
                        resultIndex[first + i] * vocabulary, vocabulary);
            }
        }
    }

    @Override
    public void close() {
        if (pinned != null) {
            pinned.close();
        }
        arena.close();
    }
}
