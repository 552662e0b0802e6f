package io.webllm.engine.tokenizer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into the words that byte-level BPE merges within, as named by {@code tokenizer.ggml.pre}.
 *
 * <p>Each pre-tokenizer is a sequence of regular expressions taken from the model's {@code tokenizer.json} as
 * llama.cpp lists them. They are applied in turn: every expression splits each piece left by the previous one into
 * its matches and the text between them, both kept (Hugging Face's "isolated" split). Patterns are compiled with
 * {@link Pattern#UNICODE_CHARACTER_CLASS} so that {@code \s} is Unicode white space, as in Hugging Face's
 * Oniguruma regexes, and matchers use opaque region bounds so a lookahead such as {@code \s+(?!\S)} sees the end of
 * the piece, not the text after it.
 */
final class PreTokenizer {

    private static final String GPT2 =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    private static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    // deepseek-llm's letter class (cased letters), written as code points: the literal characters of the original
    // include compatibility forms such as U+212A KELVIN SIGN that text normalisation would silently change
    private static final String DEEPSEEK_LLM_LETTERS = "\\s?["
            + "\\x{0041}-\\x{005A}\\x{0061}-\\x{007A}\\x{00B5}\\x{00C0}-\\x{00D6}\\x{00D8}-\\x{00F6}"
            + "\\x{00F8}-\\x{01BA}\\x{01BC}-\\x{01BF}\\x{01C4}-\\x{0293}\\x{0295}-\\x{02AF}"
            + "\\x{0370}-\\x{0373}\\x{0376}\\x{0377}\\x{037B}-\\x{037D}\\x{037F}\\x{0386}"
            + "\\x{0388}-\\x{038A}\\x{038C}\\x{038E}-\\x{03A1}\\x{03A3}-\\x{03F5}\\x{03F7}-\\x{0481}"
            + "\\x{048A}-\\x{052F}\\x{0531}-\\x{0556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}"
            + "\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}"
            + "\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}"
            + "\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}"
            + "\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}"
            + "\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}"
            + "\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}"
            + "\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}"
            + "\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}"
            + "\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}"
            + "\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}"
            + "\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}"
            + "\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}"
            + "\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}"
            + "\\x{1E900}-\\x{1E943}]+";
    private static final String CJK_HANGUL = "[\\x{4E00}-\\x{9FA5}\\x{0800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+";

    /** Pre-tokenizer names (as converters write them) to their regex sequences and merge behaviour. */
    private static final Map<String, Definition> KNOWN = new LinkedHashMap<>();

    static {
        // llama.cpp's fallback for BPE files written before tokenizer.ggml.pre existed
        define(new Definition(false, "[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]"), "default");
        // Llama 3 checks the whole word against the vocabulary before merging (tokenizer.json "ignore_merges")
        define(new Definition(true, LLAMA3), "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral",
                "midm-2.0", "lfm2");
        define(new Definition(false, LLAMA3), "dbrx", "smaug-bpe");
        define(new Definition(false, QWEN2), "qwen2", "deepseek-r1-qwen", "stablelm2", "megrez", "hunyuan");
        define(new Definition(false, GPT2), "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v1-en",
                "jina-v2-es", "jina-v2-de", "jina-v2-code", "roberta-bpe", "mpt", "olmo", "jais", "trillion", "exaone4");
        define(new Definition(false, "\\p{N}", GPT2), "starcoder", "refact", "command-r", "smollm", "codeshell",
                "exaone", "minerva-7b");
        define(new Definition(false, "[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2, "[0-9][0-9][0-9]"), "falcon");
        define(new Definition(false, "[\r\n]", DEEPSEEK_LLM_LETTERS, "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+", "\\s+$",
                CJK_HANGUL, "\\p{N}+"), "deepseek-llm");
        define(new Definition(false, "[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", CJK_HANGUL, "\\p{N}"),
                "deepseek-coder");
        define(new Definition(false, "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
                + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
                "chatglm-bpe", "glm4");
    }

    private final String name;
    private final Pattern[] patterns;
    private final boolean ignoreMerges;
    private final boolean addBosDefault;

    private PreTokenizer(String name, Definition definition) {
        this.name = name;
        this.ignoreMerges = definition.ignoreMerges();
        this.addBosDefault = definition.addBosDefault();
        this.patterns = Arrays.stream(definition.regexes())
                .map(regex -> Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS))
                .toArray(Pattern[]::new);
    }

    /** The pre-tokenizer registered under {@code name}; an unknown name is an error, never a silent fallback. */
    static PreTokenizer named(String name) {
        Definition definition = KNOWN.get(name);
        if (definition == null) {
            throw new TokenizerException("unknown BPE pre-tokenizer '%s' (tokenizer.ggml.pre); known: %s"
                    .formatted(name, String.join(", ", new TreeSet<>(KNOWN.keySet()))));
        }
        return new PreTokenizer(name, definition);
    }

    static List<String> knownNames() {
        return List.copyOf(new TreeSet<>(KNOWN.keySet()));
    }

    String name() {
        return name;
    }

    /** Whether a word found whole in the vocabulary is emitted without running merges (Llama 3). */
    boolean ignoreMerges() {
        return ignoreMerges;
    }

    /** Whether BOS is added by default, for files without {@code tokenizer.ggml.add_bos_token} (Llama 3). */
    boolean addBosDefault() {
        return addBosDefault;
    }

    /**
     * Splits {@code text} and returns the word boundaries as a flat array {@code [start0, end0, start1, end1, ...]}
     * of char indices, in order and covering the text.
     */
    int[] split(String text) {
        int[] pieces = {0, text.length()};
        int count = text.isEmpty() ? 0 : 1;
        for (Pattern pattern : patterns) {
            Matcher matcher = pattern.matcher(text);
            IntList next = new IntList(count * 4 + 8);
            for (int p = 0; p < count; p++) {
                int start = pieces[2 * p];
                int end = pieces[2 * p + 1];
                matcher.region(start, end);
                int position = start;
                while (matcher.find()) {
                    if (matcher.end() == matcher.start()) {
                        continue; // an empty match splits nothing
                    }
                    if (matcher.start() > position) {
                        next.add(position);
                        next.add(matcher.start());
                    }
                    next.add(matcher.start());
                    next.add(matcher.end());
                    position = matcher.end();
                }
                if (position < end) {
                    next.add(position);
                    next.add(end);
                }
            }
            pieces = next.toArray();
            count = pieces.length / 2;
        }
        return pieces;
    }

    private static void define(Definition definition, String... names) {
        for (String name : names) {
            KNOWN.put(name, definition);
        }
    }

    /**
     * @param ignoreMerges   a word found whole in the vocabulary is taken as is (tokenizer.json "ignore_merges")
     * @param addBosDefault  whether BOS is added when the file does not say ({@code tokenizer.ggml.add_bos_token})
     */
    private record Definition(boolean ignoreMerges, boolean addBosDefault, String... regexes) {

        Definition(boolean ignoreMerges, String... regexes) {
            this(ignoreMerges, ignoreMerges, regexes);
        }
    }
}
