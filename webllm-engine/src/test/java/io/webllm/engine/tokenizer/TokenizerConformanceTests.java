package io.webllm.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays llama.cpp's tokenizer test vectors (the ids Hugging Face's tokenizers produce) for every vocabulary in
 * {@code testdata/tokenizer/} that has {@code .inp}/{@code .out} files, exactly as {@code test-tokenizer-0.cpp}
 * reads them: inputs split on {@code "\n__ggml_vocab_test__\n"} (a trailing separator ends the list), output lines
 * stripped and split on spaces, encoding without BOS/EOS and without parsing control tokens.
 */
class TokenizerConformanceTests {

    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";
    private static final ConcurrentHashMap<Path, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();

    record Vector(String input, int[] expected) {
    }

    static List<Path> vocabularies() {
        try (Stream<Path> files = Files.list(TestData.root().resolve("tokenizer"))) {
            return files.filter(p -> p.getFileName().toString().matches("ggml-vocab-.*\\.gguf"))
                    .filter(p -> Files.exists(Path.of(p + ".inp")) && Files.exists(Path.of(p + ".out")))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Tokenizer tokenizer(Path vocabulary) {
        return TOKENIZERS.computeIfAbsent(vocabulary, p -> {
            try (GgufFile file = GgufFile.open(p)) {
                return Tokenizer.fromGguf(file.metadata());
            }
        });
    }

    /** Same reading as llama.cpp's read_tests(). */
    static List<Vector> vectors(Path vocabulary) throws IOException {
        String raw = Files.readString(Path.of(vocabulary + ".inp"), StandardCharsets.UTF_8);
        List<String> inputs = new ArrayList<>();
        int position = 0;
        while (position < raw.length()) {
            int next = raw.indexOf(SEPARATOR, position);
            if (next < 0) {
                inputs.add(raw.substring(position));
                break;
            }
            inputs.add(raw.substring(position, next));
            position = next + SEPARATOR.length();
        }
        List<String> outputs = Files.readAllLines(Path.of(vocabulary + ".out"), StandardCharsets.UTF_8);
        assertThat(inputs).as("inputs vs output lines of %s", vocabulary.getFileName()).hasSameSizeAs(outputs);
        List<Vector> vectors = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String line = outputs.get(i).strip();
            int[] ids = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            vectors.add(new Vector(inputs.get(i), ids));
        }
        return vectors;
    }

    @TestFactory
    Stream<DynamicTest> everyVectorMatchesTheReferenceIds() {
        List<Path> vocabularies = vocabularies();
        assertThat(vocabularies).as("vocabularies with test vectors").isNotEmpty();
        return vocabularies.stream().map(vocabulary -> DynamicTest.dynamicTest(
                vocabulary.getFileName().toString(), () -> {
                    Tokenizer tokenizer = tokenizer(vocabulary);
                    List<String> failures = new ArrayList<>();
                    List<Vector> vectors = vectors(vocabulary);
                    for (Vector vector : vectors) {
                        int[] actual = tokenizer.encode(vector.input(), false, false);
                        if (!Arrays.equals(actual, vector.expected())) {
                            failures.add("%s%n    expected %s%n    actual   %s".formatted(escape(vector.input()),
                                    Arrays.toString(vector.expected()), Arrays.toString(actual)));
                        }
                    }
                    assertThat(failures).as("%d of %d vectors differ for %s", failures.size(), vectors.size(),
                            vocabulary.getFileName()).isEmpty();
                }));
    }

    @TestFactory
    Stream<DynamicTest> decodingTheReferenceIdsGivesTheInputBack() {
        return vocabularies().stream().map(vocabulary -> DynamicTest.dynamicTest(
                vocabulary.getFileName().toString(), () -> {
                    Tokenizer tokenizer = tokenizer(vocabulary);
                    for (Vector vector : vectors(vocabulary)) {
                        assertThat(tokenizer.decode(vector.expected())).as(escape(vector.input()))
                                .isEqualTo(vector.input());
                        assertThat(tokenizer.decode(tokenizer.encode(vector.input(), false, false)))
                                .as(escape(vector.input())).isEqualTo(vector.input());
                    }
                }));
    }

    static String escape(String text) {
        return "'" + text.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + "'";
    }
}
