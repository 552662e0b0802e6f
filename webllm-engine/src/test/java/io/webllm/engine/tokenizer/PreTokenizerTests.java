package io.webllm.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Word splits checked against the documented behaviour of the Hugging Face pre-tokenizer regexes. */
class PreTokenizerTests {

    private static List<String> words(String name, String text) {
        int[] bounds = PreTokenizer.named(name).split(text);
        List<String> words = new ArrayList<>();
        for (int i = 0; i < bounds.length; i += 2) {
            words.add(text.substring(bounds[i], bounds[i + 1]));
        }
        return words;
    }

    @Test
    void gpt2KeepsTheSpaceWithTheFollowingWordAndSplitsContractions() {
        assertThat(words("gpt-2", "Hello world's  end 123")).containsExactly("Hello", " world", "'s", " ", " end",
                " 123");
    }

    @Test
    void llama3GroupsDigitsByThreeAndQwenSplitsEveryDigit() {
        assertThat(words("llama-bpe", "12345")).containsExactly("123", "45");
        assertThat(words("qwen2", "12345")).containsExactly("1", "2", "3", "4", "5");
        assertThat(words("starcoder", "a 12")).containsExactly("a", " ", "1", "2");
    }

    @Test
    void llama3ContractionsIgnoreCase() {
        assertThat(words("llama-bpe", "WE'VE")).containsExactly("WE", "'VE");
        assertThat(words("gpt-2", "WE'VE")).containsExactly("WE", "'", "VE");
    }

    @Test
    void deepseekCoderAppliesItsExpressionsInSequence() {
        // newline isolated; then letters with one optional leading space; then punctuation runs; then single digits
        assertThat(words("deepseek-coder", "def foo():\n  return 42")).containsExactly("def", " foo", "():", "\n",
                " ", " return", " ", "4", "2");
    }

    @Test
    void unknownNamesAreRejectedWithTheKnownOnes() {
        assertThatThrownBy(() -> PreTokenizer.named("Llama-BPE"))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining("'Llama-BPE'")
                .hasMessageContaining("smollm");
    }

    @Test
    void whitespaceIsUnicodeAware() {
        // U+3000 IDEOGRAPHIC SPACE is \s for Hugging Face's regexes: it never joins punctuation runs
        assertThat(words("gpt-2", "a\u3000\u3000b")).containsExactly("a", "\u3000", "\u3000", "b");
        assertThat(words("llama-bpe", "x\u00A0\u00A0y")).containsExactly("x", "\u00A0", "\u00A0y");
    }

    @Test
    void splitsCoverTheTextInOrder() {
        String text = "Tabs\tand\r\nnewlines \n\n  mixed 世界 ok?!";
        for (String name : PreTokenizer.knownNames()) {
            assertThat(String.join("", words(name, text))).as(name).isEqualTo(text);
        }
    }
}
