package io.webllm.engine.template;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real chat templates (shared/testdata/templates, the templates inside the vocabulary GGUFs, and the built-in
 * formats) rendered for every conversation of conversations.json must equal what Python's Jinja2 renders with
 * Hugging Face's settings (expected.json, written by render_expected.py).
 */
class ChatTemplateConformanceTests {

    private static final Path TESTDATA = Path.of(System.getProperty("webllm.testdata"));

    @SuppressWarnings("unchecked")
    @TestFactory
    Stream<DynamicNode> realTemplatesRenderAsHuggingFaceDoes() throws IOException {
        Map<String, Object> spec = ExpectedRenderings.resource("conversations.json");
        Map<String, Object> expected = (Map<String, Object>) ExpectedRenderings.resource("expected.json")
                .get("templates");
        Map<String, String> templates = templates();
        assertThat(templates.keySet()).as("templates without expectations: rerun render_expected.py")
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        Clock clock = ExpectedRenderings.fixedClock((String) spec.get("fixed_now"));
        Map<String, Map<String, @Nullable Object>> contexts = contexts(spec);
        List<DynamicNode> nodes = new ArrayList<>();
        templates.forEach((name, source) -> {
            Map<String, Object> cases = (Map<String, Object>) expected.get(name);
            assertThat(cases.keySet()).containsExactlyInAnyOrderElementsOf(contexts.keySet());
            nodes.add(DynamicContainer.dynamicContainer(name, contexts.entrySet().stream().map(c ->
                    DynamicTest.dynamicTest(c.getKey(), () -> ExpectedRenderings.check(name, source, c.getValue(),
                            clock, (Map<String, Object>) cases.get(c.getKey()))))));
        });
        return nodes.stream();
    }

    /** The same contexts render_expected.py builds: tools None when not offered, as Hugging Face passes them. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, @Nullable Object>> contexts(Map<String, Object> spec) {
        Map<String, Object> tools = (Map<String, Object>) spec.get("tools");
        Map<String, Map<String, @Nullable Object>> out = new LinkedHashMap<>();
        for (Map<String, Object> conversation : (List<Map<String, Object>>) spec.get("conversations")) {
            for (boolean generationPrompt : new boolean[] {true, false}) {
                Map<String, @Nullable Object> context = new LinkedHashMap<>();
                context.put("messages", conversation.get("messages"));
                context.put("tools", conversation.containsKey("tools") ? tools.get(conversation.get("tools")) : null);
                context.put("documents", null);
                context.put("add_generation_prompt", generationPrompt);
                context.putAll((Map<String, Object>) spec.get("special_tokens"));
                context.putAll((Map<String, Object>) conversation.getOrDefault("extra", Map.of()));
                out.put(conversation.get("name") + "/add_generation_prompt=" + generationPrompt, context);
            }
        }
        return out;
    }

    private static Map<String, String> templates() throws IOException {
        Map<String, String> found = new TreeMap<>();
        try (Stream<Path> files = Files.list(TESTDATA.resolve("templates"))) {
            for (Path p : files.filter(p -> p.toString().endsWith(".jinja")).toList()) {
                found.put("templates/" + p.getFileName(), Files.readString(p));
            }
        }
        try (Stream<Path> files = Files.list(TESTDATA.resolve("tokenizer"))) {
            for (Path p : files.filter(p -> p.toString().endsWith(".gguf")).toList()) {
                String source = ggufChatTemplate(Files.readAllBytes(p));
                if (source != null) {
                    found.put("tokenizer/" + p.getFileName(), source);
                }
            }
        }
        for (BuiltinChatFormat format : BuiltinChatFormat.values()) {
            found.put("builtin/" + format.id() + ".jinja", format.source());
        }
        return found;
    }

    /**
     * The {@code tokenizer.chat_template} string of a GGUF: its key (u64 length, bytes), value type 8 (string),
     * u64 length, UTF-8 bytes. A scan rather than a GGUF reader, so this test depends on nothing but the file.
     */
    private static @Nullable String ggufChatTemplate(byte[] file) {
        byte[] key = "tokenizer.chat_template".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        outer:
        for (int at = 8; at + key.length + 12 <= file.length; at++) {
            for (int i = 0; i < key.length; i++) {
                if (file[at + i] != key[i]) {
                    continue outer;
                }
            }
            if (buf.getLong(at - 8) != key.length) {
                continue;
            }
            int value = at + key.length;
            assertThat(buf.getInt(value)).as("GGUF type of tokenizer.chat_template").isEqualTo(8);
            int length = Math.toIntExact(buf.getLong(value + 4));
            return new String(file, value + 12, length, StandardCharsets.UTF_8);
        }
        return null;
    }
}
