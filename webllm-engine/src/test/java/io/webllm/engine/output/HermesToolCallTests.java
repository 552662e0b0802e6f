package io.webllm.engine.output;

import static io.webllm.engine.output.ToolCallParsing.assertCall;
import static io.webllm.engine.output.ToolCallParsing.assertSplitAnywhereGivesTheSame;
import static io.webllm.engine.output.ToolCallParsing.whole;
import static io.webllm.engine.output.ToolCallFormat.HERMES;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HermesToolCallTests {

    @Test
    void parsesAQwenStyleCall() {
        var message = assertSplitAnywhereGivesTheSame(HERMES,
                "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 3}}\n"
                        + "</tool_call>");

        assertThat(message.content()).isEmpty();
        assertThat(message.malformedToolCall()).isFalse();
        assertThat(message.toolCalls()).singleElement()
                .satisfies(call -> assertCall(call, "get_weather", "{\"city\":\"Paris\",\"days\":3}"))
                .satisfies(call -> assertThat(call.id()).matches("call_[A-Za-z0-9]{24}"));
    }

    @Test
    void parsesSeveralCallsAfterSomeText() {
        var message = assertSplitAnywhereGivesTheSame(HERMES, """
                I'll look both up.
                <tool_call>
                {"name": "lookup", "arguments": {"q": "a \\"quoted\\" </tool_call> in a string?"}}
                </tool_call>
                <tool_call>
                {"name": "lookup", "arguments": {"q": "b", "nested": {"list": [1, {"x": null}]}}}
                </tool_call>
                """);

        assertThat(message.content()).isEqualTo("I'll look both up.\n");
        assertThat(message.toolCalls()).hasSize(2);
        assertThat(message.toolCalls().get(1)).satisfies(
                call -> assertCall(call, "lookup", "{\"q\":\"b\",\"nested\":{\"list\":[1,{\"x\":null}]}}"));
        assertThat(message.toolCalls().get(0).id()).isNotEqualTo(message.toolCalls().get(1).id());
    }

    @Test
    void aMalformedCallBecomesFlaggedContentAndTheOthersSurvive() {
        String broken = "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 1,}}\n</tool_call>";
        var message = assertSplitAnywhereGivesTheSame(HERMES,
                broken + "\n<tool_call>{\"name\": \"g\", \"arguments\": {}}</tool_call>");

        assertThat(message.malformedToolCall()).isTrue();
        assertThat(message.content()).isEqualTo(broken);
        assertThat(message.toolCalls()).singleElement().satisfies(call -> assertCall(call, "g", "{}"));
    }

    @Test
    void toleratesArgumentsAsAStringOrMissingAndAnUnclosedFinalCall() {
        var message = assertSplitAnywhereGivesTheSame(HERMES,
                "<tool_call>{\"name\": \"a\", \"arguments\": \"{\\\"x\\\": [1, 2]}\"}</tool_call>"
                        + "<tool_call>{\"name\": \"b\"}</tool_call>"
                        + "<tool_call>{\"name\": \"c\", \"parameters\": {\"y\": true}}");

        assertThat(message.malformedToolCall()).isFalse();
        assertThat(message.toolCalls()).hasSize(3);
        assertCall(message.toolCalls().get(0), "a", "{\"x\":[1,2]}");
        assertCall(message.toolCalls().get(1), "b", "{}");
        assertCall(message.toolCalls().get(2), "c", "{\"y\":true}");
    }

    @Test
    void callsWithoutANameOrWithNonObjectArgumentsAreMalformed() {
        for (String body : List.of("{\"arguments\": {}}", "{\"name\": \"\", \"arguments\": {}}",
                "{\"name\": \"f\", \"arguments\": [1]}", "[]", "not json", "", "{\"name\": \"f\"} {\"name\": \"g\"}")) {
            var message = whole(HERMES, "<tool_call>" + body + "</tool_call>");

            assertThat(message.toolCalls()).as(body).isEmpty();
            assertThat(message.malformedToolCall()).as(body).isTrue();
            assertThat(message.content()).isEqualTo("<tool_call>" + body + "</tool_call>");
        }
    }

    @Test
    void anOpenerWithNothingAfterItIsFlaggedContent() {
        assertThat(assertSplitAnywhereGivesTheSame(HERMES, "Sure.<tool_call>\n"))
                .isEqualTo(new ParsedMessage("Sure.<tool_call>\n", List.of(), true));
    }

    @Test
    void textWithoutCallsIsContentIncludingAPartialOpenerAtTheEnd() {
        var message = assertSplitAnywhereGivesTheSame(HERMES, "Just an answer with <b>markup</b> <tool_ca");

        assertThat(message).isEqualTo(new ParsedMessage("Just an answer with <b>markup</b> <tool_ca", List.of(),
                false));
    }

    @Test
    void contentIsReleasedEagerlyAndACallAsSoonAsItCloses() {
        var parser = new StreamingToolCallParser(HERMES, ToolCallIdGenerator.seeded(1));

        assertThat(parser.feed("Checking <to")).containsExactly(new ParsedDelta.Content("Checking ", false));
        assertThat(parser.feed("ol_call>{\"name\": \"f\", \"arguments\": {}}")).isEmpty();
        var released = parser.feed("</tool_call>\n");

        assertThat(released).singleElement().isInstanceOfSatisfying(ParsedDelta.Call.class, call -> {
            assertThat(call.index()).isZero();
            assertCall(call.call(), "f", "{}");
        });
        assertThat(parser.finish()).isEmpty();
    }

    @Test
    void seededIdsRepeatAndUnseededOnesDiffer() {
        String text = "<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>";

        String first = whole(HERMES, text).toolCalls().getFirst().id();
        String again = whole(HERMES, text).toolCalls().getFirst().id();
        String unseeded = StreamingToolCallParser.parse(HERMES, text, ToolCallIdGenerator.random()).toolCalls()
                .getFirst().id();

        assertThat(again).isEqualTo(first);
        assertThat(unseeded).isNotEqualTo(first).matches("call_[A-Za-z0-9]{24}");
    }
}
