package io.webllm.engine.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Texts assembled at random from each format's markup, JSON fragments and plain text, cut at random places: the
 * streamed result must always equal the whole-text result.
 */
class SplitInvarianceFuzzTests {

    private static final List<String> COMMON = List.of("hello", " ", "\n", "{", "}", "[", "]", "\"", "\\", ",", ":",
            ";", "\"name\"", "\"arguments\"", "\"parameters\"", "\"f\"", "{}", "<", ">", "/", "x y");

    private static final List<String> HERMES = List.of("<tool_call>", "</tool_call>", "<tool_",
            "{\"name\": \"f\", \"arguments\": {\"a\": 1}}", "<tool_call>{\"name\": \"g\"}</tool_call>");
    private static final List<String> LLAMA = List.of("<|python_tag|>", "<|python",
            "{\"name\": \"f\", \"parameters\": {\"a\": [1]}}", "; ");
    private static final List<String> MISTRAL = List.of("[TOOL_CALLS]", "[ARGS]", "[CALL_ID]", "abc123XYZ",
            "get_time", "[{\"name\": \"f\", \"arguments\": {}}]", "[TOOL_");

    private static String randomText(SplittableRandom random, List<String> specific) {
        var text = new StringBuilder();
        for (int i = 0, n = random.nextInt(1, 10); i < n; i++) {
            List<String> pool = random.nextBoolean() ? specific : COMMON;
            text.append(pool.get(random.nextInt(pool.size())));
        }
        return text.toString();
    }

    private static List<String> randomCuts(SplittableRandom random, String text) {
        var chunks = new ArrayList<String>();
        int from = 0;
        while (from < text.length()) {
            int to = Math.min(text.length(), from + random.nextInt(1, 8));
            chunks.add(text.substring(from, to));
            from = to;
        }
        return chunks;
    }

    @Test
    void toolCallParsingDoesNotDependOnTheCuts() {
        var random = new SplittableRandom(2024);
        for (var entry : List.of(
                java.util.Map.entry(ToolCallFormat.HERMES, HERMES),
                java.util.Map.entry(ToolCallFormat.LLAMA3_JSON, LLAMA),
                java.util.Map.entry(ToolCallFormat.MISTRAL, MISTRAL))) {
            for (int round = 0; round < 1500; round++) {
                String text = randomText(random, entry.getValue());
                ParsedMessage whole = ToolCallParsing.whole(entry.getKey(), text);

                assertThat(ToolCallParsing.streamed(entry.getKey(), randomCuts(random, text)))
                        .as("%s: %s", entry.getKey(), text).isEqualTo(whole);
                // nothing the model wrote is lost apart from whitespace and the markup of well-formed calls
                if (whole.toolCalls().isEmpty()) {
                    assertThat(whole.content().replaceAll("\\s", "")).as(text)
                            .isEqualTo(text.replaceAll("\\s", ""));
                }
            }
        }
    }

    @Test
    void reasoningSplittingDoesNotDependOnTheCuts() {
        var random = new SplittableRandom(99);
        List<String> pieces = List.of("<think>", "</think>", "<thi", "</th", "\n", " ", "a", "b c", "<", ">", "/");
        for (int round = 0; round < 3000; round++) {
            var text = new StringBuilder();
            for (int i = 0, n = random.nextInt(1, 9); i < n; i++) {
                text.append(pieces.get(random.nextInt(pieces.size())));
            }
            boolean inside = random.nextBoolean();

            assertThat(ReasoningSplitterTests.run(inside, randomCuts(random, text.toString())))
                    .as("%s (inside %s)", text, inside).isEqualTo(ReasoningSplitterTests.run(inside, text.toString()));
        }
    }
}
