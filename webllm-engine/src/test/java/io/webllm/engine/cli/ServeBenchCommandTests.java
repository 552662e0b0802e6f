package io.webllm.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code ./webllm serve-bench} on PoCL with stories260K at small sizes: the report's shape and its invariants, never timings. */
class ServeBenchCommandTests {

    private static final String STORIES = TestData.model("stories260K.gguf").toString();

    private static int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... argv) {
        return Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void concurrentStreamsAndPrefixReuseAreMeasured() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = run(out, err, "serve-bench", "-m", STORIES, "--concurrency", "1,4", "-n", "12", "-p", "40",
                "--device", System.getProperty("webllm.test.device", "auto"), "--json");
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode json = JsonMapper.builder().build().readTree(out.toString(StandardCharsets.UTF_8));

        assertThat(json.get("model").asString()).isEqualTo("stories260K.gguf");
        JsonNode runs = json.get("concurrency");
        assertThat(runs).hasSize(2);
        for (int i = 0; i < 2; i++) {
            JsonNode run = runs.get(i);
            int streams = run.get("streams").asInt();
            assertThat(streams).isEqualTo(i == 0 ? 1 : 4);
            // ignore_eos: every stream generates exactly -n tokens
            assertThat(run.get("generatedTokens").asInt()).isEqualTo(12 * streams);
            assertThat(run.get("meanPromptTokens").asDouble()).isGreaterThanOrEqualTo(40);
            assertThat(run.get("aggregateTokensPerSecond").asDouble()).isPositive();
            assertThat(run.get("perStreamTokensPerSecond").asDouble()).isPositive();
            assertThat(run.get("meanTimeToFirstTokenMilliseconds").asDouble()).isPositive();
            assertThat(run.get("aggregateTokensPerSecond").asDouble())
                    .isCloseTo(run.get("generatedTokens").asInt() / run.get("wallSeconds").asDouble(), org.assertj.core.data.Percentage.withPercentage(0.01));
        }
        assertThat(runs.get(0).get("speedupOverOneStream").asDouble()).isEqualTo(1.0);
        assertThat(runs.get(1).get("speedupOverOneStream").asDouble())
                .isEqualTo(runs.get(1).get("aggregateTokensPerSecond").asDouble() / runs.get(0).get("aggregateTokensPerSecond").asDouble());

        JsonNode reuse = json.get("multiTurn").get("withPrefixReuse");
        JsonNode fresh = json.get("multiTurn").get("freshEngine");
        // the same second-turn prompt both ways; with the first turn cached, at least its prompt is not prefilled again
        assertThat(reuse.get("promptTokens").asInt()).isEqualTo(fresh.get("promptTokens").asInt()).isGreaterThan(40 + 12);
        assertThat(reuse.get("cachedTokens").asInt()).isGreaterThanOrEqualTo(40);
        assertThat(reuse.get("prefilledTokens").asInt()).isLessThan(fresh.get("prefilledTokens").asInt());
        assertThat(reuse.get("prefilledTokens").asInt() + reuse.get("cachedTokens").asInt()).isEqualTo(reuse.get("promptTokens").asInt());
        assertThat(fresh.get("prefilledTokens").asInt() + fresh.get("cachedTokens").asInt()).isEqualTo(fresh.get("promptTokens").asInt());
        assertThat(json.get("multiTurn").get("prefillSpeedup").asDouble()).isPositive();
    }

    @Test
    void badConcurrencyIsAUsageError() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(out, err, "serve-bench", "-m", STORIES, "--concurrency", "1,0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--concurrency must list stream counts of at least 1").contains("'1,0'");
    }
}
