package io.webllm.engine.cli;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.gguf.GgufTensorInfo;
import io.webllm.engine.model.Batch;
import io.webllm.engine.model.DeviceDecode;
import io.webllm.engine.model.DeviceDraw;
import io.webllm.engine.model.DrawOnHostException;
import io.webllm.engine.model.LoadListener;
import io.webllm.engine.model.ModelConfig;
import io.webllm.engine.model.TensorNames;
import io.webllm.engine.model.Transformer;
import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.DeviceSelector;
import io.webllm.engine.opencl.Tuning;
import io.webllm.engine.sampling.Sampler;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * llama-bench's two numbers (prompt processing of {@code -p} tokens, generation of {@code -n} tokens) plus the load
 * time and the share of the device's measured copy bandwidth that decode reaches: decode reads every weight once
 * per token, so bytes per token / seconds per token against the copy rate says how close to the roofline it runs.
 */
final class BenchCommand implements Command {

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String usage() {
        return "-m FILE [-p 512] [-n 128] [--device D] [--batch 256] [--streams 1] [--repeat 1] [--profile] [--json]  prefill and decode tokens/s "
                + "(greedy, picked on the device; sampled*: drawn on the device at temperature 0.8; topKTopP*: with top-k 40 and "
                + "top-p 0.9; hostPick*: picked on the host, as requests the device does not draw), load time, bandwidth share; "
                + "--streams N also decodes N sequences a step (aggregate tokens/s, speedup over one); --repeat N decodes greedily N "
                + "times (decodeRuns: each run's tokens/s and host enqueue ms a token, and their median)";
    }

    @Override
    public java.util.Set<String> flags() {
        return java.util.Set.of("json", "profile");
    }

