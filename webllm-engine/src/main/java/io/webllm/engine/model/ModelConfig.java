package io.webllm.engine.model;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.gguf.GgufFormatException;
import io.webllm.engine.gguf.GgufMetadata;
import java.util.Locale;

/**
 * The hyper-parameters of a model, all read from GGUF metadata ({@code <arch>.*} keys).
 *
 * @param headDim        values per attention head (Qwen3 sets it apart from embeddingLength / headCount)
 * @param ropeFreqScale  positions are multiplied by this before rotation (1 / factor of linear rope scaling)
 * @param hasRopeFreqs   whether the file carries {@code rope_freqs.weight} (Llama 3.1+ rope scaling)
 * @param tiedOutput     whether logits use the token embeddings because {@code output.weight} is absent
 */
public record ModelConfig(
        Architecture architecture,
        int layerCount,
        int embeddingLength,
        int headCount,
        int kvHeadCount,
        int headDim,
        int feedForwardLength,
        int vocabularySize,
        int contextLength,
        float rmsEpsilon,
        float ropeFreqBase,
        float ropeFreqScale,
        boolean hasRopeFreqs,
        boolean tiedOutput) {

    public int queryDim() {
        return headCount * headDim;
    }

    public int kvDim() {
        return kvHeadCount * headDim;
    }

    public static ModelConfig from(GgufFile file) {
        GgufMetadata metadata = file.metadata();
        String archName = metadata.getString("general.architecture");
        Architecture architecture = Architecture.fromGguf(file.path(), archName);
        String p = archName.toLowerCase(Locale.ROOT) + ".";
        int embedding = metadata.getInt(p + "embedding_length");
        int heads = metadata.getInt(p + "attention.head_count");
        int kvHeads = metadata.findInt(p + "attention.head_count_kv").orElse(heads);
        int headDim = metadata.findInt(p + "attention.key_length").orElse(heads == 0 ? 0 : embedding / heads);
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new GgufFormatException(file.path(), "attention heads (%d) must be a positive multiple of KV heads (%d)"
                    .formatted(heads, kvHeads));
        }
        int ropeDims = metadata.findInt(p + "rope.dimension_count").orElse(headDim);
        if (ropeDims != headDim) {
            throw new GgufFormatException(file.path(), "partial rotary embeddings (%s = %d, head size %d) are not supported"
                    .formatted(p + "rope.dimension_count", ropeDims, headDim));
        }
        float freqScale = 1.0f;
        String scaling = metadata.findString(p + "rope.scaling.type").orElse("none");
        switch (scaling) {
            case "none" -> { }
            case "linear" -> freqScale = 1.0f / metadata.getFloat(p + "rope.scaling.factor");
            default -> throw new GgufFormatException(file.path(), "rope scaling '%s' is not supported (supported: none, linear, and Llama 3's rope_freqs)"
                    .formatted(scaling));
        }
        int vocabulary = Math.toIntExact(file.tensor("token_embd.weight").rowCount());
        return new ModelConfig(architecture,
                metadata.getInt(p + "block_count"),
                embedding,
                heads,
                kvHeads,
                headDim,
                metadata.getInt(p + "feed_forward_length"),
                vocabulary,
                metadata.getInt(p + "context_length"),
                metadata.getFloat(p + "attention.layer_norm_rms_epsilon"),
                metadata.findFloat(p + "rope.freq_base").orElse(10000f),
                freqScale,
                file.tensors().containsKey("rope_freqs.weight"),
                !file.tensors().containsKey("output.weight"));
    }
}
