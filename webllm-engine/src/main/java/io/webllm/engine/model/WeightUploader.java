package io.webllm.engine.model;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.gguf.GgufFormatException;
import io.webllm.engine.gguf.GgufTensorInfo;
import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClContext;
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

    WeightUploader(GgufFile file, ClContext context, LoadListener listener) {
        this.file = file;
        this.context = context;
        this.listener = listener;
        this.totalBytes = file.tensors().values().stream().mapToLong(GgufTensorInfo::byteSize).sum();
    }

    /** A matrix (or the embedding table) kept in its file encoding. */
    DeviceTensor matrix(String name) {
        GgufTensorInfo info = file.tensor(name);
        MemorySegment data = file.tensorData(info);
        ClBuffer buffer = context.allocate(name, data.byteSize());
        for (long offset = 0; offset < data.byteSize(); offset += CHUNK) {
            long size = Math.min(CHUNK, data.byteSize() - offset);
            context.write(buffer, offset, data.asSlice(offset, size));
            advance(size);
        }
        int rows = Math.toIntExact(info.rowCount());
        return new DeviceTensor(name, info.type(), buffer, Math.toIntExact(info.rowLength()), rows, data.byteSize() / rows);
    }

    /** A vector (norm weight, bias, rope factors) converted to f32, which is how the kernels read vectors. */
    ClBuffer vector(String name) {
        GgufTensorInfo info = file.tensor(name);
        MemorySegment data = file.tensorData(info);
        int n = Math.toIntExact(info.elementCount());
        ClBuffer buffer = context.allocate(name, 4L * n);
        if (info.type() == GgmlType.F32) {
            context.write(buffer, 0, data);
        } else {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment floats = arena.allocate(4L * n, 4);
                for (int i = 0; i < n; i++) {
                    short raw = data.getAtIndex(SHORT, i);
                    float value = switch (info.type()) {
                        case F16 -> Float.float16ToFloat(raw);
                        case BF16 -> Float.intBitsToFloat((raw & 0xffff) << 16);
                        default -> throw new GgufFormatException(file.path(),
                                "vector tensor '%s' has type %s; expected F32, F16 or BF16".formatted(name, info.type()));
                    };
                    floats.setAtIndex(FLOAT, i, value);
                }
                context.write(buffer, 0, floats);
            }
        }
        advance(data.byteSize());
        return buffer;
    }

    private void advance(long bytes) {
        doneBytes += bytes;
        listener.progress("upload", doneBytes, totalBytes);
    }
}
