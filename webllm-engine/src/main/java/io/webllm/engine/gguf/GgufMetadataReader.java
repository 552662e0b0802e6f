package io.webllm.engine.gguf;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

/** Reads the metadata key-value section into typed Java values. */
final class GgufMetadataReader {

    private GgufMetadataReader() {
    }

    static SequencedMap<String, GgufMetadata.Entry> read(Path path, GgufCursor cursor, long count) {
        SequencedMap<String, GgufMetadata.Entry> entries = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            cursor.context("the key of metadata entry " + i);
            String key = cursor.string();
            cursor.context("the value of metadata key '" + key + "'");
            GgufValueType type = valueType(path, cursor, key);
            GgufValueType elementType = null;
            Object value;
            if (type == GgufValueType.ARRAY) {
                elementType = valueType(path, cursor, key);
                value = readArray(path, cursor, key, elementType);
            } else {
                value = readScalar(cursor, type);
            }
            entries.put(key, new GgufMetadata.Entry(key, type, elementType, value));
        }
        return entries;
    }

    private static GgufValueType valueType(Path path, GgufCursor cursor, String key) {
        int id = cursor.i32();
        GgufValueType type = GgufValueType.byId(id);
        if (type == null) {
            throw new GgufFormatException(path, "metadata key '%s' has unknown value type %d (expected 0 to 12)".formatted(key, id));
        }
        return type;
    }

    private static Object readScalar(GgufCursor cursor, GgufValueType type) {
        return switch (type) {
            case UINT8 -> cursor.i8() & 0xff;
            case INT8 -> (int) cursor.i8();
            case UINT16 -> cursor.i16() & 0xffff;
            case INT16 -> (int) cursor.i16();
            case UINT32 -> {
                int raw = cursor.i32();
                yield raw >= 0 ? (Object) raw : (Object) Integer.toUnsignedLong(raw);
            }
            case INT32 -> cursor.i32();
            case FLOAT32 -> cursor.f32();
            case BOOL -> cursor.i8() != 0;
            case STRING -> cursor.string();
            case UINT64, INT64 -> cursor.i64();
            case FLOAT64 -> cursor.f64();
            case ARRAY -> throw new IllegalStateException("arrays are read by readArray");
        };
    }

    private static Object readArray(Path path, GgufCursor cursor, String key, GgufValueType elementType) {
        int minSize = elementType.fixedSize() > 0 ? elementType.fixedSize() : 8;
        long length = cursor.count("array length of metadata key '" + key + "'", minSize);
        if (length > Integer.MAX_VALUE - 8) {
            throw new GgufFormatException(path, "metadata key '%s' holds %d elements, more than a Java array can".formatted(key, length));
        }
        int n = (int) length;
        switch (elementType) {
            case UINT8, INT8, UINT16, INT16, INT32 -> {
                int[] values = new int[n];
                for (int i = 0; i < n; i++) {
                    values[i] = ((Number) readScalar(cursor, elementType)).intValue();
                }
                return values;
            }
            case UINT32, UINT64, INT64 -> {
                long[] values = new long[n];
                for (int i = 0; i < n; i++) {
                    values[i] = elementType == GgufValueType.UINT32 ? Integer.toUnsignedLong(cursor.i32()) : cursor.i64();
                }
                return values;
            }
            case FLOAT32 -> {
                float[] values = new float[n];
                for (int i = 0; i < n; i++) {
                    values[i] = cursor.f32();
                }
                return values;
            }
            case FLOAT64 -> {
                double[] values = new double[n];
                for (int i = 0; i < n; i++) {
                    values[i] = cursor.f64();
                }
                return values;
            }
            case BOOL -> {
                boolean[] values = new boolean[n];
                for (int i = 0; i < n; i++) {
                    values[i] = cursor.i8() != 0;
                }
                return values;
            }
            case STRING -> {
                String[] values = new String[n];
                for (int i = 0; i < n; i++) {
                    values[i] = cursor.string();
                }
                return values;
            }
            case ARRAY -> {
                Object[] values = new Object[n];
                for (int i = 0; i < n; i++) {
                    // each element of an array of arrays is itself typed and counted
                    values[i] = readArray(path, cursor, key, valueType(path, cursor, key));
                }
                return values;
            }
        }
        throw new IllegalStateException("unreachable");
    }
}
