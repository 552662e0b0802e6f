package io.webllm.engine.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrammarMatcherTests {

    /** A tiny hand-made vocabulary, so expected masks can be stated token by token. */
    private static final class ListVocabulary implements TokenVocabulary {
        private final List<byte[]> tokens = new ArrayList<>();

        ListVocabulary(String... pieces) {
            for (String piece : pieces) {
                tokens.add(piece.getBytes(StandardCharsets.UTF_8));
            }
        }

        int add(byte... bytes) {
            tokens.add(bytes);
            return tokens.size() - 1;
        }

        @Override
        public int size() {
            return tokens.size();
        }

        @Override
        public byte[] tokenBytes(int tokenId) {
            return tokens.get(tokenId);
        }

        @Override
        public boolean isEndOfGeneration(int tokenId) {
            return tokenId == 0;
        }
    }

    private static final String STRING_SCHEMA = "{\"type\":\"string\"}";

    private static List<Integer> allowed(GrammarMatcher matcher, TokenTrie trie) {
        long[] mask = new long[trie.maskWords()];
        matcher.fillNextTokenMask(mask);
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < trie.vocabularySize(); id++) {
            if ((mask[id >>> 6] & (1L << (id & 63))) != 0) {
                ids.add(id);
            }
        }
        return ids;
    }

    @Test
    void aUtf8CharacterSplitAcrossTokensIsAcceptedAndAnIllFormedOneIsNot() {
        ListVocabulary vocabulary = new ListVocabulary("", "\"");
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // E2 82 AC
        int head = vocabulary.add(euro[0]);
        int middleAndTail = vocabulary.add(euro[1], euro[2]);
        int tail = vocabulary.add(euro[2]);
        int overlong = vocabulary.add((byte) 0xC0, (byte) 0x80);
        int surrogate = vocabulary.add((byte) 0xED, (byte) 0xA0, (byte) 0x80);
        TokenTrie trie = TokenTrie.build(vocabulary);
        GrammarMatcher matcher = new CompiledGrammar(JsonSchemaCompiler.compile(STRING_SCHEMA), trie).newMatcher();
        assertThat(matcher.acceptToken(1)).isTrue();
        assertThat(allowed(matcher, trie)).containsExactly(1, head);
        assertThat(matcher.acceptToken(head)).isTrue();
        // inside the character only continuation bytes are allowed: not a quote, not another lead byte
        assertThat(allowed(matcher, trie)).containsExactly(middleAndTail, tail);
        assertThat(matcher.acceptToken(middleAndTail)).isTrue();
        assertThat(matcher.acceptToken(tail)).isFalse();
        assertThat(matcher.acceptToken(overlong)).isFalse();
        assertThat(matcher.acceptToken(surrogate)).isFalse();
        assertThat(matcher.isComplete()).isFalse();
        assertThat(matcher.acceptToken(1)).isTrue();
        assertThat(matcher.isComplete()).isTrue();
        assertThat(allowed(matcher, trie)).containsExactly(0);
        assertThat(matcher.acceptToken(0)).isTrue();
        assertThat(matcher.isTerminated()).isTrue();
        assertThat(allowed(matcher, trie)).isEmpty();
    }

    @Test
    void endOfGenerationIsAllowedOnlyWhenTheValueIsCompleteAndControlTokensNever() {
        ListVocabulary vocabulary = new ListVocabulary("", "1", "2", ".", "x");
        int control = vocabulary.add();
        TokenTrie trie = TokenTrie.build(vocabulary);
        GrammarMatcher matcher = new CompiledGrammar(JsonSchemaCompiler.compile("{\"type\":\"integer\"}"), trie)
                .newMatcher();
        assertThat(allowed(matcher, trie)).containsExactly(1, 2);
        assertThat(matcher.acceptToken(0)).isFalse();
        assertThat(matcher.acceptToken(control)).isFalse();
        assertThat(matcher.acceptToken(1)).isTrue();
        assertThat(allowed(matcher, trie)).containsExactly(0, 1, 2);
        assertThat(matcher.acceptToken(3)).isFalse();
    }

    @Test
    void rollbackCopyAndResetRestoreEarlierStates() {
        ListVocabulary vocabulary = new ListVocabulary("", "{", "\"a\"", ":", "1", "}", "true");
        TokenTrie trie = TokenTrie.build(vocabulary);
        CompiledGrammar grammar = new CompiledGrammar(JsonSchemaCompiler.compile(
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},\"required\":[\"a\"]}"), trie);
        GrammarMatcher matcher = grammar.newMatcher();
        for (int token : new int[] {1, 2, 3}) {
            assertThat(matcher.acceptToken(token)).isTrue();
        }
        GrammarMatcher copy = matcher.copy();
        assertThat(matcher.acceptToken(4)).isTrue();
        assertThat(matcher.acceptToken(5)).isTrue();
        assertThat(matcher.isComplete()).isTrue();
        assertThat(allowed(copy, trie)).containsExactly(4);
        matcher.rollback(2);
        assertThat(matcher.isComplete()).isFalse();
        assertThat(allowed(matcher, trie)).containsExactly(4);
        assertThat(matcher.acceptToken(6)).isFalse();
        assertThatThrownBy(() -> matcher.rollback(4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 0 and 3");
        matcher.reset();
        assertThat(allowed(matcher, trie)).containsExactly(1);
    }

    @Test
    void theMaskMustHaveRoomForTheVocabulary() {
        ListVocabulary vocabulary = new ListVocabulary("", "a");
        for (int i = 0; i < 70; i++) {
            vocabulary.add((byte) 'x', (byte) i);
        }
        TokenTrie trie = TokenTrie.build(vocabulary);
        GrammarMatcher matcher = new CompiledGrammar(JsonSchemaCompiler.compile(STRING_SCHEMA), trie).newMatcher();
        assertThat(trie.maskWords()).isEqualTo(2);
        assertThatThrownBy(() -> matcher.fillNextTokenMask(new long[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 2 words");
    }

    @Test
    void sharedRulesAreAnalysedOnceAcrossMatchers() {
        SyntheticVocabulary vocabulary = new SyntheticVocabulary(3, 300);
        TokenTrie trie = TokenTrie.build(vocabulary);
        CompiledGrammar grammar = new CompiledGrammar(JsonSchemaCompiler.compile(
                "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"), trie);
        long[] mask = new long[trie.maskWords()];
        GrammarMatcher first = grammar.newMatcher();
        first.acceptBytes("[\"ab".getBytes(StandardCharsets.UTF_8));
        first.fillNextTokenMask(mask);
        int cached = grammar.cachedPositions();
        GrammarMatcher second = grammar.newMatcher();
        second.acceptBytes("[\"xyz".getBytes(StandardCharsets.UTF_8));
        second.fillNextTokenMask(mask);
        assertThat(cached).isPositive();
        assertThat(grammar.cachedPositions()).isEqualTo(cached);
    }
}
