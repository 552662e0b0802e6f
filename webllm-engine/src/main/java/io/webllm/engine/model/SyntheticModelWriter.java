package io.webllm.engine.model;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.gguf.GgufMetadata;
import io.webllm.engine.gguf.GgufValueType;
import io.webllm.engine.gguf.GgufWriter;
import io.webllm.engine.tensor.GgmlType;
import io.webllm.engine.tensor.Quantizer;
import io.webllm.engine.tensor.RandomWeights;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Writes a GGUF model of a real shape with seeded random weights: the same seed gives the same file.
 *
 * <p>Matrices use the requested type, or the types of a mix ({@link WeightTypes}); rows whose length a K-quant cannot hold (not a multiple of 256, such as
 * Qwen2.5-0.5B's 896) fall back the way llama.cpp's quantizer does (Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0).
 * Norm weights, biases and rope factors stay F32, as in published files. Without a vocabulary file the model gets a
 * SentencePiece-style vocabulary of byte tokens and numbered pieces, so every id decodes to something.
 */
public final class SyntheticModelWriter {

    private final ModelShape shape;
    private final WeightTypes types;
    private final long seed;
    private GgufFile vocabulary;

    public SyntheticModelWriter(ModelShape shape, GgmlType type, long seed) {
        this(shape, WeightTypes.uniform(type), seed);
    }

    public SyntheticModelWriter(ModelShape shape, WeightTypes types, long seed) {
        for (GgmlType type : new GgmlType[] {types.main(), types.sensitive()}) {
            if (!type.supported()) {
                throw new IllegalArgumentException("weight type %s is not supported (supported: %s)".formatted(type, GgmlType.supportedNames()));
            }
        }
        this.shape = shape;
        this.types = types;
        this.seed = seed;
    }

    /** Carries over the tokenizer of a (vocabulary-only) GGUF file; the vocabulary size follows its token list. */
    public SyntheticModelWriter vocabulary(GgufFile vocabularyFile) {
        this.vocabulary = vocabularyFile;
        return this;
    }

    public void write(Path target) {
        String arch = shape.architecture().ggufName();
        GgufWriter writer = new GgufWriter();
        writer.putString("general.architecture", arch);
        writer.putString("general.name", "synthetic " + shape.id() + " " + types.name() + " seed " + seed);
        writer.putUInt32("general.file_type", fileType());
        writer.putUInt32(arch + ".context_length", shape.contextLength());
        writer.putUInt32(arch + ".embedding_length", shape.embedding());
        writer.putUInt32(arch + ".block_count", shape.layers());
        writer.putUInt32(arch + ".feed_forward_length", shape.feedForward());
        writer.putUInt32(arch + ".attention.head_count", shape.heads());
        writer.putUInt32(arch + ".attention.head_count_kv", shape.kvHeads());
        writer.putUInt32(arch + ".attention.key_length", shape.headDim());
        writer.putUInt32(arch + ".attention.value_length", shape.headDim());
        writer.putUInt32(arch + ".rope.dimension_count", shape.headDim());
        writer.putFloat32(arch + ".rope.freq_base", shape.ropeBase());
        writer.putFloat32(arch + ".attention.layer_norm_rms_epsilon", shape.rmsEpsilon());
        int vocab = writeVocabulary(writer);

        int embd = shape.embedding();
        int qDim = shape.heads() * shape.headDim();
        int kvDim = shape.kvHeads() * shape.headDim();
        int ff = shape.feedForward();
        Seeds seeds = new Seeds(seed);
        matrix(writer, TensorNames.TOKEN_EMBEDDING, embd, vocab, 1.0f, seeds);
        vector(writer, TensorNames.OUTPUT_NORM, embd, 1.0f, 0.2f, seeds);
        if (!shape.tiedOutput()) {
            // a larger scale than the hidden layers gives peaked next-token distributions, like a trained model's
            matrix(writer, TensorNames.OUTPUT, embd, vocab, 4.0f * (float) Math.sqrt(3.0 / embd), seeds);
        }
        if (shape.ropeScalingFactor() > 0) {
            float[] factors = Llama3RopeFactors.compute(shape.headDim(), shape.ropeBase(), shape.ropeScalingFactor(), 1f, 4f, 8192);
            writer.addTensor(TensorNames.ROPE_FREQS, GgmlType.F32, new long[] {factors.length},
                    data -> MemorySegment.copy(factors, 0, data, java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0, factors.length));
        }
        for (int l = 0; l < shape.layers(); l++) {
            vector(writer, TensorNames.layer(l, "attn_norm.weight"), embd, 1.0f, 0.2f, seeds);
            matrix(writer, TensorNames.layer(l, "attn_q.weight"), embd, qDim, scale(embd), seeds);
            matrix(writer, TensorNames.layer(l, "attn_k.weight"), embd, kvDim, scale(embd), seeds);
            matrix(writer, TensorNames.layer(l, "attn_v.weight"), embd, kvDim, scale(embd), seeds);
            if (shape.architecture().qkvBias()) {
                vector(writer, TensorNames.layer(l, "attn_q.bias"), qDim, 0f, 0.2f, seeds);
                vector(writer, TensorNames.layer(l, "attn_k.bias"), kvDim, 0f, 0.2f, seeds);
                vector(writer, TensorNames.layer(l, "attn_v.bias"), kvDim, 0f, 0.2f, seeds);
            }
            if (shape.architecture().qkNorm()) {
                vector(writer, TensorNames.layer(l, "attn_q_norm.weight"), shape.headDim(), 1.0f, 0.2f, seeds);
                vector(writer, TensorNames.layer(l, "attn_k_norm.weight"), shape.headDim(), 1.0f, 0.2f, seeds);
            }
            matrix(writer, TensorNames.layer(l, "attn_output.weight"), qDim, embd, scale(qDim), seeds);
            vector(writer, TensorNames.layer(l, "ffn_norm.weight"), embd, 1.0f, 0.2f, seeds);
            matrix(writer, TensorNames.layer(l, "ffn_gate.weight"), embd, ff, scale(embd), seeds);
            matrix(writer, TensorNames.layer(l, "ffn_up.weight"), embd, ff, scale(embd), seeds);
            matrix(writer, TensorNames.layer(l, "ffn_down.weight"), ff, embd, scale(ff), seeds);
        }
        writer.write(target);
    }

    /** Uniform weights of this bound give outputs of unit variance for unit-variance inputs. */
    private static float scale(int inputs) {
        return (float) Math.sqrt(3.0 / inputs);
    }

    private int fileType() {
        return switch (types.main()) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q4_1 -> 3;
            case Q8_0 -> 7;
            case Q5_0 -> 8;
            case Q5_1 -> 9;
            case Q4_K -> 15;
            case Q5_K -> 17;
            case Q6_K -> 18;
            case BF16 -> 32;
            default -> throw new IllegalStateException("no file type for " + types.main());
        };
    }

    /** The type a matrix of {@code type} with rows of {@code columns} weights gets. */
    static GgmlType typeForRows(GgmlType type, int columns) {
        if (columns % type.blockSize() == 0) {
            return type;
        }
        return switch (type) {
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> GgmlType.F16;
        };
    }

    private void matrix(GgufWriter writer, String name, int columns, int rows, float scale, Seeds seeds) {
        GgmlType rowType = typeForRows(types.of(name, shape.layers()), columns);
        long tensorSeed = seeds.next();
        writer.addTensor(name, rowType, new long[] {columns, rows},
                target -> RandomWeights.writeRandomTensor(rowType, (long) columns * rows, tensorSeed, scale, target, 0));
    }

    private static void vector(GgufWriter writer, String name, int length, float center, float spread, Seeds seeds) {
        float[] values = RandomWeights.randomFloats(length, seeds.next(), spread);
        for (int i = 0; i < length; i++) {
            values[i] += center;
        }
        writer.addTensor(name, GgmlType.F32, new long[] {length},
                target -> MemorySegment.copy(values, 0, target, java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0, length));
    }

    private int writeVocabulary(GgufWriter writer) {
        if (vocabulary != null) {
            for (GgufMetadata.Entry entry : vocabulary.metadata().entries().values()) {
                if (entry.key().startsWith("tokenizer.")) {
                    writer.copy(entry);
                }
            }
            return vocabulary.metadata().getStringArray("tokenizer.ggml.tokens").length;
        }
        int size = shape.vocabulary();
        String[] tokens = new String[size];
        float[] scores = new float[size];
        int[] types = new int[size];
        tokens[0] = "<unk>";
        tokens[1] = "<s>";
        tokens[2] = "</s>";
        types[0] = 2; // unknown
        types[1] = 3; // control
        types[2] = 3;
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = "<0x%02X>".formatted(b);
            types[3 + b] = 6; // byte
        }
        for (int i = 259; i < size; i++) {
            tokens[i] = "\u2581w" + i;
            scores[i] = -i;
            types[i] = 1; // normal
        }
        writer.putString("tokenizer.ggml.model", "llama");
        writer.putArray("tokenizer.ggml.tokens", GgufValueType.STRING, tokens);
        writer.putArray("tokenizer.ggml.scores", GgufValueType.FLOAT32, scores);
        writer.putArray("tokenizer.ggml.token_type", GgufValueType.INT32, types);
        writer.putUInt32("tokenizer.ggml.bos_token_id", 1);
        writer.putUInt32("tokenizer.ggml.eos_token_id", 2);
        writer.putUInt32("tokenizer.ggml.unknown_token_id", 0);
        return size;
    }

    /** Independent seeds for each tensor, derived from the model seed in file order. */
    private static final class Seeds {
        private long state;

        Seeds(long seed) {
            this.state = seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        }

        long next() {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            return z ^ (z >>> 27);
        }
    }

    static Optional<GgmlType> parseType(String name) {
        try {
            return Optional.of(GgmlType.valueOf(name.toUpperCase(java.util.Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
