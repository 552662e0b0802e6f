package io.webllm.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Decodes and encodes one block of one GGML type, exactly as GGUF lays it out (little-endian, at any byte offset).
 *
 * <p>Each implementation knows its block layout and nothing else; looping over blocks, bounds checks and dot
 * products live once in {@link Dequantizer} and {@link Quantizer}. A block holds {@code type().blockSize()} weights
 * in {@code type().bytesPerBlock()} bytes.
 */
public sealed interface BlockCodec
        permits F32Codec, F16Codec, BF16Codec, Q8_0Codec, Q4_0Codec, Q4_1Codec, Q5_0Codec, Q5_1Codec, Q4_KCodec,
        Q5_KCodec, Q6_KCodec {

    GgmlType type();

    /** Writes the {@code type().blockSize()} weights of the block at {@code offset} to {@code dst[dstOffset..]}. */
    void decode(MemorySegment src, long offset, float[] dst, int dstOffset);

    /** Encodes {@code src[srcOffset..]}, {@code type().blockSize()} weights, into the block at {@code offset}. */
    void encode(float[] src, int srcOffset, MemorySegment dst, long offset);

    /** The codec for {@code type}; throws {@link UnsupportedGgmlTypeException} for a type without one. */
    static BlockCodec of(GgmlType type) {
        return switch (type) {
            case F32 -> F32Codec.INSTANCE;
            case F16 -> F16Codec.INSTANCE;
            case BF16 -> BF16Codec.INSTANCE;
            case Q8_0 -> Q8_0Codec.INSTANCE;
            case Q4_0 -> Q4_0Codec.INSTANCE;
            case Q4_1 -> Q4_1Codec.INSTANCE;
            case Q5_0 -> Q5_0Codec.INSTANCE;
            case Q5_1 -> Q5_1Codec.INSTANCE;
            case Q4_K -> Q4_KCodec.INSTANCE;
            case Q5_K -> Q5_KCodec.INSTANCE;
            case Q6_K -> Q6_KCodec.INSTANCE;
            default -> throw new UnsupportedGgmlTypeException(type);
        };
    }
}
