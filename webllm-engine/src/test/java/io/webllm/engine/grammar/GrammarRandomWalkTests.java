package io.webllm.engine.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Generation with uniformly random allowed tokens: whatever the "model" picks, the output must parse and
 * validate. Also checks each mask against brute force (every token tried on a copy of the matcher).
 */
class GrammarRandomWalkTests {

    private static final SyntheticVocabulary VOCABULARY = new SyntheticVocabulary(42, 3000);
    private static final TokenTrie TRIE = TokenTrie.build(VOCABULARY);
    private static final int SEEDS = 40;
    private static final int MAX_TOKENS = 600;

    static List<SchemaCases> cases() {
        return SchemaCases.load();
    }

    /** Result of one walk: the output, and whether it ended with the end token. */
    private record Walk(byte[] output, boolean finished) {
    }

    /** Steps whose masks are compared with brute force (which tries every token, so it is slow). */
    private static final int CHECKED_STEPS = 150;

    private static Walk walk(GrammarMatcher matcher, Random random, boolean checkMasks) {
        long[] mask = new long[TRIE.maskWords()];
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        for (int step = 0; step < MAX_TOKENS; step++) {
            matcher.fillNextTokenMask(mask);
            if (checkMasks && step < CHECKED_STEPS) {
                assertThat(mask).as("mask at step %d after %s", step, text(output.toByteArray()))
                        .isEqualTo(bruteForceMask(matcher));
            }
            int allowed = 0;
            for (long word : mask) {
                allowed += Long.bitCount(word);
            }
            assertThat(allowed).as("no token allowed after %s", text(output.toByteArray())).isPositive();
            int pick = random.nextInt(allowed);
            int token = nthSetBit(mask, pick);
            assertThat(matcher.acceptToken(token)).as("allowed token %d refused", token).isTrue();
            if (token == VOCABULARY.endToken()) {
                return new Walk(output.toByteArray(), true);
            }
            output.writeBytes(VOCABULARY.tokenBytes(token));
        }
        return new Walk(output.toByteArray(), false);
    }

    private static long[] bruteForceMask(GrammarMatcher matcher) {
        long[] mask = new long[TRIE.maskWords()];
        for (int id = 0; id < VOCABULARY.size(); id++) {
            if (matcher.copy().acceptToken(id)) {
                mask[id >>> 6] |= 1L << (id & 63);
            }
        }
        return mask;
    }

    private static int nthSetBit(long[] mask, int n) {
        for (int w = 0; w < mask.length; w++) {
            int count = Long.bitCount(mask[w]);
            if (n < count) {
                long word = mask[w];
                for (int i = 0; i < n; i++) {
                    word &= word - 1;
                }
                return w * 64 + Long.numberOfTrailingZeros(word);
            }
            n -= count;
        }
        throw new IllegalStateException("fewer set bits than " + n);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void randomAllowedTokensAlwaysGiveAValidDocument(SchemaCases c) {
        CompiledGrammar grammar = new CompiledGrammar(JsonSchemaCompiler.compile(c.schema()), TRIE);
        int finished = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            Walk walk = walk(grammar.newMatcher(), new Random(seed), false);
            if (walk.finished()) {
                finished++;
                JsonNode document = SchemaCases.parseStrictly(walk.output());
                assertThat(SchemaValidator.validate(c.schema(), document)).as("seed %d: %s", seed,
                        text(walk.output())).isEmpty();
            }
        }
        // walks that hit the token limit are open structures, not failures; most walks must finish
        assertThat(finished).as("finished walks of %d", SEEDS).isGreaterThan(SEEDS / 2);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void masksEqualBruteForceAlongRandomWalks(SchemaCases c) {
        CompiledGrammar grammar = new CompiledGrammar(JsonSchemaCompiler.compile(c.schema()), TRIE);
        for (int seed = 100; seed < 102; seed++) {
            walk(grammar.newMatcher(), new Random(seed), true);
        }
    }

    @Test
    void jsonModeWalksGiveObjects() {
        CompiledGrammar grammar = new CompiledGrammar(JsonSchemaCompiler.anyJsonObject(), TRIE);
        int finished = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            Walk walk = walk(grammar.newMatcher(), new Random(seed), seed == 0);
            if (walk.finished()) {
                finished++;
                assertThat(SchemaCases.parseStrictly(walk.output()).isObject()).isTrue();
            }
        }
        assertThat(finished).isGreaterThan(SEEDS / 2);
    }

    @Test
    void masksAgreeWhenTheCacheIsTooSmallToHoldAnything() {
        SchemaCases person = cases().getFirst();
        CompiledGrammar uncached = new CompiledGrammar(JsonSchemaCompiler.compile(person.schema()), TRIE, 0);
        walk(uncached.newMatcher(), new Random(7), true);
        assertThat(uncached.cachedPositions()).isZero();
    }
}
