package io.webllm.engine.tokenizer;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.testing.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Times encoding about 1 MB of English text with the Llama 3 (byte-level BPE) and Llama 2 (SentencePiece)
 * vocabularies, on one thread. The text is the English licence texts under /usr/share/common-licenses repeated to
 * 1 MiB (generated sentences where that folder is missing).
 *
 * <p>"first call" is the first encode in the JVM (JIT compilation included); "cold cache" builds a fresh tokenizer
 * for every run after warm-up, so its word cache starts empty; "warm" reuses one tokenizer. Best of 10 runs.
 * Run after {@code ./mvnw -pl webllm-engine test-compile}:
 * <pre>
 * java -cp webllm-engine/target/classes:webllm-engine/target/test-classes \
 *      -Dwebllm.testdata=../shared/testdata io.webllm.engine.tokenizer.TokenizerBenchmark
 * </pre>
 */
public final class TokenizerBenchmark {

    private static final int TARGET_BYTES = 1 << 20;
    private static final int RUNS = 10;

    private TokenizerBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        String text = englishText();
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        System.out.printf("text: %d bytes, %d chars%n", bytes, text.length());
        for (String name : List.of("ggml-vocab-llama-bpe.gguf", "ggml-vocab-llama-spm.gguf")) {
            Path path = TestData.tokenizer(name);
            GgufFile file = GgufFile.open(path);
            try (file) {
                // the very first call pays for JIT compilation as well: what a freshly started application sees
                Tokenizer first = Tokenizer.fromGguf(file.metadata());
                long firstStart = System.nanoTime();
                first.encode(text, true, false);
                double firstSeconds = (System.nanoTime() - firstStart) / 1e9;
                for (int i = 0; i < 5; i++) {
                    Tokenizer.fromGguf(file.metadata()).encode(text, true, false);
                }
                double coldBest = Double.MAX_VALUE;
                int tokens = 0;
                for (int i = 0; i < RUNS; i++) {
                    Tokenizer fresh = Tokenizer.fromGguf(file.metadata());
                    long start = System.nanoTime();
                    tokens = fresh.encode(text, true, false).length;
                    coldBest = Math.min(coldBest, (System.nanoTime() - start) / 1e9);
                }
                Tokenizer shared = Tokenizer.fromGguf(file.metadata());
                shared.encode(text, true, false);
                double warmBest = Double.MAX_VALUE;
                for (int i = 0; i < RUNS; i++) {
                    long start = System.nanoTime();
                    shared.encode(text, true, false);
                    warmBest = Math.min(warmBest, (System.nanoTime() - start) / 1e9);
                }
                System.out.printf("%-26s %7d tokens  first call %6.3f s  cold cache %6.3f s (%6.2f MB/s)"
                        + "  warm %6.3f s (%6.2f MB/s)%n", name, tokens, firstSeconds, coldBest,
                        bytes / 1e6 / coldBest, warmBest, bytes / 1e6 / warmBest);
            }
        }
    }

    private static String englishText() throws IOException {
        StringBuilder corpus = new StringBuilder();
        Path licences = Path.of("/usr/share/common-licenses");
        if (Files.isDirectory(licences)) {
            try (Stream<Path> files = Files.list(licences)) {
                for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                    corpus.append(Files.readString(file, StandardCharsets.ISO_8859_1)).append('\n');
                }
            }
        }
        if (corpus.isEmpty()) {
            String[] sentences = {"The quick brown fox jumps over the lazy dog. ",
                    "In 1998, researchers at the university published 42 papers on distributed systems. ",
                    "She asked, \"Isn't it remarkable how quickly the weather changes here?\" ",
                    "Tokenizers split text into pieces that a language model has learned to predict.\n"};
            for (int i = 0; corpus.length() < 4096; i++) {
                corpus.append(sentences[i % sentences.length]);
            }
        }
        StringBuilder text = new StringBuilder(TARGET_BYTES + corpus.length());
        while (text.length() < TARGET_BYTES) {
            text.append(corpus);
        }
        return text.substring(0, TARGET_BYTES);
    }
}
