package io.webllm.engine.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModelReferenceTests {

    private final ModelRegistry registry = ModelRegistry.builtIn();

    @Test
    void aKnownIdIsARegisteredModel() {
        assertThat(registry.resolve("smollm2-360m-instruct-q8_0"))
                .isEqualTo(new ModelReference.Registered(registry.get("smollm2-360m-instruct-q8_0")));
    }

    @Test
    void anHttpUrlIsARemoteFileNamedAfterItsLastSegment() {
        ModelReference reference = registry.resolve(
                "https://huggingface.co/org/Repo-GGUF/resolve/main/My%20Model-Q4_K_M.gguf?download=true");

        assertThat(reference).isInstanceOfSatisfying(ModelReference.Remote.class, remote -> {
            assertThat(remote.source().fileName()).isEqualTo("My Model-Q4_K_M.gguf");
            assertThat(remote.source().sizeBytes()).isNull();
            assertThat(remote.source().sha256()).isNull();
        });
        assertThatThrownBy(() -> registry.resolve("https://example.org/models/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not end in a file name");
    }

    @Test
    void pathsAndFileUrisAreLocalFiles() {
        assertThat(registry.resolve("./models/x.gguf")).isEqualTo(new ModelReference.LocalFile(Path.of("./models/x.gguf")));
        assertThat(registry.resolve("model.GGUF")).isEqualTo(new ModelReference.LocalFile(Path.of("model.GGUF")));
        assertThat(registry.resolve("~/m.gguf"))
                .isEqualTo(new ModelReference.LocalFile(Path.of(System.getProperty("user.home"), "m.gguf")));
        Path absolute = Path.of("/tmp/some model.gguf");
        assertThat(registry.resolve(absolute.toUri().toString()))
                .isEqualTo(new ModelReference.LocalFile(absolute));
    }

    @Test
    void anythingElseIsAnUnknownId() {
        assertThatThrownBy(() -> registry.resolve("qwen3-4b"))
                .isInstanceOfSatisfying(UnknownModelException.class,
                        e -> assertThat(e.closeMatches()).contains("qwen3-4b-q4_k_m"))
                .hasMessageContaining("A local .gguf path or an http(s) URL is accepted as well");
        assertThatThrownBy(() -> registry.resolve("  "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void theCacheLayoutKeepsRepositoriesApartAndCannotEscapeTheCache() {
        assertThat(layout("https://huggingface.co/Qwen/Qwen3-4B-GGUF/resolve/main/Qwen3-4B-Q4_K_M.gguf"))
                .isEqualTo(Path.of("Qwen", "Qwen3-4B-GGUF", "Qwen3-4B-Q4_K_M.gguf"));
        assertThat(layout("https://huggingface.co/a/b/resolve/refs%2Fpr%2F3/sub/x.gguf"))
                .isEqualTo(Path.of("a", "b", "refs_pr_3", "sub", "x.gguf"));
        assertThat(layout("http://example.org:8080/files/x.gguf")).isEqualTo(Path.of("example.org_8080", "x.gguf"));
        assertThat(layout("https://huggingface.co/%2E%2E/%2E%2E/resolve/main/x.gguf"))
                .isEqualTo(Path.of("_..", "_..", "x.gguf"));
    }

    private static Path layout(String url) {
        return CacheLayout.relativePath(new ModelReference.Remote(URI.create(url)).source());
    }
}
