package io.webllm.engine.output;

import io.webllm.engine.chat.ToolCall;
import static io.webllm.engine.output.ToolCallFormat.LLAMA3_JSON;
import static io.webllm.engine.output.ToolCallParsing.assertCall;
import static io.webllm.engine.output.ToolCallParsing.assertSplitAnywhereGivesTheSame;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class Llama3JsonToolCallTests {

    @Test
    void parsesAWholeMessageCallWithParameters() {
        var message = assertSplitAnywhereGivesTheSame(LLAMA3_JSON,
                "{\"name\": \"get_weather\", \"parameters\": {\"location\": \"San Francisco, CA\"}}");

        assertThat(message.content()).isEmpty();
        assertThat(message.toolCalls()).singleElement()
                .satisfies(call -> assertCall(call, "get_weather", "{\"location\":\"San Francisco, CA\"}"));
    }

    @Test
    void parsesPythonTagAndSeveralCallsSeparatedBySemicolons() {
        var message = assertSplitAnywhereGivesTheSame(LLAMA3_JSON,
                "<|python_tag|>{\"name\": \"a\", \"parameters\": {\"n\": 1}}; {\"name\": \"b\", \"parameters\": "
                        + "{\"s\": \"x;y}\"}};{\"type\": \"function\", \"name\": \"c\", \"parameters\": {}}");

        assertThat(message.malformedToolCall()).isFalse();
        assertThat(message.content()).isEmpty();
        assertThat(message.toolCalls()).extracting(ToolCall::name).containsExactly("a", "b", "c");
        assertCall(message.toolCalls().get(1), "b", "{\"s\":\"x;y}\"}");
    }

    @Test
    void plainTextAndJsonThatIsNotACallAreContent() {
        assertThat(assertSplitAnywhereGivesTheSame(LLAMA3_JSON, "The weather is fine. {\"name\": \"x\"}"))
                .isEqualTo(new ParsedMessage("The weather is fine. {\"name\": \"x\"}", List.of(), false));
        assertThat(assertSplitAnywhereGivesTheSame(LLAMA3_JSON, " {\"answer\": 42} and more"))
                .isEqualTo(new ParsedMessage(" {\"answer\": 42} and more", List.of(), false));
    }

    @Test
    void brokenJsonOrPythonSyntaxAfterTheTagIsFlaggedContent() {
        for (String text : List.of("{\"name\": \"f\", \"parameters\": {\"a\": }}",
                "{\"name\": \"f\", \"parameters\": {\"a\": 1}", "{\"name\": \"f\"]",
                "<|python_tag|>brave_search.call(query=\"x\")", "<|python_tag|>")) {
            var message = assertSplitAnywhereGivesTheSame(LLAMA3_JSON, text);

            assertThat(message).as(text).isEqualTo(new ParsedMessage(text, List.of(), true));
        }
    }

    @Test
    void aBadObjectAfterAGoodCallKeepsTheCallAndFlagsTheRest() {
        var message = assertSplitAnywhereGivesTheSame(LLAMA3_JSON,
                "{\"name\": \"a\", \"parameters\": {}}; {\"oops\": 1}");

        assertThat(message.toolCalls()).extracting(ToolCall::name).containsExactly("a");
        assertThat(message.content()).isEqualTo("{\"oops\": 1}");
        assertThat(message.malformedToolCall()).isTrue();
    }

    @Test
    void textAfterTheCallsIsContent() {
        var message = assertSplitAnywhereGivesTheSame(LLAMA3_JSON,
                "{\"name\": \"a\", \"parameters\": {}}\n\nI called the tool.");

        assertThat(message.toolCalls()).hasSize(1);
        assertThat(message.content()).isEqualTo("I called the tool.");
        assertThat(message.malformedToolCall()).isFalse();
    }

    @Test
    void ordinaryTextIsReleasedAtOnce() {
        var parser = new StreamingToolCallParser(LLAMA3_JSON, ToolCallIdGenerator.seeded(1));

        assertThat(parser.feed("  ")).isEmpty();
        assertThat(parser.feed("<|pyth")).isEmpty();
        assertThat(parser.feed("on is a language")).containsExactly(
                new ParsedDelta.Content("  <|python is a language", false));
    }
}
