package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.tensor.Dequantizer;
import io.webllm.engine.tensor.GgmlType;
import io.webllm.engine.tensor.Quantizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * A random Q4_K or Q6_K matrix in the GGUF file layout, with its weights as the plain-Java codecs decode them, and
 * its upload: staged and repacked on the device (repack.cl) into the layout of quants.cl, as WeightUploader does.
 * Magnitudes and offsets vary from one 16-weight half group to the next, so scales, mins and their signs vary.
 */
record KQuantTestMatrix(GgmlType type, int rows, int columns, byte[] file, float[][] weights) {

    static KQuantTestMatrix random(GgmlType type, int rows, int columns, long seed) {
        if (type != GgmlType.Q4_K && type != GgmlType.Q6_K) {
            throw new IllegalArgumentException("K-quant test matrices are Q4_K or Q6_K, not " + type);
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[rows * columns];
        for (int half = 0; half < values.length / 16; half++) {
            double magnitude = random.nextDouble(0.01, 1.5);
            double shift = random.nextDouble(-0.5, 0.5) * magnitude;
            for (int i = 16 * half; i < 16 * half + 16; i++) {
                values[i] = (float) (random.nextDouble(-1, 1) * magnitude + shift);
            }
        }
        byte[] file = Quantizer.quantize(type, values);
        MemorySegment bytes = MemorySegment.ofArray(file);
        long rowBytes = file.length / rows;
        float[][] weights = new float[rows][];
        for (int r = 0; r < rows; r++) {
            weights[r] = Dequantizer.dequantize(type, bytes, r * rowBytes, columns);
        }
        return new KQuantTestMatrix(type, rows, columns, file, weights);
    }

    /** Bytes of one row in the file layout (the kernels' row_bytes argument). */
    long rowBytes() {
        return file.length / rows;
    }

    /** The kernels' suffix: {@code q4_k} or {@code q6_k}. */
    String suffix() {
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }

    double weight(int row, int column) {
        return weights[row][column];
    }

    /**
     * Q4_K: dmin * min of group {@code group} of {@code row}, which the weights of the group are offset by (weight =
     * d * scale * q - dmin * min). Decoded by the codec from a copy of the block with every quant zero, whose weights
     * are then exactly -dmin * min of their group.
     */
    double q4kMin(int row, int group) {
        int bytesPerBlock = GgmlType.Q4_K.bytesPerBlock();
        long block = row * rowBytes() + (long) group / 8 * bytesPerBlock;
        byte[] zeroed = java.util.Arrays.copyOfRange(file, (int) block, (int) block + bytesPerBlock);
        java.util.Arrays.fill(zeroed, 16, bytesPerBlock, (byte) 0);
        float[] decoded = Dequantizer.dequantize(GgmlType.Q4_K, MemorySegment.ofArray(zeroed), 0, 256);
        return -decoded[group % 8 * 32];
    }

    /**
     * The matrix on the device in the layout of quants.cl: the file bytes staged in two parts (the second starting
     * at block {@code rows / 2} of a row boundary, as a chunked upload does) and repacked by kernel_repack_<type>.
     */
    ClBuffer upload(ClContext cl, Arena arena) {
        int bytesPerBlock = type.bytesPerBlock();
        long blocks = file.length / bytesPerBlock;
        long firstPart = rows / 2 * (rowBytes() / bytesPerBlock);
        ClBuffer matrix = cl.allocate("repacked " + type, file.length);
        try (ClKernel repack = cl.kernels().create("kernel_repack_" + suffix())) {
            long[][] parts = {{0, firstPart}, {firstPart, blocks - firstPart}};
            for (long[] part : parts) {
                byte[] bytes = java.util.Arrays.copyOfRange(file, (int) (part[0] * bytesPerBlock), (int) ((part[0] + part[1]) * bytesPerBlock));
                try (ClBuffer staging = DeviceArrays.upload(cl, arena, "staging", bytes)) {
                    repack.arg(0, staging).arg(1, matrix).arg(2, blocks).arg(3, part[0]).run(part[1], 0);
                    cl.finish();
                }
            }
        }
        return matrix;
    }
}
