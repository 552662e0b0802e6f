package io.webllm.engine.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReasoningSplitterTests {

    record Whole(String reasoning, String content) {
    }

    static Whole run(boolean startsInside, List<String> chunks) {
        var splitter = new ReasoningSplitter(startsInside);
        var reasoning = new StringBuilder();
        var content = new StringBuilder();
        for (String chunk : chunks) {
            var split = splitter.feed(chunk);
            reasoning.append(split.reasoning());
            content.append(split.content());
        }
        var last = splitter.finish();
        return new Whole(reasoning.append(last.reasoning()).toString(), content.append(last.content()).toString());
    }

    static Whole run(boolean startsInside, String text) {
        return run(startsInside, List.of(text));
    }

    @Test
    void qwen3ThinkingIsSeparatedFromTheAnswer() {
        assertThat(run(false, "<think>\nThe user asks 2+2.\nThat is 4.\n</think>\n\nIt is 4."))
                .isEqualTo(new Whole("The user asks 2+2.\nThat is 4.", "It is 4."));
    }

    @Test
    void deepSeekR1OutputStartsInsideTheThinking() {
        assertThat(run(true, "Okay, so the user wants a haiku.\n</think>\n\nAutumn moon rises"))
                .isEqualTo(new Whole("Okay, so the user wants a haiku.", "Autumn moon rises"));
    }

    @Test
    void anEmptyThinkBlockLeavesOnlyTheAnswer() {
        assertThat(run(false, "<think>\n\n</think>\n\nHi there")).isEqualTo(new Whole("", "Hi there"));
    }

    @Test
    void aThinkTagLaterInTheAnswerIsOrdinaryText() {
        assertThat(run(false, "Use <think> tags like <think>this</think>."))
                .isEqualTo(new Whole("", "Use <think> tags like <think>this</think>."));
        assertThat(run(false, "  <thin")).isEqualTo(new Whole("", "  <thin"));
    }

    @Test
    void unclosedThinkingStaysReasoning() {
        assertThat(run(false, "<think>still thinking when the length ran out </thi"))
                .isEqualTo(new Whole("still thinking when the length ran out </thi", ""));
    }

    @Test
    void reasoningIsReleasedWhileStreamingButAPossibleClosingTagIsHeld() {
        var splitter = new ReasoningSplitter(false);

        assertThat(splitter.feed("<thi")).isEqualTo(new ReasoningSplitter.Split("", ""));
        assertThat(splitter.feed("nk>Step one. ")).isEqualTo(new ReasoningSplitter.Split("Step one.", ""));
        assertThat(splitter.inReasoning()).isTrue();
        assertThat(splitter.feed("Step</")).isEqualTo(new ReasoningSplitter.Split(" Step", ""));
        assertThat(splitter.feed("think>Done")).isEqualTo(new ReasoningSplitter.Split("", "Done"));
        assertThat(splitter.inReasoning()).isFalse();
    }

    @Test
    void everySplitGivesTheSameResult() {
        for (String text : List.of("<think>\nA < B, and </thin is not a tag.\n </think>\n\n Answer <think> kept",
                "  \n<think>x</think>y", "no reasoning at all", "<think></think>", "<thinking>not it</thinking>")) {
            for (boolean inside : new boolean[] {false, true}) {
                Whole whole = run(inside, text);
                for (int cut = 0; cut <= text.length(); cut++) {
                    assertThat(run(inside, List.of(text.substring(0, cut), text.substring(cut))))
                            .as("%s split at %d", text, cut).isEqualTo(whole);
                }
                assertThat(run(inside, text.chars().mapToObj(c -> String.valueOf((char) c)).toList()))
                        .as("%s char by char", text).isEqualTo(whole);
            }
        }
        assertThat(run(false, "<thinking>not it</thinking>")).isEqualTo(new Whole("", "<thinking>not it</thinking>"));
    }
}
