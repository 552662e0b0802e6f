package io.webllm.engine.cli;

import io.webllm.engine.chat.ChatCompletion;
import io.webllm.engine.chat.ChatMessage;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.chat.Usage;
import io.webllm.engine.opencl.DeviceSelector;
import io.webllm.engine.runtime.EngineOptions;
import io.webllm.engine.runtime.LocalEngine;
import io.webllm.engine.tokenizer.Tokenizer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What the engine serves, as opposed to what one forward pass does ({@code bench}): aggregate generation tokens/s of
 * N concurrent streams through {@link LocalEngine} (continuous batching), and the prefill saved by prefix reuse when
 * a conversation's second turn repeats its first.
 */
final class ServeBenchCommand implements Command {

    private static final String[] WORDS = {"the", "little", "dog", "ran", "over", "a", "green", "hill", "and", "saw",
        "big", "red", "ball", "near", "old", "tree", "where", "birds", "sang", "all", "day", "long", "then", "girl",
        "named", "Lily", "found", "shiny", "stone", "by", "river", "happy", "sun", "was", "warm", "bright"};

    @Override
    public String name() {
        return "serve-bench";
    }

    @Override
    public String usage() {
        return "-m FILE [--concurrency 1,4,16] [-n 128] [-p 128] [--device D] [--ctx N] [--template NAME] [--json]  "
                + "aggregate tokens/s of concurrent streams, prefix reuse across turns";
    }

    @Override
    public void run(Args args, PrintStream out) throws Exception {
        boolean json = args.flag("json");
        Path path = Path.of(args.required("model", "m", "model file"));
        List<Integer> concurrency = parseConcurrency(args.option("concurrency", "", "1,4,16"));
        int generate = args.intOption("generate", "n", 128);
        int prompt = args.intOption("prompt", "p", 128);
        DeviceSelector device = DeviceSelector.of(args.option("device", "d", "auto"));
        String template = args.option("template", "", null);
        int maxStreams = concurrency.stream().mapToInt(Integer::intValue).max().orElseThrow();
        // the second turn holds the first prompt, its answer and a short message; room for template tokens besides
        int context = args.intOption("ctx", "c", prompt + 2 * generate + 128);
        args.checkAllUsed();
        if (generate < 1 || prompt < 1) {
            throw new Args.UsageException("-n and -p must be at least 1, got -n " + generate + " -p " + prompt);
        }

        EngineOptions options = EngineOptions.of(path).withDevice(device).withContextLength(context)
                .withMaxSequences(maxStreams).withMaxQueuedRequests(maxStreams + 4).withChatTemplate(template);
        Map<String, Object> result = new LinkedHashMap<>();
        Map<String, Object> reuse;
        String[] turnTwo;
        try (LocalEngine engine = LocalEngine.load(options)) {
            result.put("model", path.getFileName().toString());
            result.put("device", engine.deviceDescription());
            result.put("promptTokensRequested", prompt);
            result.put("generatedTokensPerStream", generate);
            engine.complete(request(List.of(ChatMessage.user("warm up")), 4));
            List<Map<String, Object>> runs = new ArrayList<>();
            double single = 0;
            for (int run = 0; run < concurrency.size(); run++) {
                int streams = concurrency.get(run);
                Map<String, Object> measured = measureConcurrent(engine, streams, run, prompt, generate);
                double aggregate = (double) measured.get("aggregateTokensPerSecond");
                if (streams == 1 && single == 0) {
                    single = aggregate;
                }
                runs.add(measured);
            }
            for (Map<String, Object> measured : runs) {
                if (single > 0) {
                    measured.put("speedupOverOneStream", (double) measured.get("aggregateTokensPerSecond") / single);
                }
            }
            result.put("concurrency", runs);

            String first = promptText(engine.tokenizer(), prompt, "Conversation", concurrency.size());
            // a natural answer (ending at end-of-generation): with ignore_eos the cache would hold tokens past an
            // end-of-turn that the re-rendered conversation does not repeat
            ChatCompletion answer = engine.complete(request(List.of(ChatMessage.user(first)), generate).mutate().ignoreEos(false).build());
            List<ChatMessage> conversation = List.of(ChatMessage.user(first),
                    ChatMessage.assistant(answer.choices().getFirst().content()), ChatMessage.user("And what happened next?"));
            reuse = prefill(engine.complete(request(conversation, 1)).usage());
            turnTwo = new String[] {first, answer.choices().getFirst().content()};
        }
        // a fresh engine (one slot, nothing cached but its warm-up) prefills the same second-turn prompt from scratch
        try (LocalEngine fresh = LocalEngine.load(options.withMaxSequences(1).withMaxQueuedRequests(2))) {
            fresh.complete(request(List.of(ChatMessage.user("warm up")), 4));
            List<ChatMessage> conversation = List.of(ChatMessage.user(turnTwo[0]), ChatMessage.assistant(turnTwo[1]),
                    ChatMessage.user("And what happened next?"));
            Map<String, Object> scratch = prefill(fresh.complete(request(conversation, 1)).usage());
            Map<String, Object> multiTurn = new LinkedHashMap<>();
            multiTurn.put("withPrefixReuse", reuse);
            multiTurn.put("freshEngine", scratch);
            multiTurn.put("prefillSpeedup", (double) scratch.get("prefillMilliseconds") / (double) reuse.get("prefillMilliseconds"));
            result.put("multiTurn", multiTurn);
        }
        if (json) {
            Json.print(out, result);
        } else {
            printTable(out, result);
        }
    }

