package io.webllm.engine.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Sequential little-endian reads over the mapped file; every read is bounds-checked so a truncated file is an error. */
final class GgufCursor {

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment segment;
    private long position;
    private String context = "header";

    GgufCursor(Path file, MemorySegment segment) {
        this.file = file;
        this.segment = segment;
    }

    long position() {
        return position;
    }

    /** Names what is being read, so a truncation error can say which part of the file was cut. */
    void context(String what) {
        this.context = what;
    }

    private long take(long bytes) {
        if (bytes < 0 || position + bytes > segment.byteSize()) {
            throw new GgufFormatException(file, "truncated file: expected %d more bytes at offset %d for %s, but the file has %d bytes"
                    .formatted(bytes, position, context, segment.byteSize()));
        }
        long at = position;
        position += bytes;
        return at;
    }

    byte i8() {
        return segment.get(ValueLayout.JAVA_BYTE, take(1));
    }

    short i16() {
        return segment.get(SHORT, take(2));
    }

    int i32() {
        return segment.get(INT, take(4));
    }

    long i64() {
        return segment.get(LONG, take(8));
    }

    float f32() {
        return segment.get(FLOAT, take(4));
    }

    double f64() {
        return segment.get(DOUBLE, take(8));
    }

    /** A count that must fit the rest of the file given at least {@code minBytesEach} bytes per counted item. */
    long count(String what, long minBytesEach) {
        long count = i64();
        long remaining = segment.byteSize() - position;
        if (count < 0 || (minBytesEach > 0 && count > remaining / minBytesEach)) {
            throw new GgufFormatException(file, "truncated or corrupt file: %s count %s cannot fit in the %d bytes left after offset %d"
                    .formatted(what, Long.toUnsignedString(count), remaining, position));
        }
        return count;
    }

    String string() {
        long length = count("string length in " + context, 1);
        long at = take(length);
        byte[] bytes = segment.asSlice(at, length).toArray(ValueLayout.JAVA_BYTE);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            // Tokenizer vocabularies may hold invalid UTF-8 pieces; keep them readable rather than failing the load.
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    void align(long alignment) {
        long aligned = (position + alignment - 1) / alignment * alignment;
        take(aligned - position);
    }
}
