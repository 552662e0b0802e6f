package io.webllm.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A seed must give the same tokens in another JVM, not only twice in this one. */
class CrossJvmDeterminismTests {

    static String draws(long seed) {
        int vocabulary = 1000;
        var logitSource = new SplittableRandom(99);
        float[] logits = new float[vocabulary];
        for (int t = 0; t < vocabulary; t++) {
            logits[t] = (float) logitSource.nextGaussian() * 2;
        }
        var params = SamplingParams.builder().seed(seed).temperature(0.9).topK(200).topP(0.9)
                .repetitionPenalty(1.2).build();
        var state = SamplingState.create(params, vocabulary);
        var sampler = Sampler.standard();
        int[] tokens = new int[100];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = sampler.sample(logits.clone(), state);
            state.accept(tokens[i]);
        }
        return Arrays.stream(tokens).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    /** Entry point of the second JVM. */
    public static void main(String[] args) {
        System.out.print(draws(Long.parseLong(args[0])));
    }

    @Test
    void anotherJvmDrawsTheSameTokensForTheSameSeed() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        var process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                CrossJvmDeterminismTests.class.getName(), "20260722")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String theirs = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).isZero();
        assertThat(theirs).isEqualTo(draws(20260722L));
    }
}
