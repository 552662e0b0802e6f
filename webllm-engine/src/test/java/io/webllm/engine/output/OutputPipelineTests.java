package io.webllm.engine.output;

import io.webllm.engine.chat.ToolCall;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class OutputPipelineTests {

    record Result(String reasoning, String content, List<ToolCall> calls, @Nullable String stop) {
    }

    static Result run(List<String> chunks, List<String> stops, boolean reasons, @Nullable ToolCallFormat format) {
        var pipeline = new OutputPipeline(stops, reasons ? new ReasoningSplitter(false) : null,
                format == null ? null : new StreamingToolCallParser(format, ToolCallIdGenerator.seeded(3)));
        var reasoning = new StringBuilder();
        var content = new StringBuilder();
        var calls = new ArrayList<ToolCall>();
        String stop = null;
        var all = new ArrayList<OutputPipeline.Chunk>();
        for (String chunk : chunks) {
            var out = pipeline.feed(chunk);
            all.add(out);
            if (out.stopped()) {
                break;
            }
        }
        all.add(pipeline.finish());
        for (var out : all) {
            reasoning.append(out.reasoning());
            content.append(out.content());
            out.toolCalls().forEach(call -> calls.add(call.call()));
            stop = out.stop() != null ? out.stop() : stop;
        }
        assertThat(calls).isEqualTo(pipeline.toolCalls());
        return new Result(reasoning.toString(), content.toString(), calls, stop);
    }

    @Test
    void reasoningThenAToolCallThenAStopString() {
        String text = "<think>\nNeed the weather.\n</think>\n\nChecking.\n<tool_call>\n"
                + "{\"name\": \"weather\", \"arguments\": {\"city\": \"Rome\"}}\n</tool_call><|im_end|>ignored";

        Result whole = run(List.of(text), List.of("<|im_end|>"), true, ToolCallFormat.HERMES);

        assertThat(whole.reasoning()).isEqualTo("Need the weather.");
        assertThat(whole.content()).isEqualTo("Checking.\n");
        assertThat(whole.calls()).singleElement().satisfies(call -> {
            assertThat(call.name()).isEqualTo("weather");
            assertThat(call.argumentsJson()).isEqualTo("{\"city\":\"Rome\"}");
        });
        assertThat(whole.stop()).isEqualTo("<|im_end|>");
        for (int cut = 0; cut <= text.length(); cut++) {
            assertThat(run(List.of(text.substring(0, cut), text.substring(cut)), List.of("<|im_end|>"), true,
                    ToolCallFormat.HERMES)).as("split at %d", cut).isEqualTo(whole);
        }
    }

    @Test
    void aStopInsideAnUnclosedCallEndsItAsFlaggedContent() {
        var pipeline = new OutputPipeline(List.of("STOP"), null,
                new StreamingToolCallParser(ToolCallFormat.HERMES, ToolCallIdGenerator.seeded(1)));

        var chunk = pipeline.feed("<tool_call>{\"name\": STOP");

        assertThat(chunk.stopped()).isTrue();
        assertThat(chunk.deltas()).containsExactly(new ParsedDelta.Content("<tool_call>{\"name\": ", true));
        assertThat(pipeline.sawMalformedToolCall()).isTrue();
        assertThat(pipeline.feed("more").isEmpty()).isTrue();
        assertThat(pipeline.finish().isEmpty()).isTrue();
    }

    @Test
    void withoutReasoningOrToolsItOnlyAppliesStops() {
        assertThat(run(List.of("Hello <think>x</think> wor", "ld. END rest"), List.of("END"), false, null))
                .isEqualTo(new Result("", "Hello <think>x</think> world. ", List.of(), "END"));
    }
}
