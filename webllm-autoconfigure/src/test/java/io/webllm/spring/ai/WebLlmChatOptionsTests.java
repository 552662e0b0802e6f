package io.webllm.spring.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.chat.ResponseFormat;
import io.webllm.engine.chat.ToolChoice;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.model.tool.StructuredOutputChatOptions;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.function.FunctionToolCallback;

class WebLlmChatOptionsTests {

    private static final ToolCallback CLOCK = FunctionToolCallback
            .builder("clock", (String zone) -> "noon in " + zone).description("time").inputType(String.class).build();
    private static final ToolCallback MOON = FunctionToolCallback
            .builder("moon", (String day) -> "full").description("phase").inputType(String.class).build();

    private static WebLlmChatOptions everyField() {
        return WebLlmChatOptions.builder().model("m").maxTokens(10).temperature(0.7).topP(0.9).topK(40).minP(0.02)
                .seed(3L).stopSequences(List.of("x")).frequencyPenalty(0.5).presencePenalty(-0.5)
                .repetitionPenalty(1.2).logitBias(Map.of(1, 2f)).logprobs(true).topLogprobs(2).n(3)
                .toolChoice(ToolChoice.REQUIRED).responseFormat(ResponseFormat.JSON_OBJECT).enableThinking(true)
                .toolCallbacks(List.of(CLOCK)).toolContext(Map.of("user", "ann")).build();
    }

    @Test
    void mutateCopiesEveryFieldAndLeavesTheOriginalUntouched() {
        WebLlmChatOptions original = everyField();
        assertThat(original.mutate().build()).isEqualTo(original).hasSameHashCodeAs(original);

        WebLlmChatOptions changed = original.mutate().temperature(0.1).seed(9L).build();
        assertThat(original.getTemperature()).isEqualTo(0.7);
        assertThat(original.getSeed()).isEqualTo(3L);
        assertThat(changed.getTemperature()).isEqualTo(0.1);
        assertThat(changed.getMinP()).isEqualTo(0.02);
        assertThat(changed.getToolCallbacks()).containsExactly(CLOCK);
    }

    @Test
    void mutateReturnsTheBuildersSpringAiAsksFor() {
        ChatOptions.Builder<?> builder = everyField().mutate();
        assertThat(builder).isInstanceOf(ToolCallingChatOptions.Builder.class)
                .isInstanceOf(StructuredOutputChatOptions.Builder.class);
        assertThat(builder.build()).isInstanceOf(WebLlmChatOptions.class);
    }

    @Test
    void combineWithTakesWhatTheOtherBuilderSet() {
        WebLlmChatOptions.Builder base = everyField().mutate();
        base.combineWith(WebLlmChatOptions.builder().temperature(0.0).seed(11L).toolChoice(ToolChoice.AUTO));
        WebLlmChatOptions combined = base.build();
        assertThat(combined.getTemperature()).isEqualTo(0.0);
        assertThat(combined.getSeed()).isEqualTo(11L);
        assertThat(combined.getToolChoice()).isEqualTo(ToolChoice.AUTO);
        assertThat(combined.getTopK()).isEqualTo(40);
        assertThat(combined.getMinP()).isEqualTo(0.02);

        WebLlmChatOptions.Builder portable = everyField().mutate();
        portable.combineWith(ChatOptions.builder().maxTokens(99));
        assertThat(portable.build().getMaxTokens()).isEqualTo(99);
        assertThat(portable.build().getRepetitionPenalty()).isEqualTo(1.2);
    }

    @Test
    void anOutputSchemaIsAJsonSchemaResponseFormat() {
        String schema = "{\"type\":\"object\"}";
        WebLlmChatOptions options = WebLlmChatOptions.builder().outputSchema(schema).build();
        assertThat(options.getResponseFormat()).isEqualTo(ResponseFormat.jsonSchema(schema));
        assertThat(options.getOutputSchema()).isEqualTo(schema);
        assertThat(WebLlmChatOptions.builder().responseFormat(ResponseFormat.JSON_OBJECT).build().getOutputSchema())
                .isNull();
        assertThat(options.mutate().outputSchema(null).build().getResponseFormat()).isNull();
    }

    @Test
    void mergeLetsSetRuntimeFieldsWinAndReplacesLists() {
        WebLlmChatOptions defaults = everyField();
        WebLlmChatOptions runtime = WebLlmChatOptions.builder().temperature(0.0).stopSequences(List.of("y"))
                .toolCallbacks(List.of(MOON)).toolContext(Map.of("tenant", "t1")).build();
        WebLlmChatOptions merged = WebLlmChatOptions.merge(runtime, defaults);

        assertThat(merged.getTemperature()).isEqualTo(0.0);
        assertThat(merged.getTopP()).isEqualTo(0.9);
        assertThat(merged.getStopSequences()).containsExactly("y");
        assertThat(merged.getToolCallbacks()).containsExactly(MOON);
        assertThat(merged.getToolContext()).isEqualTo(Map.of("user", "ann", "tenant", "t1"));
        assertThat(merged.getResponseFormat()).isEqualTo(ResponseFormat.JSON_OBJECT);
    }

    @Test
    void mergingOptionsAlreadyMergedWithTheSameDefaultsChangesNothing() {
        WebLlmChatOptions defaults = everyField();
        WebLlmChatOptions.Builder chatClientStyle = defaults.mutate();
        chatClientStyle.combineWith(WebLlmChatOptions.builder().maxTokens(5));
        WebLlmChatOptions alreadyMerged = chatClientStyle.build();

        assertThat(WebLlmChatOptions.merge(alreadyMerged, defaults)).isEqualTo(alreadyMerged);
    }

    @Test
    void mergeTakesPortableFieldsAndSchemasOfOtherOptions() {
        WebLlmChatOptions defaults = WebLlmChatOptions.builder().temperature(0.4).seed(5L).build();
        assertThat(WebLlmChatOptions.merge(ChatOptions.builder().topK(7).build(), defaults))
                .isEqualTo(WebLlmChatOptions.builder().temperature(0.4).seed(5L).topK(7).build());

        ChatOptions structured = StructuredOutputChatOptions.builder().outputSchema("{}").build();
        assertThat(structured).isInstanceOf(StructuredOutputChatOptions.class);
        assertThat(WebLlmChatOptions.merge(structured, defaults).getResponseFormat())
                .isEqualTo(ResponseFormat.jsonSchema("{}"));
        assertThat(WebLlmChatOptions.merge(null, defaults)).isSameAs(defaults);
    }
}
