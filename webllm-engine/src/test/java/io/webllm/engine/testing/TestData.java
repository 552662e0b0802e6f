package io.webllm.engine.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared/testdata, which Surefire passes in as the system property {@code webllm.testdata}. */
public final class TestData {

    private TestData() {
    }

    public static Path root() {
        String configured = System.getProperty("webllm.testdata");
        Path root = configured != null ? Path.of(configured) : Path.of("..", "..", "shared", "testdata");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("test data not found at " + root.toAbsolutePath()
                    + ": the shared/ folder must sit beside the checkout (set -Dwebllm.testdata to override)");
        }
        return root;
    }

    public static Path model(String name) {
        return root().resolve("models").resolve(name);
    }

    public static Path tokenizer(String name) {
        return root().resolve("tokenizer").resolve(name);
    }
}
