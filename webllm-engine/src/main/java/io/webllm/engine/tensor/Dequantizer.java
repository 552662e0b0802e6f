package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The plain-Java reference for reading weights: decodes a run of whole blocks from a segment (usually the
 * memory-mapped model file) into floats. Device kernels are tested against this, so it is written to be checked
 * by eye rather than to be fast.
 */
public final class Dequantizer {

    private Dequantizer() {
    }

    /**
     * Decodes {@code count} weights of {@code type}, stored from byte {@code byteOffset} of {@code src}, into
     * {@code dst[dstOffset .. dstOffset + count)}.
     *
     * @throws IllegalArgumentException if {@code count} is not a whole number of blocks, the bytes lie outside
     *                                  {@code src}, or the weights do not fit in {@code dst}
     * @throws UnsupportedGgmlTypeException if {@code type} has no codec
     */
    public static void dequantize(GgmlType type, MemorySegment src, long byteOffset, long count, float[] dst,
            int dstOffset) {
        BlockCodec codec = BlockCodec.of(type);
        long bytes = type.byteSize(count);
        checkSegmentRange(src, byteOffset, bytes, type, count);
        checkArrayRange(dst, dstOffset, count);
        int blockSize = type.blockSize();
        int blockBytes = type.bytesPerBlock();
        for (long block = 0; block < count / blockSize; block++) {
            codec.decode(src, byteOffset + block * blockBytes, dst, dstOffset + (int) (block * blockSize));
        }
    }

    /** Decodes {@code count} weights of {@code type} from byte {@code byteOffset} of {@code src} into a new array. */
    public static float[] dequantize(GgmlType type, MemorySegment src, long byteOffset, int count) {
        float[] weights = new float[count];
        dequantize(type, src, byteOffset, count, weights, 0);
        return weights;
    }

    /**
     * The dot product of {@code count} stored weights (a row of a weight matrix, from byte {@code byteOffset}) with
     * {@code x[xOffset .. xOffset + count)}: the reference for a matrix-vector kernel. Sums in double, so the
     * result does not depend on the order a kernel adds in to better than float precision.
     */
    public static float dot(GgmlType type, MemorySegment row, long byteOffset, float[] x, int xOffset, int count) {
        checkArrayRange(x, xOffset, count);
        float[] weights = dequantize(type, row, byteOffset, count);
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += (double) weights[i] * x[xOffset + i];
        }
        return (float) sum;
    }

    static void checkSegmentRange(MemorySegment segment, long byteOffset, long bytes, GgmlType type, long count) {
        if (byteOffset < 0 || byteOffset > segment.byteSize() - bytes) {
            throw new IllegalArgumentException(
                    "%d weights of %s need bytes [%d, %d) but the segment holds %d bytes"
                            .formatted(count, type, byteOffset, byteOffset + bytes, segment.byteSize()));
        }
    }

    static void checkArrayRange(float[] array, int offset, long count) {
        if (offset < 0 || count < 0 || offset > array.length - count) {
            throw new IllegalArgumentException("%d weights from index %d do not fit in an array of %d floats"
                    .formatted(count, offset, array.length));
        }
    }
}