    @Override
    public void run(Args args, PrintStream out) {
        boolean json = args.flag("json");
        Path path = Path.of(args.required("model", "m", "model file"));
        int prompt = args.intOption("prompt", "p", 512);
        int generate = args.intOption("generate", "n", 128);
        int batch = args.intOption("batch", "b", 256);
        int streams = args.intOption("streams", "", 1);
        int repeat = args.intOption("repeat", "", 1);
        boolean profile = args.flag("profile");
        DeviceSelector device = DeviceSelector.of(args.option("device", "d", "auto"));
        args.checkAllUsed();
        if (streams < 1) {
            throw new Args.UsageException("--streams must be at least 1, got " + streams);
        }
        if (repeat < 1) {
            throw new Args.UsageException("--repeat must be at least 1, got " + repeat);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        try (ClContext cl = ClContext.open(device)) {
            result.put("device", cl.device().describe());
            double copyBytesPerSecond = copyBandwidth(cl);
            result.put("copyGBps", copyBytesPerSecond / 1e9);
            long loadStart = System.nanoTime();
            try (GgufFile file = GgufFile.open(path);
                 Transformer model = Transformer.load(file, cl,
                         new Transformer.Options(prompt + generate + 1, streams, Math.max(streams, Math.min(batch, prompt))), LoadListener.NONE)) {
                cl.kernels();
                double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
                ModelConfig config = model.config();
                result.put("model", path.getFileName().toString());
                result.put("loadSeconds", loadSeconds);
                SplittableRandom random = new SplittableRandom(1);
                int[] tokens = random.ints(prompt, 0, config.vocabularySize()).toArray();
                // warm-up: compile caches, first-touch of buffers
                model.forward(Batch.sequence(new int[] {tokens[0]}, 0, 0));
                long prefillStart = System.nanoTime();
                float[] logits = model.forward(Batch.sequence(tokens, 0, 0));
                double prefillSeconds = (System.nanoTime() - prefillStart) / 1e9;
                int first = Sampler.argmax(logits);
                // as a sampled request decodes: the host reads each token's logits and picks, then enqueues the next pass
                int token = first;
                int[] hostPicked = new int[generate];
                long hostPickStart = System.nanoTime();
                long hostPickEnqueueNanos = 0;
                float[] row = null; // reused, as the engine's scheduler reuses its logits
                for (int i = 0; i < generate; i++) {
                    row = model.forward(Batch.sequence(new int[] {token}, prompt + i, 0), row);
                    token = hostPicked[i] = Sampler.argmax(row);
                    hostPickEnqueueNanos += model.lastEnqueueNanos();
                }
                double hostPickSeconds = (System.nanoTime() - hostPickStart) / 1e9;
                // as a greedy request decodes: the same positions again, each token picked on the device, passes ahead
                int[] devicePicked = new int[generate];
                long[] enqueue = {0};
                int[] one = {first};
                int[] at = {prompt};
                int[] slot0 = {0};
                TimedDecode greedy = timeDeviceDecode(model, one, at, slot0, new DeviceDraw[] {DeviceDraw.GREEDY}, generate,
                        (pass, picked) -> {
                            devicePicked[pass] = picked[0];
                            enqueue[0] += model.lastEnqueueNanos();
                        });
                long enqueueNanos = enqueue[0];
                double decodeSeconds = greedy.seconds();
                // the last pass's last attention launch, with -Dwebllm.attention.timing (before other decodes overwrite it)
                Map<String, Double> attentionPhases = model.attentionPhaseMicros();
                Map<String, Double> chainPhases = model.chainPhaseMicros();
                if (repeat > 1) {
                    result.put("decodeRuns", repeatedDecodes(model, one, at, slot0, generate, repeat, greedy, enqueueNanos));
                }
                if (model.drawsOnDevice()) {
                    // as a sampled request decodes (temperature 0.8): the same positions, each token drawn on the device
                    TimedDecode sampled = timeDeviceDecode(model, one, at, slot0, new DeviceDraw[] {new DeviceDraw(0.8f, 0, 1, 0)},
                            generate, (pass, picked) -> { });
                    result.put("sampledTokensPerSecond", sampled.tokensPerSecond(1));
                    // with top-k 40 and top-p 0.9 (Ollama's defaults), the device's sorted cut (kernel_sample_truncated_next,
                    // as the engine draws them unless -Dwebllm.sample.allOnDevice=false): where a cut is too wide the
                    // device leaves the draw to the host, and the count of tokens drawn before that says so
                    TimedDecode truncated = timeDeviceDecode(model, one, at, slot0,
                            new DeviceDraw[] {new DeviceDraw(0.8f, 40, 0.9, 0, 1, 0)}, generate, (pass, picked) -> { });
                    if (truncated.declined()) {
                        result.put("topKTopPDrawnBeforeHost", truncated.passes());
                    }
                    if (truncated.passes() > 0) {
                        result.put("topKTopPTokensPerSecond", truncated.tokensPerSecond(1));
                    }
                }
                token = devicePicked[generate - 1];
                long weightBytes = bytesReadPerToken(file, config);
                // keys and values, 2 bytes each (the cache holds halves), over the mean context of the decode
                double kvBytes = 2.0 * config.layerCount() * config.kvDim() * 2 * (prompt + generate / 2.0);
                double decodeRate = generate / decodeSeconds;
                double achieved = (weightBytes + kvBytes) * decodeRate;
                result.put("promptTokens", prompt);
                result.put("prefillTokensPerSecond", prompt / prefillSeconds);
                result.put("generatedTokens", generate);
                result.put("decodeTokensPerSecond", decodeRate);
                // host time to enqueue a token's launches: near 1000 / decodeTokensPerSecond, the host is the limit
                result.put("decodeEnqueueMillisPerToken", enqueueNanos / 1e6 / generate);
                result.put("decodeLookahead", Tuning.DECODE_LOOKAHEAD);
                result.put("hostPickTokensPerSecond", generate / hostPickSeconds);
                result.put("hostPickEnqueueMillisPerToken", hostPickEnqueueNanos / 1e6 / generate);
                // both decodes see the same logits: a difference would be a wrong device pick or a nondeterministic kernel
                result.put("devicePicksMatchingHost", (int) java.util.stream.IntStream.range(0, generate)
                        .takeWhile(i -> hostPicked[i] == devicePicked[i]).count());
                result.put("decodeLaunchesPerToken", model.launchesPerPass(1, 1));
                result.put("weightBytesPerToken", weightBytes);
                result.put("achievedGBps", achieved / 1e9);
                result.put("bandwidthFraction", achieved / copyBytesPerSecond);
                if (!attentionPhases.isEmpty()) {
                    result.put("attentionPhaseMicros", attentionPhases);
                }
                if (!chainPhases.isEmpty()) {
                    result.put("chainPhaseMicros", chainPhases);
                }
                if (profile) {
                    result.put("decodeProfile", profileDecode(model, token, prompt + generate, generate));
                    result.put("prefillProfile", profilePrefill(model, tokens));
                }
                if (streams > 1) {
                    result.put("streams", measureStreams(model, tokens, streams, generate, decodeRate, profile));
                }
            }
        }
        if (json) {
            Json.print(out, result);
        } else {
            result.forEach((key, value) -> out.printf("%-24s %s%n", key,
                    value instanceof Double d ? "%.3f".formatted(d) : value));
        }
    }

    /**
     * Milliseconds per decode token spent in each kernel, each launch timed alone (the device drained before and
     * after), plus the time outside kernels: uploads, logits read-back, host work.
     */
    private static Map<String, Object> profileDecode(Transformer model, int token, int position, int generated) {
        // re-run the last decode positions (at most 16), so the context matches the timed decode
        int steps = Math.min(16, generated);
        model.profile(true);
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            token = Sampler.argmax(model.forward(Batch.sequence(new int[] {token}, position - steps + i, 0)));
        }
        double total = (System.nanoTime() - start) / 1e9;
        return profileTable(model.profile(false), total, steps, model);
    }

