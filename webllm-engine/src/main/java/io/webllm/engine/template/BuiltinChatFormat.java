package io.webllm.engine.template;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Prompt formats for model files that carry no {@code tokenizer.chat_template}. Each is a Jinja template of its
 * own (under {@code builtin/} beside this class), rendered by the same interpreter as a model's template.
 */
public enum BuiltinChatFormat {
    /** {@code <|im_start|>role ... <|im_end|>}: Qwen, Hermes, Yi, many fine-tunes. */
    CHATML("chatml", "<|im_start|>"),
    /** {@code <|start_header_id|>role<|end_header_id|>}: Llama 3.x. */
    LLAMA3("llama3", "<|start_header_id|>"),
    /** {@code [INST] ... [/INST]} with {@code <<SYS>>}: Llama 2, Mistral, Mixtral, TinyLlama-chat style. */
    LLAMA2("llama2", "[INST]"),
    /** {@code <start_of_turn>user|model}: Gemma 1-3. */
    GEMMA("gemma", "<start_of_turn>"),
    /** {@code <|user|> ... <|end|>}: Phi-3 and Phi-3.5. */
    PHI3("phi3", "<|user|>");

    private final String id;
    private final String marker;
    private volatile ChatTemplate template;

    BuiltinChatFormat(String id, String marker) {
        this.id = id;
        this.marker = marker;
    }

    /** The configuration name: {@code chatml}, {@code llama3}, {@code llama2}, {@code gemma}, {@code phi3}. */
    public String id() {
        return id;
    }

    /** The control token whose presence in a vocabulary identifies this format. */
    public String marker() {
        return marker;
    }

    /** The Jinja source of this format. */
    public String source() {
        String resource = "builtin/" + id + ".jinja";
        try (InputStream in = BuiltinChatFormat.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("built-in chat format resource " + resource + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading built-in chat format " + resource, e);
        }
    }

    /** This format compiled (once). */
    public ChatTemplate template() {
        ChatTemplate t = template;
        if (t == null) {
            t = ChatTemplate.compile("builtin:" + id, source());
            template = t;
        }
        return t;
    }

    /**
     * The format named in configuration; {@code mistral} is accepted for {@link #LLAMA2}.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static BuiltinChatFormat byId(String name) {
        String key = name.strip().toLowerCase(Locale.ROOT);
        if (key.equals("mistral")) {
            return LLAMA2;
        }
        return Arrays.stream(values()).filter(f -> f.id.equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown chat format '" + name + "', expected one of "
                        + Arrays.stream(values()).map(BuiltinChatFormat::id).collect(Collectors.joining(", "))
                        + " or mistral"));
    }

    /**
     * Picks the format for a model without a template: first by the control tokens its vocabulary has (the
     * surest sign of how it was trained), then by architecture, else ChatML.
     *
     * @param architecture       {@code general.architecture} of the GGUF (e.g. {@code llama}, {@code qwen2})
     * @param vocabularyTokens   tokens of the vocabulary; only membership of the markers is checked
     */
    public static BuiltinChatFormat choose(String architecture, Set<String> vocabularyTokens) {
        return chooseByVocabulary(vocabularyTokens).orElseGet(() -> chooseByArchitecture(architecture));
    }

    private static Optional<BuiltinChatFormat> chooseByVocabulary(Set<String> tokens) {
        return Arrays.stream(values()).filter(f -> tokens.contains(f.marker)).findFirst();
    }

    private static BuiltinChatFormat chooseByArchitecture(String architecture) {
        String arch = architecture.toLowerCase(Locale.ROOT);
        if (arch.startsWith("gemma")) {
            return GEMMA;
        }
        if (arch.startsWith("phi3")) {
            return PHI3;
        }
        if (arch.equals("llama") || arch.startsWith("mistral") || arch.equals("mixtral")) {
            return LLAMA2;
        }
        return CHATML;
    }
}
