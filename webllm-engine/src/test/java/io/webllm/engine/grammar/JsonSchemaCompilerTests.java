package io.webllm.engine.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.JacksonException;

class JsonSchemaCompilerTests {

    private static final SyntheticVocabulary VOCABULARY = new SyntheticVocabulary(1, 500);
    private static final TokenTrie TRIE = TokenTrie.build(VOCABULARY);

    static List<SchemaCases> cases() {
        return SchemaCases.load();
    }

    private static GrammarMatcher matcher(SchemaCases c) {
        return new CompiledGrammar(JsonSchemaCompiler.compile(c.schema()), TRIE).newMatcher();
    }

    /** Feeds a document byte by byte; returns how many bytes were accepted. */
    private static int feed(GrammarMatcher matcher, byte[] document) {
        for (int i = 0; i < document.length; i++) {
            if (!matcher.acceptBytes(new byte[] {document[i]})) {
                return i;
            }
        }
        return document.length;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everyPrefixOfAValidDocumentIsAcceptedAndOnlyTheWholeOneIsCompleteWhenInvalidBefore(SchemaCases c) {
        for (String document : c.valid()) {
            assertThat(SchemaValidator.validate(c.schema(), SchemaCases.parseStrictly(bytes(document))))
                    .as("test data: %s is valid", document).isEmpty();
            GrammarMatcher matcher = matcher(c);
            byte[] bytes = bytes(document);
            for (int i = 0; i < bytes.length; i++) {
                assertThat(matcher.acceptBytes(new byte[] {bytes[i]}))
                        .as("byte %d of %s", i, document).isTrue();
                if (matcher.isComplete()) {
                    // a complete prefix must itself be a valid document
                    byte[] prefix = java.util.Arrays.copyOf(bytes, i + 1);
                    assertThat(SchemaValidator.validate(c.schema(), SchemaCases.parseStrictly(prefix)))
                            .as("complete prefix %s", new String(prefix, StandardCharsets.UTF_8)).isEmpty();
                }
            }
            assertThat(matcher.isComplete()).as(document).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void invalidDocumentsAreRejectedAtTheFirstByteThatCannotBeFixed(SchemaCases c) {
        for (String document : c.invalid()) {
            boolean invalid;
            try {
                invalid = !SchemaValidator.validate(c.schema(), SchemaCases.parseStrictly(bytes(document))).isEmpty();
            } catch (JacksonException e) {
                invalid = true;
            }
            assertThat(invalid).as("test data: %s is invalid", document).isTrue();
            assertRejected(c, document);
        }
        for (String document : c.outside()) {
            assertThat(SchemaValidator.validate(c.schema(), SchemaCases.parseStrictly(bytes(document))))
                    .as("test data: %s is valid", document).isEmpty();
            assertRejected(c, document);
        }
    }

    private static void assertRejected(SchemaCases c, String document) {
        GrammarMatcher matcher = matcher(c);
        byte[] bytes = bytes(document);
        int accepted = feed(matcher, bytes);
        assertThat(accepted == bytes.length && matcher.isComplete()).as("accepted %s", document).isFalse();
        if (accepted < bytes.length) {
            // the rejection is final: the matcher state is unchanged by the refused byte
            assertThat(matcher.acceptBytes(new byte[] {bytes[accepted]})).isFalse();
        }
    }

    @Test
    void jsonModeAcceptsAnyObjectButNoOtherValue() {
        CompiledGrammar grammar = new CompiledGrammar(JsonSchemaCompiler.anyJsonObject(), TRIE);
        for (String document : List.of("{}", "{\"a\":[1,-2.5e3,\"x\",true,false,null,{}],\"b\":{\"c\":[]}}",
                "{\n  \"k\": \"v\"\n}")) {
            GrammarMatcher matcher = grammar.newMatcher();
            assertThat(feed(matcher, bytes(document))).isEqualTo(bytes(document).length);
            assertThat(matcher.isComplete()).isTrue();
        }
        for (String document : List.of("[]", "\"s\"", "1", "{\"a\"}", "{,}", "{\"a\":1,}", " {}")) {
            GrammarMatcher matcher = grammar.newMatcher();
            assertThat(feed(matcher, bytes(document)) == bytes(document).length && matcher.isComplete())
                    .as(document).isFalse();
        }
    }

    static Stream<Arguments> uncompilable() {
        return Stream.of(
                Arguments.of("{\"type\":\"object\",\"properties\":{\"a\":{\"not\":{\"type\":\"string\"}}}}", "not",
                        "/properties/a"),
                Arguments.of("{\"allOf\":[{\"type\":\"string\"},{\"minLength\":1}]}", "allOf", ""),
                Arguments.of("{\"type\":\"array\",\"items\":{\"type\":\"string\",\"pattern\":\"(a)\\\\1\"}}",
                        "pattern", "/items"),
                Arguments.of("{\"type\":\"array\",\"uniqueItems\":true}", "uniqueItems", ""),
                Arguments.of("{\"$ref\":\"https://example.com/s.json\"}", "$ref", ""),
                Arguments.of("{\"$ref\":\"#/$defs/missing\"}", "$ref", ""),
                Arguments.of("{\"type\":\"integer\",\"minimum\":5,\"maximum\":4}", "minimum", ""),
                Arguments.of("{\"type\":\"number\",\"minimum\":0.2,\"maximum\":0.8}", "minimum", ""),
                Arguments.of("{\"type\":\"strin\"}", "type", ""),
                Arguments.of("{\"enum\":[1,2],\"type\":\"string\"}", "enum", ""),
                Arguments.of("{\"type\":\"object\",\"required\":[\"a\"],\"additionalProperties\":false}",
                        "required", ""),
                Arguments.of("{\"type\":\"object\",\"patternProperties\":{\"^x\":{}}}", "patternProperties", ""),
                Arguments.of("{\"type\":\"string\",\"maxLength\":100001}", "maxLength", ""),
                Arguments.of("{\"anyOf\":[{\"type\":\"string\"}],\"minLength\":2}", "minLength", ""),
                Arguments.of("{\"properties\":{\"x/y\":{\"type\":\"string\",\"pattern\":\"a(?=b)\"}}}", "pattern",
                        "/properties/x~1y"),
                Arguments.of("not json", "", ""));
    }

    @ParameterizedTest
    @MethodSource("uncompilable")
    void schemasThatCannotBeFollowedFailNamingKeywordAndPointer(String schema, String keyword, String pointer) {
        assertThatThrownBy(() -> JsonSchemaCompiler.compile(schema))
                .isInstanceOfSatisfying(GrammarException.class, e -> {
                    assertThat(e.keyword()).isEqualTo(keyword);
                    assertThat(e.pointer()).isEqualTo(pointer);
                    assertThat(e.getMessage()).contains("'" + keyword + "'");
                });
    }

    @Test
    void integerRangesCoverExactlyTheRange() {
        long[][] ranges = {{0, 0}, {0, 9}, {7, 7}, {3, 42}, {10, 99}, {1, 1000}, {0, 12345}, {999, 1001},
            {123, 4567}, {55, 56}, {100, 199}, {19, 20}};
        for (long[] range : ranges) {
            List<int[]> alternatives = JsonGrammarParts.digitRanges(range[0], range[1]);
            for (long v = 0; v <= 20000; v++) {
                String text = Long.toString(v);
                long matches = alternatives.stream().filter(a -> matches(a, text)).count();
                assertThat(matches).as("%d in [%d, %d]", v, range[0], range[1])
                        .isEqualTo(v >= range[0] && v <= range[1] ? 1 : 0);
            }
        }
    }

    private static boolean matches(int[] digitRanges, String text) {
        if (digitRanges.length != 2 * text.length()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < digitRanges[2 * i] || c > digitRanges[2 * i + 1]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
