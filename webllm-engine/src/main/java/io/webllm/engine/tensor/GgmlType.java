package io.webllm.engine.tensor;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The tensor element types of GGML, with the ids GGUF stores and the block layout each uses.
 *
 * <p>A quantized type packs {@link #blockSize()} weights into {@link #bytesPerBlock()} bytes; plain types are
 * blocks of one. Only types with {@link #supported()} can be loaded by the engine; the others are known so that a
 * file using them is rejected with the type's name rather than a number.
 */
public enum GgmlType {
    F32(0, 1, 4, true),
    F16(1, 1, 2, true),
    Q4_0(2, 32, 2 + 16, true),
    Q4_1(3, 32, 2 + 2 + 16, true),
    Q5_0(6, 32, 2 + 4 + 16, true),
    Q5_1(7, 32, 2 + 2 + 4 + 16, true),
    Q8_0(8, 32, 2 + 32, true),
    Q8_1(9, 32, 2 + 2 + 32, false), // d and s = d * sum(qs) are both fp16
    Q2_K(10, 256, 256 / 16 + 256 / 4 + 2 + 2, false),
    Q3_K(11, 256, 256 / 8 + 256 / 4 + 12 + 2, false),
    Q4_K(12, 256, 2 + 2 + 12 + 256 / 2, true),
    Q5_K(13, 256, 2 + 2 + 12 + 256 / 8 + 256 / 2, true),
    Q6_K(14, 256, 256 / 2 + 256 / 4 + 256 / 16 + 2, true),
    Q8_K(15, 256, 4 + 256 + 256 / 16 * 2, false),
    IQ2_XXS(16, 256, 2 + 256 / 8 * 2, false),
    IQ2_XS(17, 256, 2 + 256 / 8 * 2 + 256 / 32, false),
    IQ3_XXS(18, 256, 2 + 256 / 4 + 256 / 8, false),
    IQ1_S(19, 256, 2 + 256 / 8 + 256 / 16, false),
    IQ4_NL(20, 32, 2 + 16, false),
    IQ3_S(21, 256, 2 + 256 / 4 + 256 / 8 + 256 / 32 + 4, false),
    IQ2_S(22, 256, 2 + 256 / 4 + 256 / 16, false),
    IQ4_XS(23, 256, 2 + 2 + 256 / 64 + 256 / 2, false),
    I8(24, 1, 1, false),
    I16(25, 1, 2, false),
    I32(26, 1, 4, false),
    I64(27, 1, 8, false),
    F64(28, 1, 8, false),
    IQ1_M(29, 256, 256 / 8 + 256 / 16 + 256 / 32, false),
    BF16(30, 1, 2, true),
    TQ1_0(34, 256, 2 + 4 * 13, false),
    TQ2_0(35, 256, 2 + 64, false),
    MXFP4(39, 32, 1 + 16, false);

    private static final @Nullable GgmlType[] BY_ID = new GgmlType[64];

    static {
        Arrays.stream(values()).forEach(type -> BY_ID[type.id] = type);
    }

    private final int id;
    private final int blockSize;
    private final int bytesPerBlock;
    private final boolean supported;

    GgmlType(int id, int blockSize, int bytesPerBlock, boolean supported) {
        this.id = id;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
        this.supported = supported;
    }

    /** The type with GGUF id {@code id}, or {@code null} when the id names no type known to GGML. */
    public static @Nullable GgmlType byId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    public int id() {
        return id;
    }

    /** Number of weights in one block. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes one block occupies in the file. */
    public int bytesPerBlock() {
        return bytesPerBlock;
    }

    /** Whether the engine can load and compute with tensors of this type. */
    public boolean supported() {
        return supported;
    }

    /** The names of the supported types, for error messages. */
    public static String supportedNames() {
        return Arrays.stream(values()).filter(GgmlType::supported).map(GgmlType::name)
                .collect(java.util.stream.Collectors.joining(", "));
    }

    public boolean quantized() {
        return blockSize > 1;
    }

    /** Bytes taken by {@code elements} weights; {@code elements} must be a whole number of blocks. */
    public long byteSize(long elements) {
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    "%s packs weights in blocks of %d, but %d weights is not a whole number of blocks"
                            .formatted(name(), blockSize, elements));
        }
        return elements / blockSize * bytesPerBlock;
    }
}