    static List<Integer> parseConcurrency(String text) {
        List<Integer> values = new ArrayList<>();
        for (String part : text.split(",")) {
            try {
                int value = Integer.parseInt(part.strip());
                if (value < 1) {
                    throw new NumberFormatException();
                }
                values.add(value);
            } catch (NumberFormatException e) {
                throw new Args.UsageException("--concurrency must list stream counts of at least 1 like 1,4,16, got '" + text + "'");
            }
        }
        return values;
    }

    /**
     * N greedy streams of {@code generate} tokens each, started together. Each prompt opens with its run and stream
     * number, so no stream finds another's (or an earlier run's) prompt in the prefix cache.
     */
    private static Map<String, Object> measureConcurrent(LocalEngine engine, int streams, int run, int prompt, int generate)
            throws InterruptedException, ExecutionException {
        List<ChatRequest> requests = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            String text = promptText(engine.tokenizer(), prompt, "Request " + run + "." + i, run * 1000 + i);
            requests.add(request(List.of(ChatMessage.user(text)), generate));
        }
        List<Usage> usages = new ArrayList<>();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(streams)) {
            List<Future<ChatCompletion>> futures = new ArrayList<>();
            for (ChatRequest request : requests) {
                futures.add(pool.submit(() -> engine.complete(request)));
            }
            for (Future<ChatCompletion> future : futures) {
                usages.add(future.get().usage());
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        int tokens = usages.stream().mapToInt(Usage::completionTokens).sum();
        Map<String, Object> measured = new LinkedHashMap<>();
        measured.put("streams", streams);
        measured.put("meanPromptTokens", usages.stream().mapToInt(Usage::promptTokens).average().orElseThrow());
        measured.put("generatedTokens", tokens);
        measured.put("wallSeconds", wall);
        measured.put("aggregateTokensPerSecond", tokens / wall);
        measured.put("perStreamTokensPerSecond", usages.stream().mapToDouble(Usage::decodeTokensPerSecond).average().orElseThrow());
        measured.put("meanTimeToFirstTokenMilliseconds", usages.stream().mapToDouble(Usage::timeToFirstTokenSeconds).average().orElseThrow() * 1e3);
        return measured;
    }

    private static Map<String, Object> prefill(Usage usage) {
        Map<String, Object> measured = new LinkedHashMap<>();
        measured.put("promptTokens", usage.promptTokens());
        measured.put("cachedTokens", usage.cachedPromptTokens());
        measured.put("prefilledTokens", usage.promptTokens() - usage.cachedPromptTokens());
        // time to first token of a one-token answer: the prefill of the uncached part and one sampling step
        measured.put("prefillMilliseconds", usage.timeToFirstTokenSeconds() * 1e3);
        return measured;
    }

    private static ChatRequest request(List<ChatMessage> messages, int maxTokens) {
        return ChatRequest.builder().messages(messages).temperature(0.0).maxTokens(maxTokens).ignoreEos(true).build();
    }

    /** About {@code tokens} tokens of seeded word salad after a distinct label (counted without the chat template). */
    static String promptText(Tokenizer tokenizer, int tokens, String label, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder(label).append(':');
        while (true) {
            for (int i = 0; i < 8; i++) {
                text.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
            }
            int count = tokenizer.encode(text.toString(), false, false).length;
            if (count >= tokens) {
                return text.toString();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void printTable(PrintStream out, Map<String, Object> result) {
        out.printf("%s on %s, prompts of about %s tokens, %s generated per stream%n", result.get("model"), result.get("device"),
                result.get("promptTokensRequested"), result.get("generatedTokensPerStream"));
        out.printf("%8s %14s %14s %12s %9s%n", "streams", "aggregate t/s", "per-stream t/s", "mean TTFT ms", "speedup");
        for (Map<String, Object> run : (List<Map<String, Object>>) result.get("concurrency")) {
            Object speedup = run.get("speedupOverOneStream");
            out.printf("%8d %14.1f %14.1f %12.1f %9s%n", (int) run.get("streams"), (double) run.get("aggregateTokensPerSecond"),
                    (double) run.get("perStreamTokensPerSecond"), (double) run.get("meanTimeToFirstTokenMilliseconds"),
                    speedup == null ? "-" : "%.2fx".formatted((double) speedup));
        }
        Map<String, Object> multiTurn = (Map<String, Object>) result.get("multiTurn");
        out.println("second turn of a conversation:");
        for (String key : List.of("withPrefixReuse", "freshEngine")) {
            Map<String, Object> m = (Map<String, Object>) multiTurn.get(key);
            out.printf("  %-16s %5d of %5d prompt tokens prefilled in %8.1f ms%n", key, (int) m.get("prefilledTokens"),
                    (int) m.get("promptTokens"), (double) m.get("prefillMilliseconds"));
        }
        out.printf("  prefill speedup %.2fx%n", (double) multiTurn.get("prefillSpeedup"));
    }
}