    /** Each pass's tokens of a timed device decode, as they come. */
    private interface PassTokens {
        void accept(int pass, int[] tokens);
    }

    /**
     * The greedy decode {@code repeat} times in all (the first already timed as {@code first}), each run's tokens/s
     * and host enqueue ms a token, and the median tokens/s: how much of a difference between two benchmarks one run
     * of each can carry (a lent GPU's host moved the 8B's decode by ±6% between runs of one build).
     */
    private static Map<String, Object> repeatedDecodes(Transformer model, int[] tokens, int[] positions, int[] slots,
            int generate, int repeat, TimedDecode first, long firstEnqueueNanos) {
        double[] rates = new double[repeat];
        double[] enqueueMillis = new double[repeat];
        rates[0] = first.tokensPerSecond(1);
        enqueueMillis[0] = firstEnqueueNanos / 1e6 / generate;
        for (int r = 1; r < repeat; r++) {
            long[] enqueue = {0};
            TimedDecode run = timeDeviceDecode(model, tokens, positions, slots, new DeviceDraw[] {DeviceDraw.GREEDY},
                    generate, (pass, picked) -> enqueue[0] += model.lastEnqueueNanos());
            rates[r] = run.tokensPerSecond(1);
            enqueueMillis[r] = enqueue[0] / 1e6 / generate;
        }
        double[] sorted = rates.clone();
        java.util.Arrays.sort(sorted);
        double median = repeat % 2 == 1 ? sorted[repeat / 2] : (sorted[repeat / 2 - 1] + sorted[repeat / 2]) / 2;
        Map<String, Object> runs = new LinkedHashMap<>();
        runs.put("tokensPerSecond", java.util.Arrays.stream(rates).boxed().toList());
        runs.put("enqueueMillisPerToken", java.util.Arrays.stream(enqueueMillis).boxed().toList());
        runs.put("medianTokensPerSecond", median);
        return runs;
    }

    /**
     * A timed device decode: the passes whose tokens it took (all of them, or those before the device left a draw to
     * the host) and the seconds from its start to the last of them.
     */
    private record TimedDecode(int passes, double seconds, boolean declined) {

        double tokensPerSecond(int streams) {
            return passes * streams / seconds;
        }
    }

    /**
     * Decodes up to {@code passes} passes on the device, a token of each sequence a pass picked as {@code draws} says,
     * passes enqueued ahead ({@link Tuning#DECODE_LOOKAHEAD}), handing each pass's tokens to {@code onPass}.
     */
    private static TimedDecode timeDeviceDecode(Transformer model, int[] tokens, int[] positions, int[] slots, DeviceDraw[] draws,
            int passes, PassTokens onPass) {
        int taken = 0;
        boolean declined = false;
        long start = System.nanoTime();
        try (DeviceDecode decode = model.deviceDecode(tokens, positions, slots, draws, model.config().vocabularySize(), passes,
                Tuning.DECODE_LOOKAHEAD)) {
            for (; taken < passes; taken++) {
                onPass.accept(taken, decode.next());
            }
        } catch (DrawOnHostException e) {
            declined = true;
        }
        return new TimedDecode(taken, (System.nanoTime() - start) / 1e9, declined);
    }

