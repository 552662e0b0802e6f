package io.webllm.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Seeded random tensors for synthetic models: the same (type, elements, seed, scale) always gives the same bytes,
 * on every JVM, because the generator is spelled out here rather than borrowed from {@code java.util}.
 */
public final class RandomWeights {

    /** Weights generated and quantized per step; a multiple of every block size, so chunks never split a block. */
    private static final int CHUNK = 64 * 1024;

    private RandomWeights() {
    }

    /**
     * A tensor of {@code elements} weights of {@code type} in a segment from {@code arena}: weight i is
     * {@code scale * (2u - 1)}, uniform in [-scale, scale), where u is the i-th value of SplitMix64 seeded with
     * {@code seed}, its top 24 bits read as a fraction in [0, 1); the floats are then encoded with {@link Quantizer}.
     *
     * @throws IllegalArgumentException if {@code elements} is not a whole number of blocks of {@code type}
     * @throws UnsupportedGgmlTypeException if {@code type} has no codec
     */
    public static MemorySegment randomTensor(GgmlType type, long elements, long seed, float scale, Arena arena) {
        BlockCodec.of(type);
        MemorySegment tensor = arena.allocate(type.byteSize(elements), 16);
        SplitMix64 random = new SplitMix64(seed);
        float[] chunk = new float[(int) Math.min(CHUNK, elements)];
        for (long done = 0; done < elements; done += chunk.length) {
            int count = (int) Math.min(chunk.length, elements - done);
            for (int i = 0; i < count; i++) {
                chunk[i] = scale * (2 * random.nextUnitFloat() - 1);
            }
            Quantizer.quantize(type, chunk, 0, count, tensor, type.byteSize(done));
        }
        return tensor;
    }

    /** The floats {@link #randomTensor} quantizes, before quantization: for tests and for F32 reference models. */
    public static float[] randomFloats(int elements, long seed, float scale) {
        SplitMix64 random = new SplitMix64(seed);
        float[] values = new float[elements];
        for (int i = 0; i < elements; i++) {
            values[i] = scale * (2 * random.nextUnitFloat() - 1);
        }
        return values;
    }

    /** Steele, Lea and Flood's SplitMix64: tiny, fast, and fully specified by these few lines. */
    private static final class SplitMix64 {

        private long state;

        SplitMix64(long seed) {
            this.state = seed;
        }

        long nextLong() {
            long z = state += 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        /** The top 24 bits as a float in [0, 1): every such float is exact, so no rounding can reach 1. */
        float nextUnitFloat() {
            return (nextLong() >>> 40) * 0x1.0p-24f;
        }
    }
}
