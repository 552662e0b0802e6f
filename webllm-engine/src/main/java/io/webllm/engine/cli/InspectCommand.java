package io.webllm.engine.cli;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.gguf.GgufMetadata;
import io.webllm.engine.gguf.GgufTensorInfo;
import io.webllm.engine.gguf.GgufValueType;
import io.webllm.engine.model.ModelConfig;
import java.io.PrintStream;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

final class InspectCommand implements Command {

    @Override
    public String name() {
        return "inspect";
    }

    @Override
    public String usage() {
        return "FILE [--json]  architecture, parameters, context, tensor types and metadata of a GGUF file";
    }

    @Override
    public void run(Args args, PrintStream out) {
        boolean json = args.flag("json");
        Path path = Path.of(args.positional(0, "GGUF file"));
        args.checkAllUsed();
        try (GgufFile file = GgufFile.open(path)) {
            long parameters = 0;
            Map<String, Long> typeCounts = new TreeMap<>();
            for (GgufTensorInfo info : file.tensors().values()) {
                parameters += info.elementCount();
                typeCounts.merge(info.type().name(), 1L, Long::sum);
            }
            GgufMetadata metadata = file.metadata();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("file", path.toString());
            result.put("version", file.version());
            result.put("fileSizeBytes", file.fileSize());
            result.put("architecture", metadata.findString("general.architecture").orElse(null));
            result.put("name", metadata.findString("general.name").orElse(null));
            result.put("parameters", parameters);
            result.put("tensors", file.tensors().size());
            result.put("tensorTypes", typeCounts);
            try {
                ModelConfig config = ModelConfig.from(file);
                result.put("contextLength", config.contextLength());
                result.put("layers", config.layerCount());
                result.put("embeddingLength", config.embeddingLength());
                result.put("heads", config.headCount());
                result.put("kvHeads", config.kvHeadCount());
                result.put("headDim", config.headDim());
                result.put("feedForwardLength", config.feedForwardLength());
                result.put("vocabularySize", config.vocabularySize());
            } catch (RuntimeException e) {
                result.put("modelError", e.getMessage());
            }
            Map<String, Object> keys = new LinkedHashMap<>();
            for (GgufMetadata.Entry entry : metadata.entries().values()) {
                keys.put(entry.key(), summarize(entry));
            }
            result.put("metadata", keys);
            if (json) {
                Json.print(out, result);
                return;
            }
            result.forEach((key, value) -> {
                if (!key.equals("metadata")) {
                    out.printf("%-18s %s%n", key, value);
                }
            });
            out.println("metadata:");
            keys.forEach((key, value) -> out.printf("  %-40s %s%n", key, value));
        }
    }

    /** Scalars as they are; arrays as their type and length with the first few elements. */
    private static Object summarize(GgufMetadata.Entry entry) {
        if (entry.type() != GgufValueType.ARRAY) {
            Object value = entry.value();
            return value instanceof String s && s.length() > 200 ? s.substring(0, 200) + "... (" + s.length() + " chars)" : value;
        }
        int length = Array.getLength(entry.value());
        StringBuilder text = new StringBuilder("[").append(entry.elementType()).append(" x ").append(length).append("]");
        for (int i = 0; i < Math.min(4, length); i++) {
            text.append(i == 0 ? " " : ", ").append(Array.get(entry.value(), i));
        }
        return length > 4 ? text.append(", ...").toString() : text.toString();
    }
}
