package io.webllm.engine.cli;

import io.webllm.engine.model.Batch;
import io.webllm.engine.opencl.DeviceSelector;
import io.webllm.engine.sampling.Sampler;
import io.webllm.engine.sampling.SamplingParams;
import io.webllm.engine.sampling.SamplingState;
import io.webllm.engine.tokenizer.StreamingDecoder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Raw text continuation: the prompt as written (BOS as the model's metadata says, no chat template). */
final class GenerateCommand implements Command {

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String usage() {
        return "-m FILE -p PROMPT [-n 128] [--temp 0.8] [--seed S] [--ctx N] [--device D] [--ignore-eos] [--json]  continue a prompt";
    }

    @Override
    public Set<String> flags() {
        return Set.of("json", "ignore-eos");
    }

    @Override
    public void run(Args args, PrintStream out) {
        boolean json = args.flag("json");
        boolean ignoreEos = args.flag("ignore-eos");
        Path path = Path.of(args.required("model", "m", "model file"));
        String prompt = args.required("prompt", "p", "prompt");
        int maxTokens = args.intOption("n-predict", "n", 128);
        double temperature = args.doubleOption("temp", "", 0.8);
        String seedText = args.option("seed", "s", null);
        int contextOption = args.intOption("ctx", "c", 0);
        DeviceSelector device = DeviceSelector.of(args.option("device", "d", "auto"));
        args.checkAllUsed();

        try (ModelSession session = new ModelSession(path, device, contextOption, 64)) {
            int[] promptIds = session.tokenizer.encode(prompt, true, true);
            int context = session.model.contextLength();
            if (promptIds.length >= context) {
                throw new IllegalArgumentException("the prompt has %d tokens but the context holds %d".formatted(promptIds.length, context));
            }
            SamplingParams params = SamplingParams.builder().temperature(temperature)
                    .seed(seedText == null ? null : Long.parseLong(seedText)).build();
            SamplingState state = SamplingState.create(params, session.model.config().vocabularySize());
            state.acceptPrompt(promptIds);
            Sampler sampler = Sampler.standard();
            StreamingDecoder decoder = session.tokenizer.streamingDecoder(false);
            StringBuilder text = new StringBuilder();
            int[] generated = new int[maxTokens];
            int count = 0;
            String finish = "length";

            long start = System.nanoTime();
            float[] logits = session.model.forward(Batch.sequence(promptIds, 0, 0));
            long firstToken = System.nanoTime();
            int position = promptIds.length;
            while (count < maxTokens && position < context) {
                int token = sampler.sample(logits, state);
                state.accept(token);
                if (!ignoreEos && session.tokenizer.isEndOfGeneration(token)) {
                    finish = "stop";
                    break;
                }
                generated[count++] = token;
                String piece = decoder.accept(token);
                text.append(piece);
                if (!json) {
                    out.print(piece);
                    out.flush();
                }
                if (count == maxTokens || position + 1 >= context) {
                    break;
                }
                logits = session.model.forward(Batch.sequence(new int[] {token}, position++, 0));
            }
            String rest = decoder.finish();
            text.append(rest);
            long end = System.nanoTime();
            double prefillSeconds = (firstToken - start) / 1e9;
            double decodeSeconds = (end - firstToken) / 1e9;
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("text", text.toString());
                result.put("ids", Arrays.copyOf(generated, count));
                result.put("promptIds", promptIds);
                result.put("finishReason", finish);
                result.put("seed", state.seed());
                Map<String, Object> timings = new LinkedHashMap<>();
                timings.put("loadSeconds", session.loadSeconds);
                timings.put("prefillTokensPerSecond", promptIds.length / prefillSeconds);
                timings.put("decodeTokensPerSecond", count / decodeSeconds);
                timings.put("totalSeconds", (end - start) / 1e9);
                result.put("timings", timings);
                Json.print(out, result);
            } else {
                out.println(rest);
                System.err.printf("webllm: %d prompt tokens at %.1f tok/s, %d generated at %.1f tok/s (%s)%n",
                        promptIds.length, promptIds.length / prefillSeconds, count, count / decodeSeconds, finish);
            }
        }
    }
}
