package io.webllm.engine.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class StopSequenceMatcherTests {

    /** What a stream produced in total: the emitted text and the stop string, if any. */
    record Outcome(String text, @Nullable String stop) {
    }

    /**
     * The reference, straight from the definition: grow the text one character at a time and stop at the first
     * length where some stop string is a suffix (the longest such stop if several end there).
     */
    static Outcome reference(String text, List<String> stops) {
        for (int length = 1; length <= text.length(); length++) {
            String prefix = text.substring(0, length);
            String best = null;
            for (String stop : stops) {
                if (prefix.endsWith(stop) && (best == null || stop.length() > best.length())) {
                    best = stop;
                }
            }
            if (best != null) {
                return new Outcome(prefix.substring(0, length - best.length()), best);
            }
        }
        return new Outcome(text, null);
    }

    static Outcome stream(List<String> chunks, List<String> stops) {
        var matcher = new StopSequenceMatcher(stops);
        var emitted = new StringBuilder();
        for (String chunk : chunks) {
            var step = matcher.feed(chunk);
            emitted.append(step.text());
            if (step.stopped()) {
                return new Outcome(emitted.toString(), step.stop());
            }
        }
        emitted.append(matcher.finish());
        return new Outcome(emitted.toString(), null);
    }

    static List<String> splitAt(String text, int... cuts) {
        var chunks = new ArrayList<String>();
        int from = 0;
        for (int cut : cuts) {
            chunks.add(text.substring(from, cut));
            from = cut;
        }
        chunks.add(text.substring(from));
        return chunks;
    }

    @Test
    void stopStringSplitAcrossDeltasIsNeverEmitted() {
        var matcher = new StopSequenceMatcher(List.of("<|end|>"));

        var first = matcher.feed("Hello <|e");
        var second = matcher.feed("nd|> trailing");

        assertThat(first.text()).isEqualTo("Hello ");
        assertThat(first.stopped()).isFalse();
        assertThat(second.text()).isEmpty();
        assertThat(second.stop()).isEqualTo("<|end|>");
        assertThat(matcher.feed("more").text()).isEmpty();
        assertThat(matcher.matchedStop()).isEqualTo("<|end|>");
    }

    @Test
    void heldTextIsReleasedOnceItCannotStartAStop() {
        var matcher = new StopSequenceMatcher(List.of("STOP"));

        assertThat(matcher.feed("a ST").text()).isEqualTo("a ");
        assertThat(matcher.feed("O").text()).isEmpty();
        assertThat(matcher.feed("P?").stop()).isEqualTo("STOP");

        var other = new StopSequenceMatcher(List.of("STOP"));
        other.feed("a ST");
        assertThat(other.feed("ORM").text()).isEqualTo("STORM");
        assertThat(other.feed("ST").text()).isEmpty();
        assertThat(other.finish()).isEqualTo("ST");
    }

    @Test
    void overlappingStopsEndAtTheFirstOneCompleted() {
        // "bc" completes at the third character, before "abcd" could
        assertThat(stream(List.of("abcd"), List.of("abcd", "bc"))).isEqualTo(new Outcome("a", "bc"));
        // "abc" completes before "bcd"
        assertThat(stream(List.of("xabcd"), List.of("bcd", "abc"))).isEqualTo(new Outcome("x", "abc"));
        // "c" and "abc" complete together: the longer wins, so none of it is shown
        assertThat(stream(List.of("zabc"), List.of("c", "abc"))).isEqualTo(new Outcome("z", "abc"));
        // a stop that is a prefix of another: the shorter one completes first
        assertThat(stream(List.of("12##3"), List.of("##3", "##"))).isEqualTo(new Outcome("12", "##"));
        // a near miss keeps the text
        assertThat(stream(List.of("aab", "ab"), List.of("aabb", "abb"))).isEqualTo(new Outcome("aabab", null));
    }

    @Test
    void everySplitGivesTheReferenceOutcome() {
        List<String> stops = List.of("\n\nUser:", "###", "</s>", "ab", "bab", "User");
        for (String text : List.of("Sure.\n\nUser: hi", "a#b##c###d", "x</s", "x</s>y", "bbbab", "ba", "Use",
                "\n\nUser", "plain text")) {
            Outcome expected = reference(text, stops);
            for (int cut = 0; cut <= text.length(); cut++) {
                assertThat(stream(splitAt(text, cut), stops)).as("%s split at %d", text, cut).isEqualTo(expected);
            }
            assertThat(stream(text.chars().mapToObj(c -> String.valueOf((char) c)).toList(), stops))
                    .as("%s char by char", text).isEqualTo(expected);
        }
    }

    @Test
    void randomTextsAndSplitsAgreeWithTheReference() {
        var random = new SplittableRandom(11);
        List<String> stops = List.of("aba", "bb", "cab", "abcabc");
        for (int round = 0; round < 2000; round++) {
            var text = new StringBuilder();
            for (int i = 0, n = random.nextInt(12); i < n; i++) {
                text.append("abc".charAt(random.nextInt(3)));
            }
            int a = random.nextInt(text.length() + 1);
            int b = a + random.nextInt(text.length() - a + 1);

            assertThat(stream(splitAt(text.toString(), a, b), stops)).as("%s cut at %d, %d", text, a, b)
                    .isEqualTo(reference(text.toString(), stops));
        }
    }

    @Test
    void withoutStopsEverythingPassesStraightThrough() {
        var matcher = new StopSequenceMatcher(List.of());

        assertThat(matcher.feed("any text").text()).isEqualTo("any text");
        assertThat(matcher.finish()).isEmpty();
    }

    @Test
    void rejectsAnEmptyStopString() {
        assertThatThrownBy(() -> new StopSequenceMatcher(List.of("ok", "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stop: expected non-empty stop strings but found an empty one");
    }
}
