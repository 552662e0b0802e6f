package io.webllm.engine.registry;

import io.webllm.engine.output.ToolCallFormat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class ModelRegistryTests {

    private final ModelRegistry registry = ModelRegistry.builtIn();

    @Test
    void everyBuiltInEntryIsAWellFormedHuggingFaceGgufDownload() {
        List<ModelRecord> models = registry.all();

        assertThat(models).hasSizeGreaterThanOrEqualTo(15);
        assertThat(new HashSet<>(registry.ids())).hasSameSizeAs(models);
        for (ModelRecord model : models) {
            URI url = model.url();
            assertThat(url.getScheme()).as(model.id()).isEqualTo("https");
            assertThat(url.getHost()).as(model.id()).isEqualTo("huggingface.co");
            assertThat(url.getQuery()).as(model.id()).isNull();
            assertThat(url.getPath()).as(model.id())
                    .matches("/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+-GGUF/resolve/main/[A-Za-z0-9_.-]+\\.gguf")
                    .endsWith("/" + model.fileName());
            String quantization = model.quantization().toLowerCase(Locale.ROOT);
            assertThat(model.fileName().toLowerCase(Locale.ROOT)).as(model.id()).contains(quantization);
            assertThat(model.id()).endsWith("-" + quantization);
            assertThat(model.fileName()).as(model.id()).doesNotContainPattern("-000\\d+-of-"); // split files
            assertThat(model.contextLength()).as(model.id()).isBetween(2048, 1 << 20);
            assertThat(model.displayName()).as(model.id()).isNotBlank();
            assertThat(model.architecture()).as(model.id()).isIn("qwen2", "qwen3", "llama", "phi3", "gemma2");
            if (model.sha256() != null) {
                assertThat(model.sha256()).as(model.id()).matches("[0-9a-f]{64}");
            }
        }
    }

    @Test
    void theBuiltInListHasTheModelsOfWebLlmsPrebuiltList() {
        assertThat(registry.ids()).contains(
                "qwen2.5-0.5b-instruct-q4_k_m", "qwen2.5-0.5b-instruct-q8_0", "qwen2.5-1.5b-instruct-q4_k_m",
                "qwen2.5-3b-instruct-q4_k_m", "qwen2.5-7b-instruct-q4_k_m",
                "qwen3-0.6b-q8_0", "qwen3-1.7b-q4_k_m", "qwen3-4b-q4_k_m",
                "llama-3.2-1b-instruct-q4_k_m", "llama-3.2-3b-instruct-q4_k_m", "llama-3.1-8b-instruct-q4_k_m",
                "smollm2-360m-instruct-q8_0", "smollm2-1.7b-instruct-q4_k_m",
                "phi-3.5-mini-instruct-q4_k_m", "mistral-7b-instruct-v0.3-q4_k_m", "gemma-2-2b-it-q4_k_m");
        assertThat(registry.get("qwen2.5-0.5b-instruct-q4_k_m").toolCallFormat()).isEqualTo(ToolCallFormat.HERMES);
        assertThat(registry.get("llama-3.1-8b-instruct-q4_k_m").toolCallFormat())
                .isEqualTo(ToolCallFormat.LLAMA3_JSON);
        assertThat(registry.get("mistral-7b-instruct-v0.3-q4_k_m").toolCallFormat())
                .isEqualTo(ToolCallFormat.MISTRAL);
    }

    @Test
    void lookupIgnoresCaseAndSurroundingSpace() {
        assertThat(registry.get("  Qwen2.5-0.5B-Instruct-Q4_K_M ").id()).isEqualTo("qwen2.5-0.5b-instruct-q4_k_m");
    }

    @Test
    void anUnknownIdNamesTheCloseMatchesAndEveryKnownId() {
        assertThatThrownBy(() -> registry.get("qwen2.5-0.5b-instruct"))
                .isInstanceOfSatisfying(UnknownModelException.class, e -> {
                    assertThat(e.requestedId()).isEqualTo("qwen2.5-0.5b-instruct");
                    assertThat(e.closeMatches()).containsExactlyInAnyOrder(
                            "qwen2.5-0.5b-instruct-q4_k_m", "qwen2.5-0.5b-instruct-q8_0");
                })
                .hasMessageContaining("unknown model id 'qwen2.5-0.5b-instruct'")
                .hasMessageContaining("did you mean")
                .hasMessageContaining("gemma-2-2b-it-q4_k_m"); // every known id is listed
    }

    @Test
    void aTypoIsMatchedByEditDistance() {
        assertThatThrownBy(() -> registry.get("lama-3.2-1b-instruct-q4_k_m"))
                .isInstanceOfSatisfying(UnknownModelException.class,
                        e -> assertThat(e.closeMatches()).first().isEqualTo("llama-3.2-1b-instruct-q4_k_m"));
        assertThatThrownBy(() -> registry.get("something-else-entirely"))
                .isInstanceOfSatisfying(UnknownModelException.class, e -> assertThat(e.closeMatches()).isEmpty())
                .hasMessageNotContaining("did you mean");
    }

    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        assertThat(ModelRegistry.editDistance("kitten", "sitting")).isEqualTo(3);
        assertThat(ModelRegistry.editDistance("", "abc")).isEqualTo(3);
        assertThat(ModelRegistry.editDistance("same", "same")).isZero();
    }

    @Test
    void usersAddEntriesAndMayReplaceABuiltInOne() {
        ModelRecord mine = new ModelRecord("my-model", "Mine", URI.create("https://example.org/m/my.gguf"),
                "my.gguf", 123L, null, "Q8_0", 4096, "llama", ToolCallFormat.NONE);
        assertThat(registry.register(mine)).isNull();
        assertThat(registry.get("my-model")).isEqualTo(mine);
        assertThat(ModelRegistry.builtIn().find("my-model")).isEmpty(); // each built-in registry is a fresh copy

        ModelRecord builtIn = registry.get("qwen3-4b-q4_k_m");
        ModelRecord mirror = new ModelRecord(builtIn.id(), builtIn.displayName(),
                URI.create("https://mirror.example.org/Qwen3-4B-Q4_K_M.gguf"), builtIn.fileName(), null, null,
                builtIn.quantization(), builtIn.contextLength(), builtIn.architecture(), builtIn.toolCallFormat());
        assertThat(registry.register(mirror)).isEqualTo(builtIn);
        assertThat(registry.get("qwen3-4b-q4_k_m").url().getHost()).isEqualTo("mirror.example.org");
    }

    @Test
    void readsUserModelListsInTheBuiltInFormatAndNamesBadEntries() {
        String json = """
                {"models": [{"id": "extra", "displayName": "Extra", "url": "https://example.org/x/extra.gguf",
                  "fileName": "extra.gguf", "sizeBytes": 10, "sha256": null, "quantization": "Q4_0",
                  "contextLength": 2048, "architecture": "llama", "toolCallFormat": "NONE"}]}
                """;
        List<ModelRecord> models = ModelRegistry.readJson(stream(json), "extra.json");
        assertThat(models).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo("extra");
            assertThat(m.sizeBytes()).isEqualTo(10L);
            assertThat(m.sha256()).isNull();
        });

        String ftp = json.replace("https://example.org", "ftp://example.org");
        assertThatThrownBy(() -> ModelRegistry.readJson(stream(ftp), "bad.json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.json")
                .hasMessageContaining("expected an http(s) URL but found 'ftp://example.org/x/extra.gguf'");
        assertThatThrownBy(() -> ModelRegistry.readJson(stream("{\"other\": 1}"), "empty.json"))
                .hasMessageContaining("empty.json");
    }

    @Test
    void recordsRejectMalformedHashesAndIds() {
        URI url = URI.create("https://example.org/a.gguf");
        assertThatThrownBy(() -> new ModelRecord("a", "A", url, "a.gguf", null, "abc", "Q8_0", 1, "llama",
                ToolCallFormat.NONE))
                .hasMessageContaining("expected sha256 as 64 hex digits but found 'abc'");
        assertThatThrownBy(() -> new ModelRecord("Has Space", "A", url, "a.gguf", null, null, "Q8_0", 1, "llama",
                ToolCallFormat.NONE))
                .hasMessageContaining("'Has Space'");
        assertThatThrownBy(() -> new ModelRecord("a", "A", url, "../a.gguf", null, null, "Q8_0", 1, "llama",
                ToolCallFormat.NONE))
                .hasMessageContaining("expected a plain file name but found '../a.gguf'");
        String upper = "AB".repeat(32);
        assertThat(new ModelRecord("a", "A", url, "a.gguf", null, upper, "Q8_0", 1, "llama", ToolCallFormat.NONE)
                .sha256()).isEqualTo(upper.toLowerCase(Locale.ROOT));
    }

    private static ByteArrayInputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
