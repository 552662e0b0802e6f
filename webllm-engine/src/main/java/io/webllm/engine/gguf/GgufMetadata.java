package io.webllm.engine.gguf;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * The typed key-value metadata of a GGUF file, in file order.
 *
 * <p>Scalars are boxed Java values ({@code Integer} for 8-32 bit integers, {@code Long} for 64 bit ones, {@code Float},
 * {@code Double}, {@code Boolean}, {@code String}); arrays are primitive arrays where the element type allows
 * ({@code int[]}, {@code long[]}, {@code float[]}, {@code double[]}, {@code boolean[]}), {@code String[]} for strings
 * and {@code Object[]} for nested arrays. Each entry keeps its GGUF type so a writer can copy it unchanged.
 */
public final class GgufMetadata {

    /** One metadata value and its GGUF type; {@code elementType} is set for arrays. */
    public record Entry(String key, GgufValueType type, GgufValueType elementType, Object value) {
    }

    private final Path file;
    private final SequencedMap<String, Entry> entries;

    GgufMetadata(Path file, SequencedMap<String, Entry> entries) {
        this.file = file;
        this.entries = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(entries));
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    public boolean contains(String key) {
        return entries.containsKey(key);
    }

    public Optional<Object> get(String key) {
        Entry entry = entries.get(key);
        return entry == null ? Optional.empty() : Optional.of(entry.value());
    }

    public String getString(String key) {
        return require(key, String.class, "a string");
    }

    public Optional<String> findString(String key) {
        return find(key, String.class, "a string");
    }

    public int getInt(String key) {
        return Math.toIntExact(getLong(key));
    }

    public Optional<Integer> findInt(String key) {
        return findLong(key).map(Math::toIntExact);
    }

    public long getLong(String key) {
        return findLong(key).orElseThrow(() -> missing(key, "an integer"));
    }

    public Optional<Long> findLong(String key) {
        return find(key, Number.class, "an integer").map(number -> {
            if (number instanceof Float || number instanceof Double) {
                throw wrongType(key, "an integer", entries.get(key));
            }
            return number.longValue();
        });
    }

    public float getFloat(String key) {
        return findFloat(key).orElseThrow(() -> missing(key, "a number"));
    }

    public Optional<Float> findFloat(String key) {
        return find(key, Number.class, "a number").map(Number::floatValue);
    }

    public Optional<Boolean> findBoolean(String key) {
        return find(key, Boolean.class, "a boolean");
    }

    public String[] getStringArray(String key) {
        return require(key, String[].class, "an array of strings");
    }

    public Optional<String[]> findStringArray(String key) {
        return find(key, String[].class, "an array of strings");
    }

    public Optional<float[]> findFloatArray(String key) {
        return find(key, float[].class, "an array of float32");
    }

    /** An integer array of any integer element type, widened to int. */
    public Optional<int[]> findIntArray(String key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        return switch (entry.value()) {
            case int[] ints -> Optional.of(ints);
            case long[] longs -> Optional.of(java.util.Arrays.stream(longs).mapToInt(Math::toIntExact).toArray());
            default -> throw wrongType(key, "an array of integers", entry);
        };
    }

    private <T> T require(String key, Class<T> type, String description) {
        return find(key, type, description).orElseThrow(() -> missing(key, description));
    }

    private <T> Optional<T> find(String key, Class<T> type, String description) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (!type.isInstance(entry.value())) {
            throw wrongType(key, description, entry);
        }
        return Optional.of(type.cast(entry.value()));
    }

    private GgufFormatException missing(String key, String description) {
        return new GgufFormatException(file, "required metadata key '%s' (%s) is missing".formatted(key, description));
    }

    private GgufFormatException wrongType(String key, String description, Entry entry) {
        String found = entry.type() == GgufValueType.ARRAY ? "an array of " + entry.elementType() : entry.type().name();
        return new GgufFormatException(file,
                "metadata key '%s' should be %s but is %s".formatted(key, description, found));
    }
}
