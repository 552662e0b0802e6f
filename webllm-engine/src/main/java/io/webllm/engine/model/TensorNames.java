package io.webllm.engine.model;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.gguf.GgufFormatException;
import io.webllm.engine.gguf.GgufTensorInfo;
import java.util.Arrays;

/** The GGUF tensor names of the Llama family, and the check that each has the shape the configuration implies. */
public final class TensorNames {

    public static final String TOKEN_EMBEDDING = "token_embd.weight";
    public static final String OUTPUT_NORM = "output_norm.weight";
    public static final String OUTPUT = "output.weight";
    public static final String ROPE_FREQS = "rope_freqs.weight";

    private TensorNames() {
    }

    public static String layer(int layer, String name) {
        return "blk." + layer + "." + name;
    }

    /** Throws a {@link GgufFormatException} naming the first tensor that is missing or shaped wrongly. */
    public static void verify(GgufFile file, ModelConfig c) {
        expect(file, TOKEN_EMBEDDING, c.embeddingLength(), c.vocabularySize());
        expect(file, OUTPUT_NORM, c.embeddingLength());
        if (!c.tiedOutput()) {
            expect(file, OUTPUT, c.embeddingLength(), c.vocabularySize());
        }
        if (c.hasRopeFreqs()) {
            expect(file, ROPE_FREQS, c.headDim() / 2);
        }
        for (int l = 0; l < c.layerCount(); l++) {
            expect(file, layer(l, "attn_norm.weight"), c.embeddingLength());
            expect(file, layer(l, "attn_q.weight"), c.embeddingLength(), c.queryDim());
            expect(file, layer(l, "attn_k.weight"), c.embeddingLength(), c.kvDim());
            expect(file, layer(l, "attn_v.weight"), c.embeddingLength(), c.kvDim());
            expect(file, layer(l, "attn_output.weight"), c.queryDim(), c.embeddingLength());
            if (c.architecture().qkvBias()) {
                expect(file, layer(l, "attn_q.bias"), c.queryDim());
                expect(file, layer(l, "attn_k.bias"), c.kvDim());
                expect(file, layer(l, "attn_v.bias"), c.kvDim());
            }
            if (c.architecture().qkNorm()) {
                expect(file, layer(l, "attn_q_norm.weight"), c.headDim());
                expect(file, layer(l, "attn_k_norm.weight"), c.headDim());
            }
            expect(file, layer(l, "ffn_norm.weight"), c.embeddingLength());
            expect(file, layer(l, "ffn_gate.weight"), c.embeddingLength(), c.feedForwardLength());
            expect(file, layer(l, "ffn_up.weight"), c.embeddingLength(), c.feedForwardLength());
            expect(file, layer(l, "ffn_down.weight"), c.feedForwardLength(), c.embeddingLength());
        }
    }

    private static void expect(GgufFile file, String name, long... dims) {
        GgufTensorInfo info = file.tensor(name);
        if (!Arrays.equals(info.dims(), dims)) {
            throw new GgufFormatException(file.path(), "tensor '%s' has shape %s but the %s configuration needs %s"
                    .formatted(name, Arrays.toString(info.dims()),
                            file.metadata().getString("general.architecture"), Arrays.toString(dims)));
        }
        if (!info.type().supported()) {
            throw new GgufFormatException(file.path(), "tensor '%s' has weight type %s, which this engine does not support (supported: %s)"
                    .formatted(name, info.type(), io.webllm.engine.tensor.GgmlType.supportedNames()));
        }
    }
}
