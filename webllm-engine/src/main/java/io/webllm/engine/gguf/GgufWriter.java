package io.webllm.engine.gguf;

import io.webllm.engine.tensor.GgmlType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * Writes GGUF v3 files that llama.cpp reads: metadata, then the tensor directory, then the aligned tensor data.
 *
 * <p>Tensor contents are produced on demand, one tensor at a time, so an 8B-shaped synthetic model never needs more
 * memory than its largest tensor. The file appears under its final name only once complete.
 */
public final class GgufWriter {

    /** Fills {@code target} (exactly the tensor's byte size) with a tensor's data. */
    @FunctionalInterface
    public interface TensorContent {
        void fill(MemorySegment target);
    }

    private record PendingTensor(String name, GgmlType type, long[] dims, TensorContent content) {
        long byteSize() {
            long elements = 1;
            for (long dim : dims) {
                elements = Math.multiplyExact(elements, dim);
            }
            return type.byteSize(elements);
        }
    }

    private static final int ALIGNMENT = 32;

    private final SequencedMap<String, GgufMetadata.Entry> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();

    public GgufWriter put(String key, GgufValueType type, Object value) {
        if (type == GgufValueType.ARRAY) {
            throw new IllegalArgumentException("use putArray for arrays");
        }
        metadata.put(key, new GgufMetadata.Entry(key, type, null, value));
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(key, GgufValueType.STRING, value);
    }

    public GgufWriter putUInt32(String key, long value) {
        return put(key, GgufValueType.UINT32, value);
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValueType.FLOAT32, value);
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, value);
    }

    /** An array whose Java value follows {@link GgufMetadata}'s conventions ({@code int[]}, {@code String[]}, ...). */
    public GgufWriter putArray(String key, GgufValueType elementType, Object values) {
        metadata.put(key, new GgufMetadata.Entry(key, GgufValueType.ARRAY, elementType, values));
        return this;
    }

    /** Copies an entry read from another file with its original type. */
    public GgufWriter copy(GgufMetadata.Entry entry) {
        metadata.put(entry.key(), entry);
        return this;
    }

    public GgufWriter addTensor(String name, GgmlType type, long[] dims, TensorContent content) {
        tensors.add(new PendingTensor(name, type, dims.clone(), content));
        return this;
    }

    public void write(Path target) {
        Path partial = target.resolveSibling(target.getFileName() + ".part");
        try {
            writeTo(partial);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write GGUF file " + target, e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // the write already failed or succeeded; a leftover .part file is harmless
            }
        }
    }

    private void writeTo(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            Output out = new Output(channel);
            out.u32(0x46554747);
            out.u32(3);
            out.u64(tensors.size());
            out.u64(metadata.size());
            for (GgufMetadata.Entry entry : metadata.values()) {
                out.string(entry.key());
                out.u32(entry.type().id());
                if (entry.type() == GgufValueType.ARRAY) {
                    out.array(entry.elementType(), entry.value());
                } else {
                    out.scalar(entry.type(), entry.value());
                }
            }
            long offset = 0;
            for (PendingTensor tensor : tensors) {
                out.string(tensor.name());
                out.u32(tensor.dims().length);
                for (long dim : tensor.dims()) {
                    out.u64(dim);
                }
                out.u32(tensor.type().id());
                out.u64(offset);
                offset = align(offset + tensor.byteSize());
            }
            out.padTo(ALIGNMENT);
            out.flush();
            for (PendingTensor tensor : tensors) {
                long size = tensor.byteSize();
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment data = arena.allocate(Math.max(size, 1), 64);
                    tensor.content().fill(data.asSlice(0, size));
                    ByteBuffer buffer = data.asSlice(0, size).asByteBuffer();
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                }
                int padding = (int) (align(size) - size);
                channel.write(ByteBuffer.allocate(padding));
            }
        }
    }

    private static long align(long value) {
        return (value + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** Buffered little-endian output of the header part. */
    private static final class Output {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        private long written;

        Output(FileChannel channel) {
            this.channel = channel;
        }

        private void ensure(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                flush();
            }
        }

        void flush() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }

        void u8(int value) throws IOException {
            ensure(1);
            buffer.put((byte) value);
            written += 1;
        }

        void u16(int value) throws IOException {
            ensure(2);
            buffer.putShort((short) value);
            written += 2;
        }

        void u32(long value) throws IOException {
            ensure(4);
            buffer.putInt((int) value);
            written += 4;
        }

        void u64(long value) throws IOException {
            ensure(8);
            buffer.putLong(value);
            written += 8;
        }

        void f32(float value) throws IOException {
            ensure(4);
            buffer.putFloat(value);
            written += 4;
        }

        void f64(double value) throws IOException {
            ensure(8);
            buffer.putDouble(value);
            written += 8;
        }

        void string(String value) throws IOException {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            u64(bytes.length);
            int at = 0;
            while (at < bytes.length) {
                ensure(1);
                int n = Math.min(buffer.remaining(), bytes.length - at);
                buffer.put(bytes, at, n);
                at += n;
            }
            written += bytes.length;
        }

        void padTo(int alignment) throws IOException {
            while (written % alignment != 0) {
                u8(0);
            }
        }

        void scalar(GgufValueType type, Object value) throws IOException {
            switch (type) {
                case UINT8, INT8 -> u8(((Number) value).intValue());
                case UINT16, INT16 -> u16(((Number) value).intValue());
                case UINT32, INT32 -> u32(((Number) value).longValue());
                case UINT64, INT64 -> u64(((Number) value).longValue());
                case FLOAT32 -> f32(((Number) value).floatValue());
                case FLOAT64 -> f64(((Number) value).doubleValue());
                case BOOL -> u8((Boolean) value ? 1 : 0);
                case STRING -> string((String) value);
                case ARRAY -> throw new IllegalArgumentException("nested arrays are written by array()");
            }
        }

        void array(GgufValueType elementType, Object values) throws IOException {
            u32(elementType.id());
            switch (values) {
                case int[] ints -> {
                    u64(ints.length);
                    for (int v : ints) {
                        scalar(elementType, v);
                    }
                }
                case long[] longs -> {
                    u64(longs.length);
                    for (long v : longs) {
                        scalar(elementType, v);
                    }
                }
                case float[] floats -> {
                    u64(floats.length);
                    for (float v : floats) {
                        scalar(elementType, v);
                    }
                }
                case double[] doubles -> {
                    u64(doubles.length);
                    for (double v : doubles) {
                        scalar(elementType, v);
                    }
                }
                case boolean[] booleans -> {
                    u64(booleans.length);
                    for (boolean v : booleans) {
                        scalar(elementType, v);
                    }
                }
                case String[] strings -> {
                    u64(strings.length);
                    for (String v : strings) {
                        string(v);
                    }
                }
                case Object[] nested -> {
                    u64(nested.length);
                    for (Object inner : nested) {
                        array(innerType(inner), inner);
                    }
                }
                default -> throw new IllegalArgumentException("unsupported array value " + values.getClass());
            }
        }

        private static GgufValueType innerType(Object inner) {
            return switch (inner) {
                case int[] ignored -> GgufValueType.INT32;
                case long[] ignored -> GgufValueType.INT64;
                case float[] ignored -> GgufValueType.FLOAT32;
                case double[] ignored -> GgufValueType.FLOAT64;
                case boolean[] ignored -> GgufValueType.BOOL;
                case String[] ignored -> GgufValueType.STRING;
                default -> GgufValueType.ARRAY;
            };
        }
    }
}
