package io.webllm.engine.cli;

import io.webllm.engine.model.Batch;
import io.webllm.engine.opencl.DeviceSelector;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Perplexity as llama.cpp's perplexity tool computes it: the text (with BOS) is cut into chunks of {@code ctx}
 * tokens, each chunk starts with BOS and is evaluated from position 0, and only the predictions of the second half
 * of each chunk count, so every scored token has at least ctx/2 tokens of context.
 */
final class PerplexityCommand implements Command {

    @Override
    public String name() {
        return "perplexity";
    }

    @Override
    public String usage() {
        return "-m FILE -f TEXT.txt [--ctx 512] [--chunks N] [--device D] [--json]  perplexity over a text, as llama.cpp computes it";
    }

    @Override
    public void run(Args args, PrintStream out) throws Exception {
        boolean json = args.flag("json");
        Path path = Path.of(args.required("model", "m", "model file"));
        Path textFile = Path.of(args.required("file", "f", "text file"));
        int ctx = args.intOption("ctx", "c", 512);
        int maxChunks = args.intOption("chunks", "", -1);
        DeviceSelector device = DeviceSelector.of(args.option("device", "d", "auto"));
        args.checkAllUsed();
        String text = Files.readString(textFile);
        try (ModelSession session = new ModelSession(path, device, ctx, Math.min(ctx, 128))) {
            if (session.model.contextLength() < ctx) {
                throw new IllegalArgumentException("--ctx %d exceeds the model's context of %d".formatted(ctx, session.model.contextLength()));
            }
            int[] tokens = session.tokenizer.encode(text, true, false);
            if (tokens.length < 2 * ctx) {
                throw new IllegalArgumentException("perplexity needs at least %d tokens (2 x --ctx) but %s has %d"
                        .formatted(2 * ctx, textFile, tokens.length));
            }
            int chunks = tokens.length / ctx;
            if (maxChunks > 0) {
                chunks = Math.min(chunks, maxChunks);
            }
            int vocab = session.model.config().vocabularySize();
            int first = ctx / 2;
            double nll = 0;
            long count = 0;
            boolean addBos = session.tokenizer.addBos() && session.tokenizer.bos().isPresent();
            for (int c = 0; c < chunks; c++) {
                int[] chunk = Arrays.copyOfRange(tokens, c * ctx, (c + 1) * ctx);
                int[] input = chunk.clone();
                if (addBos) {
                    input[0] = session.tokenizer.bos().getAsInt();
                }
                float[] logits = session.model.forward(Batch.sequence(input, 0, 0, true));
                for (int i = first; i < ctx - 1; i++) {
                    nll -= logSoftmax(logits, i * vocab, vocab, chunk[i + 1]);
                    count++;
                }
                if (!json) {
                    System.err.printf("webllm: chunk %d/%d, running perplexity %.4f%n", c + 1, chunks, Math.exp(nll / count));
                }
            }
            double ppl = Math.exp(nll / count);
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("ppl", ppl);
                result.put("tokens", tokens.length);
                result.put("scoredTokens", count);
                result.put("chunks", chunks);
                result.put("ctx", ctx);
                Json.print(out, result);
            } else {
                out.printf("perplexity %.4f over %d scored tokens (%d chunks of %d)%n", ppl, count, chunks, ctx);
            }
        }
    }

    private static double logSoftmax(float[] logits, int offset, int n, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        return logits[offset + target] - max - Math.log(sum);
    }
}
