package io.webllm.engine.output;

import io.webllm.engine.chat.ToolCall;
import static io.webllm.engine.output.ToolCallFormat.MISTRAL;
import static io.webllm.engine.output.ToolCallParsing.assertCall;
import static io.webllm.engine.output.ToolCallParsing.assertSplitAnywhereGivesTheSame;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MistralToolCallTests {

    @Test
    void parsesTheJsonArrayForm() {
        var message = assertSplitAnywhereGivesTheSame(MISTRAL,
                "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Lyon\"}}, "
                        + "{\"name\": \"get_time\", \"arguments\": {\"tz\": \"CET\"}, \"id\": \"abc123XYZ\"}]");

        assertThat(message.content()).isEmpty();
        assertThat(message.toolCalls()).hasSize(2);
        assertCall(message.toolCalls().get(0), "get_weather", "{\"city\":\"Lyon\"}");
        assertThat(message.toolCalls().get(0).id()).matches("[A-Za-z0-9]{9}");
        assertThat(message.toolCalls().get(1).id()).isEqualTo("abc123XYZ");
    }

    @Test
    void parsesTheNamedArgsFormWithAndWithoutCallIdsAfterText() {
        var message = assertSplitAnywhereGivesTheSame(MISTRAL,
                "Let me check. [TOOL_CALLS]get_weather[ARGS]{\"city\": \"Oslo\", \"unit\": \"[ARGS]\"}"
                        + "[TOOL_CALLS]get_time[CALL_ID]q1w2e3r4t[ARGS]{}");

        assertThat(message.content()).isEqualTo("Let me check. ");
        assertThat(message.malformedToolCall()).isFalse();
        assertThat(message.toolCalls()).hasSize(2);
        assertCall(message.toolCalls().get(0), "get_weather", "{\"city\":\"Oslo\",\"unit\":\"[ARGS]\"}");
        assertThat(message.toolCalls().get(1)).isEqualTo(new ToolCall("q1w2e3r4t", "get_time", "{}"));
    }

    @Test
    void malformedCallsAreFlaggedContent() {
        for (String text : List.of("[TOOL_CALLS][{\"name\": \"f\", \"arguments\": {\"a\": 1}]",
                "[TOOL_CALLS][{\"arguments\": {}}]", "[TOOL_CALLS]bad name[ARGS]{}",
                "[TOOL_CALLS]f[ARGS]{\"a\": ", "[TOOL_CALLS]f", "[TOOL_CALLS]")) {
            var message = assertSplitAnywhereGivesTheSame(MISTRAL, text);

            assertThat(message).as(text).isEqualTo(new ParsedMessage(text, List.of(), true));
        }
    }

    @Test
    void aCallNotFollowedByJsonArgumentsIsFlaggedAndTheRestStillParses() {
        var message = assertSplitAnywhereGivesTheSame(MISTRAL,
                "[TOOL_CALLS]f[ARGS] nope [TOOL_CALLS]g[ARGS]{\"ok\": true}");

        assertThat(message.malformedToolCall()).isTrue();
        assertThat(message.content()).isEqualTo("[TOOL_CALLS]f[ARGS] nope ");
        assertThat(message.toolCalls()).singleElement().satisfies(call -> assertCall(call, "g", "{\"ok\":true}"));
    }

    @Test
    void withoutTheMarkerEverythingIsContent() {
        assertThat(assertSplitAnywhereGivesTheSame(MISTRAL, "An answer [with brackets] and [TOOL_CALL"))
                .isEqualTo(new ParsedMessage("An answer [with brackets] and [TOOL_CALL", List.of(), false));
    }

    @Test
    void formatsAreRecognisedFromChatTemplates() {
        assertThat(ToolCallFormat.fromChatTemplate("{{- '<tool_call>\\n' }}")).contains(ToolCallFormat.HERMES);
        assertThat(ToolCallFormat.fromChatTemplate("{{- '[TOOL_CALLS]' }}")).contains(MISTRAL);
        assertThat(ToolCallFormat.fromChatTemplate("<|start_header_id|>ipython<|end_header_id|>"))
                .contains(ToolCallFormat.LLAMA3_JSON);
        assertThat(ToolCallFormat.fromChatTemplate("{{ messages }}")).isEmpty();
    }
}
