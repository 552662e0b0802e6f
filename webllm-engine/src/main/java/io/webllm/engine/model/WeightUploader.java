package io.webllm.engine.model;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.gguf.GgufFormatException;
import io.webllm.engine.gguf.GgufTensorInfo;
import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.tensor.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Copies tensors from the memory-mapped file to device buffers in chunks, reporting bytes done, so weights never
 * pass through the Java heap and a large model shows steady progress.
 */
final class WeightUploader {

    private static final long CHUNK = 64L << 20;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final GgufFile file;
    private final ClContext context;
    private final LoadListener listener;
    private final long totalBytes;
    private long doneBytes;
    private ClBuffer staging;

    WeightUploader(GgufFile file, ClContext context, LoadListener listener) {
        this.file = file;
        this.context = context;
        this.listener = listener;
        this.totalBytes = file.tensors().values().stream().mapToLong(GgufTensorInfo::byteSize).sum();
    }

    /** A matrix (or the embedding table), in its file encoding or the layout of {@link DeviceTensor#repacked} types. */
    DeviceTensor matrix(String name) {
        GgufTensorInfo info = file.tensor(name);
        MemorySegment data = file.tensorData(info);
        ClBuffer buffer = context.allocate(name, data.byteSize());
        writeMatrix(info.type(), buffer, 0, data.byteSize() / info.type().bytesPerBlock(), data);
        int rows = Math.toIntExact(info.rowCount());
        return new DeviceTensor(name, info.type(), buffer, Math.toIntExact(info.rowLength()), rows, data.byteSize() / rows);
    }

    /**
     * Writes a matrix's file bytes into its buffer starting at block {@code firstBlock} of {@code totalBlocks}: as
     * they are, or for the types of {@link DeviceTensor#repacked} staged and repacked on the device into the layout
     * of quants.cl (block counts are the file's blocks: 32 weights for Q4_0 and Q8_0, 256 for the K-quants).
     */
    private void writeMatrix(GgmlType type, ClBuffer buffer, long firstBlock, long totalBlocks, MemorySegment data) {
        if (!DeviceTensor.repacked(type)) {
            long at = firstBlock * type.bytesPerBlock();
            for (long offset = 0; offset < data.byteSize(); offset += CHUNK) {
                long size = Math.min(CHUNK, data.byteSize() - offset);
                context.write(buffer, at + offset, data.asSlice(offset, size));
                advance(size);
            }
            return;
        }
        long chunk = CHUNK / type.bytesPerBlock() * type.bytesPerBlock();
        if (staging == null) {
            // sized for any type's chunk: whole blocks of each type fit in CHUNK
            staging = context.allocate("weight staging", CHUNK);
        }
        ClKernel repack = context.kernels().kernel("kernel_repack_" + type.name().toLowerCase(java.util.Locale.ROOT));
        for (long offset = 0; offset < data.byteSize(); offset += chunk) {
            long size = Math.min(chunk, data.byteSize() - offset);
            context.write(staging, 0, data.asSlice(offset, size));
            repack.arg(0, staging).arg(1, buffer).arg(2, totalBlocks).arg(3, firstBlock + offset / type.bytesPerBlock())
                    .run(size / type.bytesPerBlock(), 0);
            advance(size);
        }
    }

    /** Releases the staging buffer once every matrix is on the device. */
    void finish() {
        if (staging != null) {
            context.finish();
            staging.close();
            staging = null;
        }
    }

    /**
     * Several matrices of one type and row length stacked into one buffer, rows of the first then the next, so one
     * launch multiplies them all (q, k and v become one projection).
     */
    DeviceTensor stacked(String name, String... parts) {
        GgufTensorInfo first = file.tensor(parts[0]);
        long totalBytes = 0;
        long rows = 0;
        for (String part : parts) {
            GgufTensorInfo info = file.tensor(part);
            if (info.type() != first.type() || info.rowLength() != first.rowLength()) {
                throw new IllegalArgumentException("cannot stack " + part + " (" + info + ") with " + first);
            }
            totalBytes += info.byteSize();
            rows += info.rowCount();
        }
        ClBuffer buffer = context.allocate(name, totalBytes);
        long totalBlocks = totalBytes / first.type().bytesPerBlock();
        long block = 0;
        for (String part : parts) {
            MemorySegment data = file.tensorData(file.tensor(part));
            writeMatrix(first.type(), buffer, block, totalBlocks, data);
            block += data.byteSize() / first.type().bytesPerBlock();
        }
        return new DeviceTensor(name, first.type(), buffer, Math.toIntExact(first.rowLength()), Math.toIntExact(rows), totalBytes / rows);
    }

    /** Vectors concatenated into one f32 buffer (the q, k and v biases of a stacked projection). */
    ClBuffer stackedVector(String name, String... parts) {
        long total = 0;
        for (String part : parts) {
            total += file.tensor(part).elementCount();
        }
        ClBuffer buffer = context.allocate(name, 4 * total);
        long at = 0;
        for (String part : parts) {
            float[] values = floats(part);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment segment = arena.allocate(4L * values.length, 4);
                MemorySegment.copy(values, 0, segment, FLOAT, 0, values.length);
                context.write(buffer, at, segment);
            }
            at += 4L * values.length;
            advance(file.tensor(part).byteSize());
        }
        return buffer;
    }

    /** A vector (norm weight, bias, rope factors) converted to f32, which is how the kernels read vectors. */
    ClBuffer vector(String name) {
        float[] values = floats(name);
        ClBuffer buffer = context.allocate(name, 4L * values.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(4L * values.length, 4);
            MemorySegment.copy(values, 0, segment, FLOAT, 0, values.length);
            context.write(buffer, 0, segment);
        }
        advance(file.tensor(name).byteSize());
        return buffer;
    }

    private float[] floats(String name) {
        GgufTensorInfo info = file.tensor(name);
        MemorySegment data = file.tensorData(info);
        int n = Math.toIntExact(info.elementCount());
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = switch (info.type()) {
                case F32 -> data.getAtIndex(FLOAT, i);
                case F16 -> Float.float16ToFloat(data.getAtIndex(SHORT, i));
                case BF16 -> Float.intBitsToFloat((data.getAtIndex(SHORT, i) & 0xffff) << 16);
                default -> throw new GgufFormatException(file.path(),
                        "vector tensor '%s' has type %s; expected F32, F16 or BF16".formatted(name, info.type()));
            };
        }
        return values;
    }

    private void advance(long bytes) {
        doneBytes += bytes;
        listener.progress("upload", doneBytes, totalBytes);
    }
}
