package io.webllm.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.stream.LongStream;

/**
 * Seeded random tensors for synthetic models: the same (type, elements, seed, scale) always gives the same bytes,
 * on every JVM and however the work is split, because the generator is spelled out here (SplitMix64, whose i-th
 * output can be computed directly) rather than borrowed from {@code java.util}.
 *
 * <p>Distribution: weight i is {@code scale * (2u - 1)}, uniform in [-scale, scale), where u is the top 24 bits of the
 * i-th output (counting from 0) of SplitMix64 seeded with {@code seed}, read as a fraction in [0, 1). Quantized types
 * then hold those floats as {@link Quantizer} encodes them.
 */
public final class RandomWeights {

    /** Weights generated and quantized per task; a multiple of every block size, so chunks never split a block. */
    private static final int CHUNK = 64 * 1024;
    /** Chunks encoded in parallel before the calling thread copies them out (which works for confined segments). */
    private static final int CHUNKS_PER_BATCH = 64;

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private RandomWeights() {
    }

    /**
     * A new tensor of {@code elements} random weights of {@code type}, allocated from {@code arena}.
     *
     * @throws IllegalArgumentException if {@code elements} is not a whole number of blocks of {@code type}
     * @throws UnsupportedGgmlTypeException if {@code type} has no codec
     */
    public static MemorySegment randomTensor(GgmlType type, long elements, long seed, float scale, Arena arena) {
        BlockCodec.of(type); // a type without a codec fails here, before anything is allocated
        MemorySegment tensor = arena.allocate(type.byteSize(elements), 16);
        writeRandomTensor(type, elements, seed, scale, tensor, 0);
        return tensor;
    }

    /**
     * Writes {@code elements} random weights of {@code type} into {@code dst} from byte {@code byteOffset}, e.g.
     * straight into a memory-mapped output file. Large tensors are encoded on several threads; the bytes do not
     * depend on that.
     */
    public static void writeRandomTensor(GgmlType type, long elements, long seed, float scale, MemorySegment dst,
            long byteOffset) {
        BlockCodec.of(type);
        long bytes = type.byteSize(elements);
        Dequantizer.checkSegmentRange(dst, byteOffset, bytes, type, elements);
        long chunks = (elements + CHUNK - 1) / CHUNK;
        for (long firstChunk = 0; firstChunk < chunks; firstChunk += CHUNKS_PER_BATCH) {
            LongStream batch = LongStream.range(firstChunk, Math.min(chunks, firstChunk + CHUNKS_PER_BATCH));
            List<byte[]> encoded = (chunks > 1 ? batch.parallel() : batch)
                    .mapToObj(chunk -> encodeChunk(type, elements, seed, scale, chunk))
                    .toList();
            long at = byteOffset + type.byteSize(firstChunk * CHUNK);
            for (byte[] chunkBytes : encoded) {
                MemorySegment.copy(chunkBytes, 0, dst, ValueLayout.JAVA_BYTE, at, chunkBytes.length);
                at += chunkBytes.length;
            }
        }
    }

    /** The floats {@link #randomTensor} encodes, before quantization: for tests and for F32 reference models. */
    public static float[] randomFloats(int elements, long seed, float scale) {
        return randomFloats(0, elements, seed, scale);
    }

    private static byte[] encodeChunk(GgmlType type, long elements, long seed, float scale, long chunk) {
        long first = chunk * CHUNK;
        float[] values = randomFloats(first, (int) Math.min(CHUNK, elements - first), seed, scale);
        return Quantizer.quantize(type, values);
    }

    private static float[] randomFloats(long first, int count, long seed, float scale) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = scale * (2 * unitFloat(seed, first + i) - 1);
        }
        return values;
    }

    /**
     * Output {@code index} of Steele, Lea and Flood's SplitMix64 from {@code seed}: its state only ever adds the
     * golden gamma, so the state for any output is known without running the ones before it. The top 24 bits give a
     * float in [0, 1) exactly (no rounding can reach 1).
     */
    private static float unitFloat(long seed, long index) {
        long z = seed + (index + 1) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 40) * 0x1.0p-24f;
    }
}
