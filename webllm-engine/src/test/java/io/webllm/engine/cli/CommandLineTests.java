package io.webllm.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.model.StoriesReference;
import io.webllm.engine.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The {@code ./webllm} commands, run in-process on PoCL, reading their JSON output. */
class CommandLineTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String STORIES = TestData.model("stories260K.gguf").toString();

    @TempDir
    Path temp;

    private record Result(int exit, String out, String err) {
        JsonNode json() {
            return JSON.readTree(out);
        }
    }

    private static Result run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void generateReproducesTheReferenceContinuation() {
        Result result = run("generate", "-m", STORIES, "-p", "Once upon a time", "-n", "64", "--temp", "0", "--json");
        assertThat(result.exit()).as(result.err()).isZero();
        JsonNode json = result.json();
        assertThat("Once upon a time" + json.get("text").asString()).isEqualTo(StoriesReference.TEXT);
        assertThat(json.get("ids")).hasSize(64);
        assertThat(json.get("promptIds").toString()).isEqualTo("[1,403,407,261,378]");
        assertThat(json.get("finishReason").asString()).isEqualTo("length");
        assertThat(json.get("timings").get("decodeTokensPerSecond").asDouble()).isPositive();
    }

    @Test
    void seededSamplingRepeats() {
        Result first = run("generate", "-m", STORIES, "-p", "Once upon a time", "-n", "24", "--temp", "1.0", "--seed", "7", "--json");
        Result second = run("generate", "-m", STORIES, "-p", "Once upon a time", "-n", "24", "--temp", "1.0", "--seed", "7", "--json");
        Result other = run("generate", "-m", STORIES, "-p", "Once upon a time", "-n", "24", "--temp", "1.0", "--seed", "8", "--json");
        assertThat(first.json().get("ids")).isEqualTo(second.json().get("ids"));
        assertThat(first.json().get("ids")).isNotEqualTo(other.json().get("ids"));
    }

    @Test
    void inspectDescribesTheModel() {
        Result result = run("inspect", STORIES, "--json");
        assertThat(result.exit()).isZero();
        JsonNode json = result.json();
        assertThat(json.get("architecture").asString()).isEqualTo("llama");
        assertThat(json.get("layers").asInt()).isEqualTo(5);
        assertThat(json.get("contextLength").asInt()).isEqualTo(2048);
        assertThat(json.get("tensorTypes").get("F32").asInt()).isEqualTo(48);
        assertThat(json.get("metadata").has("tokenizer.ggml.model")).isTrue();
    }

    @Test
    void synthThenBenchAndPerplexityRunOnTheSyntheticModel() throws Exception {
        Path model = temp.resolve("tiny.gguf");
        Result synth = run("synth", "--shape", "tiny", "--type", "q4_0", "--seed", "3", "-o", model.toString(), "--json");
        assertThat(synth.exit()).as(synth.err()).isZero();
        Result inspect = run("inspect", model.toString(), "--json");
        assertThat(inspect.json().get("tensorTypes").get("Q4_0").asInt()).isGreaterThan(0);

        Result bench = run("bench", "-m", model.toString(), "-p", "32", "-n", "8", "--profile", "--json");
        assertThat(bench.exit()).as(bench.err()).isZero();
        assertThat(bench.json().get("prefillTokensPerSecond").asDouble()).isPositive();
        assertThat(bench.json().get("decodeTokensPerSecond").asDouble()).isPositive();
        assertThat(bench.json().get("bandwidthFraction").asDouble()).isPositive();
        assertThat(bench.json().get("decodeProfile").has("outside layer kernels")).isTrue();
    }

    /**
     * bench --repeat: the greedy decode run that many times, each run's speed and host enqueue time, their median
     * among them; the first run is the one decodeTokensPerSecond reports.
     */
    @Test
    void benchWithRepeatReportsEachRunAndTheMedian() {
        Result bench = run("bench", "-m", STORIES, "-p", "16", "-n", "8", "--repeat", "3", "--json");
        assertThat(bench.exit()).as(bench.err()).isZero();
        JsonNode runs = bench.json().get("decodeRuns");
        assertThat(runs.get("tokensPerSecond")).hasSize(3);
        assertThat(runs.get("enqueueMillisPerToken")).hasSize(3);
        double[] rates = new double[3];
        for (int i = 0; i < 3; i++) {
            rates[i] = runs.get("tokensPerSecond").get(i).asDouble();
            assertThat(rates[i]).isPositive();
            assertThat(runs.get("enqueueMillisPerToken").get(i).asDouble()).isPositive();
        }
        assertThat(rates[0]).isEqualTo(bench.json().get("decodeTokensPerSecond").asDouble());
        java.util.Arrays.sort(rates);
        assertThat(runs.get("medianTokensPerSecond").asDouble()).isEqualTo(rates[1]);
        assertThat(run("bench", "-m", STORIES, "--repeat", "0").exit()).isNotZero();
    }

    /**
     * bench --streams: several sequences a step, their aggregate speed picked on the device and on the host (the
     * same tokens either way), and a host-picked step's time against its forward pass.
     */
    @Test
    void benchWithStreamsReportsTheBatchedStep() {
        Result bench = run("bench", "-m", STORIES, "-p", "16", "-n", "8", "--streams", "3", "--json");
        assertThat(bench.exit()).as(bench.err()).isZero();
        assertThat(bench.json().get("devicePicksMatchingHost").asInt()).isEqualTo(8);
        JsonNode streams = bench.json().get("streams");
        assertThat(streams.get("streams").asInt()).isEqualTo(3);
        assertThat(streams.get("aggregateTokensPerSecond").asDouble()).isPositive();
        assertThat(streams.get("hostPickAggregateTokensPerSecond").asDouble()).isPositive();
        assertThat(streams.get("lastTokensMatchHostPicks").asBoolean()).isTrue();
        assertThat(streams.get("stepMillis").asDouble()).isPositive();
        double forward = streams.get("hostPickForwardMillisPerStep").asDouble();
        assertThat(forward).isPositive().isLessThanOrEqualTo(streams.get("hostPickStepMillis").asDouble());
        assertThat(streams.get("hostPickEnqueueMillisPerStep").asDouble()).isPositive().isLessThanOrEqualTo(forward);
    }

    /**
     * kernel-bench: device times of the Q4_0 matvec and its probes, of the single-token Q8 products and theirs, of the
     * large models' chain with the norms launched around it and as its stages, and the host time of one launch's enqueue.
     */
    @Test
    void kernelBenchReportsKernelTimesAndTheEnqueueCost() {
        Result bench = run("kernel-bench", "--rows", "64", "--cols", "256", "--json");
        assertThat(bench.exit()).as(bench.err()).isZero();
        JsonNode json = bench.json();
        for (String key : new String[] {"enqueueMicros1Buffer", "enqueueMicros12Buffers", "matvecMicros", "weightsOnlyMicros", "xOnlyMicros",
                "gatedKernelSplit1Micros", "downKernelSplit1Micros", "downAheadKernelMicros", "gatedWalk2Micros",
                "downAheadWalk8Micros", "gatedWeightsOnlySets1Micros", "gatedWeightsOnlySets8Micros",
                "downWeightsOnlySets1Micros", "downWeightsOnlySets8Micros", "gatedWeightsOnlyWarpPerMatrixMicros", "gatedQuantizeDownSeparateMicros",
                "gatedQuantizeDownChainedWalk1Micros", "gatedQuantizeDownChainedWalk2Micros", "gatedQuantizeDownNormsLaunchedWalk2Micros",
                "gatedQuantizeDownNormsChainedWalk2Micros", "gatedQuantizeDownNormsChainedWarmWalk2Micros"}) {
            assertThat(json.get(key).asDouble()).as(key).isPositive();
        }
    }

    @Test
    void synthWritesTheQ4KMediumMix() {
        Path model = temp.resolve("tiny-q4_k_m.gguf");
        Result synth = run("synth", "--shape", "tiny", "--type", "q4_k_m", "--seed", "3", "-o", model.toString(), "--json");
        assertThat(synth.exit()).as(synth.err()).isZero();
        assertThat(synth.json().get("type").asString()).isEqualTo("Q4_K_M");
        JsonNode types = run("inspect", model.toString(), "--json").json().get("tensorTypes");
        // tiny's two layers: layer 1 is one that llama.cpp gives Q6_K attn_v and ffn_down
        assertThat(types.get("Q6_K").asInt()).isEqualTo(2);
        assertThat(types.get("Q4_K").asInt()).isGreaterThan(2);
    }

    @Test
    void perplexityOfStoriesOnItsOwnStyleIsLow() throws Exception {
        Path text = temp.resolve("story.txt");
        Files.writeString(text, (StoriesReference.TEXT + "\n").repeat(6));
        Result result = run("perplexity", "-m", STORIES, "-f", text.toString(), "--ctx", "128", "--json");
        assertThat(result.exit()).as(result.err()).isZero();
        JsonNode json = result.json();
        // the model wrote this text itself (greedy), and the repetition makes it even more predictable
        assertThat(json.get("ppl").asDouble()).isBetween(1.0, 3.0);
        assertThat(json.get("scoredTokens").asInt()).isEqualTo(json.get("chunks").asInt() * (128 - 1 - 64));
    }

    @Test
    void tokenizePrintsIds() {
        Result result = run("tokenize", "-m", STORIES, "--text", "Once upon a time", "--json", "--pieces");
        assertThat(result.json().get("ids").toString()).isEqualTo("[1,403,407,261,378]");
        assertThat(result.json().get("pieces").get(2).asString()).isEqualTo("\u2581upon".replace('\u2581', ' '));
    }

    @Test
    void errorsAreOneClearLine() {
        Result missing = run("generate", "-m", temp.resolve("none.gguf").toString(), "-p", "x");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("none.gguf: no such file");
        Result typo = run("generate", "-m", STORIES, "-p", "x", "--tmep", "1");
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.err()).contains("unknown option --tmep");
        Result shape = run("synth", "--shape", "gpt-5", "-o", temp.resolve("x.gguf").toString());
        assertThat(shape.err()).contains("unknown shape 'gpt-5'").contains("llama-3.1-8b");
    }
}
