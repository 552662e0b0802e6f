package io.webllm.engine.gguf;

import io.webllm.engine.tensor.GgmlType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/**
 * A GGUF file (v2 or v3) memory-mapped in whole through the FFM API.
 *
 * <p>Mapping instead of reading keeps weights off the Java heap and makes files larger than 2 GiB and larger than the
 * heap cost nothing to open: tensor data is only paged in when it is copied to the device. The file stays mapped
 * until {@link #close()}.
 */
public final class GgufFile implements AutoCloseable {

    /** "GGUF" read as a little-endian uint32. */
    private static final int MAGIC = 0x46554747;
    private static final int DEFAULT_ALIGNMENT = 32;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final GgufMetadata metadata;
    private final SequencedMap<String, GgufTensorInfo> tensors;
    private final long dataOffset;
    private final int alignment;

    private GgufFile(Path path, Arena arena, MemorySegment mapping) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        GgufCursor cursor = new GgufCursor(path, mapping);
        cursor.context("the magic number");
        int magic = cursor.i32();
        if (magic != MAGIC) {
            throw new GgufFormatException(path, "not a GGUF file: expected magic 'GGUF' but found %s"
                    .formatted(describeMagic(magic)));
        }
        cursor.context("the version");
        version = cursor.i32();
        if (version == 1) {
            throw new GgufFormatException(path, "GGUF version 1 is not supported (expected version 2 or 3); convert the model again with a current llama.cpp");
        }
        if (version < 1 || version > 3) {
            throw new GgufFormatException(path, "unsupported GGUF version %d (expected 2 or 3)".formatted(version));
        }
        cursor.context("the tensor count");
        long tensorCount = cursor.count("tensor", 4 + 8 + 4 + 4 + 8);
        cursor.context("the metadata count");
        long kvCount = cursor.count("metadata entry", 8 + 4);
        metadata = new GgufMetadata(path, GgufMetadataReader.read(path, cursor, kvCount));
        alignment = metadata.findInt("general.alignment").orElse(DEFAULT_ALIGNMENT);
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new GgufFormatException(path, "general.alignment must be a power of two but is " + alignment);
        }
        SequencedMap<String, GgufTensorInfo> directory = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            GgufTensorInfo info = readTensorInfo(cursor, i);
            if (directory.put(info.name(), info) != null) {
                throw new GgufFormatException(path, "tensor '%s' appears twice in the tensor directory".formatted(info.name()));
            }
        }
        tensors = Collections.unmodifiableSequencedMap(directory);
        cursor.context("padding before tensor data");
        if (tensorCount > 0) {
            cursor.align(alignment);
        }
        dataOffset = cursor.position();
        checkTensorBounds();
    }

    /** Maps {@code path} and reads its header, metadata and tensor directory. */
    public static GgufFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new GgufFile(path, arena, mapping);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new GgufFormatException(path, "no such file", e);
        } catch (IOException e) {
            arena.close();
            throw new GgufFormatException(path, "cannot be read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private GgufTensorInfo readTensorInfo(GgufCursor cursor, long index) {
        cursor.context("the name of tensor " + index);
        String name = cursor.string();
        cursor.context("the shape of tensor '" + name + "'");
        int dimCount = cursor.i32();
        if (dimCount < 1 || dimCount > 4) {
            throw new GgufFormatException(path, "tensor '%s' has %d dimensions (expected 1 to 4)".formatted(name, dimCount));
        }
        long[] dims = new long[dimCount];
        for (int d = 0; d < dimCount; d++) {
            dims[d] = cursor.i64();
            if (dims[d] <= 0) {
                throw new GgufFormatException(path, "tensor '%s' has dimension %d of size %d (expected > 0)".formatted(name, d, dims[d]));
            }
        }
        cursor.context("the type of tensor '" + name + "'");
        int typeId = cursor.i32();
        GgmlType type = GgmlType.byId(typeId);
        if (type == null) {
            throw new GgufFormatException(path, "tensor '%s' has unknown ggml type id %d".formatted(name, typeId));
        }
        if (dims[0] % type.blockSize() != 0) {
            throw new GgufFormatException(path, "tensor '%s' rows of %d weights are not a whole number of %s blocks of %d"
                    .formatted(name, dims[0], type, type.blockSize()));
        }
        cursor.context("the offset of tensor '" + name + "'");
        long offset = cursor.i64();
        return new GgufTensorInfo(name, type, dims, offset);
    }

    private void checkTensorBounds() {
        for (GgufTensorInfo info : tensors.values()) {
            long start = dataOffset + info.offset();
            long size;
            try {
                size = info.byteSize();
            } catch (ArithmeticException e) {
                throw new GgufFormatException(path, "tensor '%s' is too large: %s".formatted(info.name(), info));
            }
            if (info.offset() < 0 || info.offset() % alignment != 0) {
                throw new GgufFormatException(path, "tensor '%s' offset %d is not a multiple of the alignment %d"
                        .formatted(info.name(), info.offset(), alignment));
            }
            if (start + size > mapping.byteSize()) {
                throw new GgufFormatException(path, "truncated file: tensor '%s' (%d bytes at offset %d) runs past the end of the file (%d bytes)"
                        .formatted(info.name(), size, start, mapping.byteSize()));
            }
        }
    }

    private static String describeMagic(int magic) {
        byte[] bytes = {(byte) magic, (byte) (magic >> 8), (byte) (magic >> 16), (byte) (magic >> 24)};
        StringBuilder text = new StringBuilder("bytes");
        for (byte b : bytes) {
            text.append(" %02x".formatted(b & 0xff));
        }
        return text.toString();
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    public Map<String, GgufTensorInfo> tensors() {
        return tensors;
    }

    public int alignment() {
        return alignment;
    }

    /** Offset of the data section from the start of the file. */
    public long dataOffset() {
        return dataOffset;
    }

    public long fileSize() {
        return mapping.byteSize();
    }

    public GgufTensorInfo tensor(String name) {
        GgufTensorInfo info = tensors.get(name);
        if (info == null) {
            throw new GgufFormatException(path, "required tensor '%s' is missing".formatted(name));
        }
        return info;
    }

    /** The bytes of a tensor, as a slice of the mapping (valid until {@link #close()}). */
    public MemorySegment tensorData(GgufTensorInfo info) {
        return mapping.asSlice(dataOffset + info.offset(), info.byteSize());
    }

    public MemorySegment tensorData(String name) {
        return tensorData(tensor(name));
    }

    /** Unmaps the file; slices handed out before become invalid. */
    @Override
    public void close() {
        arena.close();
    }
}
