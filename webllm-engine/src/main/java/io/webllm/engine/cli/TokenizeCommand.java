package io.webllm.engine.cli;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.tokenizer.Tokenizer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

final class TokenizeCommand implements Command {

    @Override
    public String name() {
        return "tokenize";
    }

    @Override
    public String usage() {
        return "-m FILE (--text T | -f FILE) [--no-bos] [--pieces] [--json]  token ids of a text (special tokens in it are recognised)";
    }

    @Override
    public Set<String> flags() {
        return Set.of("json", "no-bos", "pieces");
    }

    @Override
    public void run(Args args, PrintStream out) throws Exception {
        boolean json = args.flag("json");
        boolean noBos = args.flag("no-bos");
        boolean pieces = args.flag("pieces");
        Path path = Path.of(args.required("model", "m", "model or vocabulary file"));
        String text = args.option("text", "t", null);
        String file = args.option("file", "f", null);
        args.checkAllUsed();
        if ((text == null) == (file == null)) {
            throw new Args.UsageException("give exactly one of --text and -f");
        }
        if (file != null) {
            text = Files.readString(Path.of(file));
        }
        try (GgufFile gguf = GgufFile.open(path)) {
            Tokenizer tokenizer = Tokenizer.fromGguf(gguf.metadata());
            int[] ids = tokenizer.encode(text, !noBos, true);
            // each token's own bytes, so SentencePiece's leading spaces show
            String[] texts = Arrays.stream(ids).mapToObj(id -> new String(tokenizer.decodeBytes(id), java.nio.charset.StandardCharsets.UTF_8)).toArray(String[]::new);
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("ids", ids);
                if (pieces) {
                    result.put("pieces", texts);
                }
                Json.print(out, result);
            } else if (pieces) {
                for (int i = 0; i < ids.length; i++) {
                    out.printf("%6d -> '%s'%n", ids[i], texts[i]);
                }
            } else {
                out.println(Arrays.toString(ids));
            }
        }
    }
}
