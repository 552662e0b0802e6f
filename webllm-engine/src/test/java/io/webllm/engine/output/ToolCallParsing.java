package io.webllm.engine.output;

import io.webllm.engine.chat.ToolCall;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Helpers shared by the tool-call tests: streaming in given chunks, and the split-anywhere invariance check. */
final class ToolCallParsing {

    static final long SEED = 5;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ToolCallParsing() {
    }

    static ParsedMessage whole(ToolCallFormat format, String text) {
        return StreamingToolCallParser.parse(format, text, ToolCallIdGenerator.seeded(SEED));
    }

    /** Streams the chunks and rebuilds the message from the released deltas alone. */
    static ParsedMessage streamed(ToolCallFormat format, List<String> chunks) {
        var parser = new StreamingToolCallParser(format, ToolCallIdGenerator.seeded(SEED));
        var deltas = new ArrayList<ParsedDelta>();
        for (String chunk : chunks) {
            deltas.addAll(parser.feed(chunk));
        }
        deltas.addAll(parser.finish());
        var content = new StringBuilder();
        var calls = new ArrayList<ToolCall>();
        boolean malformed = false;
        for (ParsedDelta delta : deltas) {
            switch (delta) {
                case ParsedDelta.Content(String text, boolean flag) -> {
                    content.append(text);
                    malformed |= flag;
                }
                case ParsedDelta.Call(int index, ToolCall call) -> {
                    assertThat(index).isEqualTo(calls.size());
                    calls.add(call);
                }
            }
        }
        assertThat(calls).isEqualTo(parser.toolCalls());
        assertThat(malformed).isEqualTo(parser.sawMalformedToolCall());
        return new ParsedMessage(content.toString(), calls, malformed);
    }

    /** Asserts that splitting the text at any index, or into single characters, changes nothing. */
    static ParsedMessage assertSplitAnywhereGivesTheSame(ToolCallFormat format, String text) {
        ParsedMessage expected = whole(format, text);
        for (int cut = 0; cut <= text.length(); cut++) {
            assertThat(streamed(format, List.of(text.substring(0, cut), text.substring(cut))))
                    .as("%s split at %d", format, cut).isEqualTo(expected);
        }
        assertThat(streamed(format, text.chars().mapToObj(c -> String.valueOf((char) c)).toList()))
                .as("%s char by char", format).isEqualTo(expected);
        return expected;
    }

    static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    /** Asserts a call's name and that its arguments are the same JSON as {@code expectedArguments}. */
    static void assertCall(ToolCall call, String name, String expectedArguments) {
        assertThat(call.name()).isEqualTo(name);
        assertThat(json(call.argumentsJson())).isEqualTo(json(expectedArguments));
    }
}
