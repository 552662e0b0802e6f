package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Encodes floats as GGML weights, block by block, deterministically: Q8_0, Q4_0, Q4_1, Q5_0 and Q5_1 round exactly
 * as ggml's {@code quantize_row_*_ref} reference quantizers do; the K-quants use a simpler scale choice than ggml
 * (see {@link KQuantAffineFit} and {@link Q6_KCodec}) but write exactly the GGUF block layout. Inputs are expected to
 * be finite.
 */
public final class Quantizer {

    private Quantizer() {
    }

    /**
     * Encodes {@code src[srcOffset .. srcOffset + count)} as {@code type} into {@code dst} from byte
     * {@code byteOffset}, taking {@link GgmlType#byteSize type.byteSize(count)} bytes.
     *
     * @throws IllegalArgumentException if {@code count} is not a whole number of blocks or either range is out of
     *                                  bounds
     * @throws UnsupportedGgmlTypeException if {@code type} has no codec
     */
    public static void quantize(GgmlType type, float[] src, int srcOffset, int count, MemorySegment dst,
            long byteOffset) {
        BlockCodec codec = BlockCodec.of(type);
        long bytes = type.byteSize(count);
        Dequantizer.checkArrayRange(src, srcOffset, count);
        Dequantizer.checkSegmentRange(dst, byteOffset, bytes, type, count);
        int blockSize = type.blockSize();
        int blockBytes = type.bytesPerBlock();
        for (int block = 0; block < count / blockSize; block++) {
            codec.encode(src, srcOffset + block * blockSize, dst, byteOffset + (long) block * blockBytes);
        }
    }

    /** Encodes all of {@code src} as {@code type} into a new byte array. */
    public static byte[] quantize(GgmlType type, float[] src) {
        byte[] bytes = new byte[Math.toIntExact(type.byteSize(src.length))];
        quantize(type, src, 0, src.length, MemorySegment.ofArray(bytes), 0);
        return bytes;
    }
}