    /**
     * Batched decode as a server runs it: {@code streams} sequences, each in its own cache slot after the same
     * prompt, advance one token each per forward pass. Aggregate tokens/s and the speedup over one stream say how
     * much of a pass's cost the sequences share (the weights are read once a pass, not once a sequence). Measured
     * twice: tokens picked on the host from each step's logits (sampled requests), then picked on the device with
     * steps enqueued ahead (greedy requests, and the single stream's decodeTokensPerSecond it is compared with).
     */
    private static Map<String, Object> measureStreams(Transformer model, int[] prompt, int streams, int generate,
                                                      double singleRate, boolean profile) {
        int[] next = new int[streams];
        for (int s = 0; s < streams; s++) {
            // slot 0 already holds the prompt and its decode; the others get it now
            next[s] = s == 0 ? prompt[0] : Sampler.argmax(model.forward(Batch.sequence(prompt, 0, s)));
        }
        int steps = Math.max(1, generate / 2);
        int[] slotIds = java.util.stream.IntStream.range(0, streams).toArray();
        int[] firsts = next.clone();
        Map<String, Object> measured = new LinkedHashMap<>();
        // as sampled requests decode: each step's logits to the host, the tokens picked there
        long start = System.nanoTime();
        long[] forwardNanos = new long[1];
        long enqueueNanos = 0;
        // positions follow the prompt; slot 0's earlier decode entries are overwritten, which changes nothing timed
        for (int i = 0; i < steps; i++) {
            next = decodeStep(model, next, slotIds, prompt.length + i, forwardNanos);
            enqueueNanos += model.lastEnqueueNanos();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int[] hostLast = next;
        // as greedy requests decode: the same steps with the tokens picked on the device, steps enqueued ahead
        int[] positions = new int[streams];
        java.util.Arrays.fill(positions, prompt.length);
        DeviceDraw[] greedyDraws = new DeviceDraw[streams];
        java.util.Arrays.fill(greedyDraws, DeviceDraw.GREEDY);
        int[][] deviceLast = {next};
        TimedDecode greedy = timeDeviceDecode(model, firsts, positions, slotIds, greedyDraws, steps,
                (pass, picked) -> deviceLast[0] = picked);
        next = deviceLast[0];
        double greedySeconds = greedy.seconds();
        double aggregate = greedy.tokensPerSecond(streams);
        if (model.drawsOnDevice()) {
            // as sampled requests decode (temperature 0.8, a seed each): the same steps, the tokens drawn on the device
            DeviceDraw[] draws = new DeviceDraw[streams];
            for (int s = 0; s < streams; s++) {
                draws[s] = new DeviceDraw(0.8f, 0, s + 1, 0);
            }
            measured.put("sampledAggregateTokensPerSecond",
                    timeDeviceDecode(model, firsts, positions, slotIds, draws, steps, (pass, picked) -> { }).tokensPerSecond(streams));
        }
        measured.put("streams", streams);
        measured.put("steps", steps);
        measured.put("aggregateTokensPerSecond", aggregate);
        measured.put("speedupOverOneStream", aggregate / singleRate);
        measured.put("lastTokensMatchHostPicks", java.util.Arrays.equals(next, hostLast));
        measured.put("hostPickAggregateTokensPerSecond", (double) steps * streams / seconds);
        // a host-picked step's forward pass (up to its logits on the host) against the whole step (the rest: picking)
        measured.put("hostPickForwardMillisPerStep", forwardNanos[0] / 1e6 / steps);
        // of which the host spent enqueueing the step's launches: near the forward pass, the host's launches bound it
        measured.put("hostPickEnqueueMillisPerStep", enqueueNanos / 1e6 / steps);
        measured.put("hostPickStepMillis", seconds * 1e3 / steps);
        measured.put("stepMillis", greedySeconds * 1e3 / steps);
        if (profile) {
            int profiled = Math.min(8, steps);
            model.profile(true);
            long profileStart = System.nanoTime();
            for (int i = 0; i < profiled; i++) {
                next = decodeStep(model, next, slotIds, prompt.length + steps - profiled + i, new long[1]);
            }
            double total = (System.nanoTime() - profileStart) / 1e9;
            measured.put("stepProfile", profileTable(model.profile(false), total, profiled, model));
        }
        return measured;
    }

    /**
     * One token for each slot at {@code position}, logits for all; returns each slot's greedy next token and adds the
     * forward pass's time to {@code forwardNanos[0]}.
     */
    private static int[] decodeStep(Transformer model, int[] tokens, int[] slotIds, int position, long[] forwardNanos) {
        int[] positions = new int[tokens.length];
        java.util.Arrays.fill(positions, position);
        long start = System.nanoTime();
        float[] logits = model.forward(new Batch(tokens, positions, slotIds, slotIds.clone()));
        forwardNanos[0] += System.nanoTime() - start;
        int vocab = model.config().vocabularySize();
        int[] next = new int[tokens.length];
        // on several threads, as the engine's scheduler draws a step's tokens
        java.util.stream.IntStream.range(0, tokens.length).parallel()
                .forEach(s -> next[s] = Sampler.argmax(java.util.Arrays.copyOfRange(logits, s * vocab, (s + 1) * vocab)));
        return next;
    }

    /** Per kernel: milliseconds and launches per pass, of {@code passes} passes that took {@code total} seconds. */
    private static Map<String, Object> profileTable(Map<String, double[]> measured, double total, int passes, Transformer model) {
        Map<String, Object> table = new LinkedHashMap<>();
        double inKernels = 0;
        for (Map.Entry<String, double[]> entry : measured.entrySet()) {
            table.put(entry.getKey(), "%.3f ms x%d".formatted(entry.getValue()[0] * 1e3 / passes, (int) (entry.getValue()[1] / passes)));
            inKernels += entry.getValue()[0];
        }
        table.put("outside layer kernels", "%.3f ms".formatted((total - inKernels) * 1e3 / passes));
        table.put("timing", model.context().profiling() ? "device events" : "host clock around each launch (set -Dwebllm.opencl.profile=true for device time)");
        return table;
    }

    /** Milliseconds per prompt spent in each kernel: the prompt run again with each launch timed alone. */
    private static Map<String, Object> profilePrefill(Transformer model, int[] tokens) {
        model.profile(true);
        long start = System.nanoTime();
        model.forward(Batch.sequence(tokens, 0, 0));
        double total = (System.nanoTime() - start) / 1e9;
        return profileTable(model.profile(false), total, 1, model);
    }

    /** Every matrix is read once per token; of the embedding table only one row, unless it doubles as the output. */
    private static long bytesReadPerToken(GgufFile file, ModelConfig config) {
        long bytes = 0;
        for (GgufTensorInfo info : file.tensors().values()) {
            if (!info.name().equals(TensorNames.TOKEN_EMBEDDING) || config.tiedOutput()) {
                bytes += info.byteSize();
            }
        }
        return bytes;
    }

    /**
     * Bytes read plus written per second by a float4 copy of a large buffer: the best of three windows of at least
     * 50 ms each, after 0.2 s of copies that bring the device's clocks up. Ten copies timed straight away (~3.5 ms on
     * an H100) measured 1.37 TB/s instead of 2.9 on a card that had idled for the 20 s of a model's synthesis.
     */
    static double copyBandwidth(ClContext cl) {
        long size = Math.min(512L << 20, cl.device().maxAllocationBytes() / 2) & ~15L;
        try (ClBuffer src = cl.allocate("bandwidth probe source", size);
             ClBuffer dst = cl.allocate("bandwidth probe target", size)) {
            var copy = cl.kernels().kernel("kernel_copy_float4").arg(0, src).arg(1, dst);
            long warm = System.nanoTime() + 200_000_000L;
            do {
                copy.run(size / 16, 0);
                cl.finish();
            } while (System.nanoTime() < warm);
            double best = 0;
            for (int window = 0; window < 3; window++) {
                long start = System.nanoTime();
                int iterations = 0;
                do {
                    for (int i = 0; i < 4; i++) {
                        copy.run(size / 16, 0);
                    }
                    cl.finish();
                    iterations += 4;
                } while (System.nanoTime() - start < 50_000_000L);
                double seconds = (System.nanoTime() - start) / 1e9;
                best = Math.max(best, 2.0 * size * iterations / seconds);
            }
            return best;
        }
    }
}
