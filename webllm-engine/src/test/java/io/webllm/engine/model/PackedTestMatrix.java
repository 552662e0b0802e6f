package io.webllm.engine.model;

import io.webllm.engine.tensor.GgmlType;
import java.util.SplittableRandom;

/**
 * A random Q4_0 or Q8_0 matrix in the device layout of quants.cl (every block's quants, then every block's fp16
 * scale), with its integer quants and scales kept so that kernel tests can compute what the kernels must produce.
 * Scales are ordinary halves of either sign, or with {@code subnormalScales} every ninth block a subnormal half.
 */
record PackedTestMatrix(GgmlType type, int rows, int columns, byte[] bytes, int[][] quants, double[][] scales) {

    static PackedTestMatrix random(GgmlType type, int rows, int columns, long seed, boolean subnormalScales) {
        if (type != GgmlType.Q4_0 && type != GgmlType.Q8_0) {
            throw new IllegalArgumentException("packed test matrices are Q4_0 or Q8_0, not " + type);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int groups = columns / 32;
        int blocks = rows * groups;
        int quantBytes = quantBytes(type);
        byte[] bytes = new byte[blocks * (quantBytes + 2)];
        int[][] quants = new int[rows][columns];
        double[][] scales = new double[rows][groups];
        for (int block = 0; block < blocks; block++) {
            int row = block / groups;
            int group = block % groups;
            short half = subnormalScales && block % 9 == 4
                    ? (short) (random.nextInt(1, 1024) | (random.nextBoolean() ? 0x8000 : 0))
                    : Float.floatToFloat16((float) (random.nextDouble(0.001, 0.05) * (random.nextBoolean() ? 1 : -1)));
            scales[row][group] = Float.float16ToFloat(half);
            bytes[blocks * quantBytes + 2 * block] = (byte) half;
            bytes[blocks * quantBytes + 2 * block + 1] = (byte) (half >> 8);
            for (int j = 0; j < quantBytes; j++) {
                byte q = (byte) random.nextInt(256);
                bytes[block * quantBytes + j] = q;
                if (type == GgmlType.Q8_0) {
                    quants[row][group * 32 + j] = q;
                } else {
                    quants[row][group * 32 + j] = (q & 15) - 8;
                    quants[row][group * 32 + j + 16] = ((q >> 4) & 15) - 8;
                }
            }
        }
        return new PackedTestMatrix(type, rows, columns, bytes, quants, scales);
    }

    private static int quantBytes(GgmlType type) {
        return type == GgmlType.Q8_0 ? 32 : 16;
    }

    /** Bytes of one row in the GGUF file layout (the kernels' row_bytes argument). */
    long rowBytes() {
        return columns / 32L * (quantBytes(type) + 2);
    }

    /** The kernels' suffix: {@code q4_0} or {@code q8_0}. */
    String suffix() {
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Weight {@code column} of {@code row} as an integer: a Q8_0 byte, or a Q4_0 nibble minus 8. */
    int quant(int row, int column) {
        return quants[row][column];
    }

    double scale(int row, int group) {
        return scales[row][group];
    }

    double weight(int row, int column) {
        return scales[row][column / 32] * quants[row][column];
    }

    /** The row times x[offset ..], in double. */
    double dot(int row, float[] x, int offset) {
        double sum = 0;
        for (int i = 0; i < columns; i++) {
            sum += weight(row, i) * x[offset + i];
        }
        return sum;
    }

    /**
     * Row {@code row} times token {@code token}'s Q8 activations (quants and {d, d * sum} scales as q8.cl lays them
     * out, {@code columns} a token) as the integer kernels compute it: the sum over groups of
     * d_w * d_x * sum(q_w * q_x), each group's integer sum exact.
     */
    ExactSum q8Product(int row, byte[] xq, float[] xd, int token) {
        int groups = columns / 32;
        double value = 0;
        double magnitude = 0;
        for (int g = 0; g < groups; g++) {
            long integer = 0;
            for (int i = 0; i < 32; i++) {
                integer += (long) quant(row, g * 32 + i) * xq[token * columns + g * 32 + i];
            }
            double term = scale(row, g) * xd[2 * (token * groups + g)] * integer;
            value += term;
            magnitude += Math.abs(term);
        }
        return new ExactSum(value, magnitude);
    }

    /**
     * A sum and the sum of its terms' magnitudes: float32 rounding of the same terms in any order stays within
     * (terms + 2) x 2^-24 x magnitude, which the kernel tests hold to 1e-5 x (1 + magnitude).
     */
    record ExactSum(double value, double magnitude) {
    }
}
