package io.webllm.engine.cli;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.model.ModelShape;
import io.webllm.engine.model.SyntheticModelWriter;
import io.webllm.engine.model.WeightTypes;
import io.webllm.engine.tensor.GgmlType;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

final class SynthCommand implements Command {

    @Override
    public String name() {
        return "synth";
    }

    @Override
    public String usage() {
        return "--shape NAME --type TYPE|q4_k_m --seed N [--vocab VOCAB.gguf] -o OUT.gguf [--json]  a model of a real shape with seeded random weights";
    }

    @Override
    public void run(Args args, PrintStream out) throws Exception {
        boolean json = args.flag("json");
        ModelShape shape = ModelShape.byId(args.required("shape", "", "model shape"));
        String typeName = args.option("type", "t", "q8_0");
        WeightTypes types = WeightTypes.parse(typeName).orElseThrow(() -> new IllegalArgumentException(
                "unknown weight type '%s' (supported: %s, and the mix %s)".formatted(typeName, GgmlType.supportedNames(), WeightTypes.Q4_K_M.name())));
        long seed = Long.parseLong(args.option("seed", "s", "1"));
        String vocab = args.option("vocab", "", null);
        Path target = Path.of(args.required("output", "o", "output file"));
        args.checkAllUsed();
        long start = System.nanoTime();
        SyntheticModelWriter writer = new SyntheticModelWriter(shape, types, seed);
        if (vocab != null) {
            try (GgufFile vocabulary = GgufFile.open(Path.of(vocab))) {
                writer.vocabulary(vocabulary).write(target);
            }
        } else {
            writer.write(target);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("file", target.toString());
        result.put("shape", shape.id());
        result.put("type", types.name());
        result.put("seed", seed);
        result.put("sizeBytes", Files.size(target));
        result.put("seconds", seconds);
        if (json) {
            Json.print(out, result);
        } else {
            out.printf("wrote %s (%s %s, %.2f GB) in %.1f s%n", target, shape.id(), types.name(), Files.size(target) / 1e9, seconds);
        }
    }
}
