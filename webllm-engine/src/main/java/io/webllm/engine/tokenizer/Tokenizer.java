package io.webllm.engine.tokenizer;

import io.webllm.engine.gguf.GgufMetadata;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model's tokenizer, built from the {@code tokenizer.ggml.*} metadata of its GGUF file: byte-level BPE
 * ({@code gpt2}) or SentencePiece-style ({@code llama}) vocabularies, special tokens, and detokenization.
 *
 * <p>Behaviour follows llama.cpp's {@code llama-vocab.cpp}, which is itself tested against Hugging Face's
 * tokenizers. Instances are immutable and safe to share between threads.
 */
public final class Tokenizer {

    private static final System.Logger LOG = System.getLogger(Tokenizer.class.getName());

    /** Texts llama.cpp takes for the end-of-turn token when the file does not name one, in order of preference. */
    private static final List<String> EOT_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>");
    /** Texts of tokens that end generation in llama.cpp, whatever the file says (chat and FIM terminators). */
    private static final List<String> END_OF_GENERATION_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>",
            "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
            "<end_of_utterance>", "<|return|>", "<|call|>", "<｜end▁of▁sentence｜>", "</s>",
            // FIM padding, repository and file separators also end a completion
            "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]",
            "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>", "<|file_sep|>");
    private static final Pattern BYTE_PIECE = Pattern.compile("<0x([0-9A-Fa-f]{2})>");
    private static final byte[] EMPTY = new byte[0];

    private final String model;
    private final String preTokenizer;
    private final String[] pieces;
    private final TokenType[] types;
    private final float[] scores;
    private final byte[][] pieceBytes;
    private final Map<String, Integer> idsByPiece;
    private final int bos;
    private final int eos;
    private final int eot;
    private final int eom;
    private final int unknown;
    private final int padding;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSpacePrefix;
    private final BitSet endOfGeneration;
    private final SpecialTokenSplitter specialTokens;
    private final TextEncoder encoder;

    private Tokenizer(Builder b) {
        this.model = b.model;
        this.preTokenizer = b.preTokenizer;
        this.pieces = b.pieces;
        this.types = b.types;
        this.scores = b.scores;
        this.pieceBytes = b.pieceBytes;
        this.idsByPiece = b.idsByPiece;
        this.bos = b.bos;
        this.eos = b.eos;
        this.eot = b.eot;
        this.eom = b.eom;
        this.unknown = b.unknown;
        this.padding = b.padding;
        this.addBos = b.addBos;
        this.addEos = b.addEos;
        this.addSpacePrefix = b.addSpacePrefix;
        this.endOfGeneration = b.endOfGeneration;
        this.specialTokens = new SpecialTokenSplitter(pieces, types);
        this.encoder = b.encoder;
    }

    /** Builds the tokenizer described by {@code tokenizer.ggml.*}; unsupported models or pre-tokenizers are errors. */
    public static Tokenizer fromGguf(GgufMetadata metadata) {
        return new Tokenizer(new Builder(metadata, true));
    }

    /**
     * For tests: {@code splitSentencePieceWords = false} runs SentencePiece merges over each whole run of text, as
     * llama.cpp does, instead of word by word.
     */
    static Tokenizer fromGguf(GgufMetadata metadata, boolean splitSentencePieceWords) {
        return new Tokenizer(new Builder(metadata, splitSentencePieceWords));
    }

    /**
     * Encodes text to token ids.
     *
     * @param addSpecial   add BOS and EOS where the vocabulary asks for them ({@code add_bos_token},
     *                     {@code add_eos_token})
     * @param parseSpecial recognise control tokens written in the text: true for rendered chat templates, false for
     *                     anything a user typed, so that {@code <|im_end|>} typed by a user stays ordinary text
     */
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList out = new IntList(text.length() / 3 + 4);
        if (addSpecial && addBos) {
            out.add(require(bos, "BOS", "tokenizer.ggml.bos_token_id"));
        }
        boolean afterSpecial = true;
        for (SpecialTokenSplitter.Fragment fragment : specialTokens.split(text, parseSpecial)) {
            if (fragment.isText()) {
                encoder.encode(text.substring(fragment.start(), fragment.end()), afterSpecial, out);
                afterSpecial = false;
            } else {
                out.add(fragment.token());
                afterSpecial = true;
            }
        }
        if (addSpecial && addEos) {
            out.add(require(eos, "EOS", "tokenizer.ggml.eos_token_id"));
        }
        return out.toArray();
    }

    /**
     * The bytes a token stands for in generated text: the decoded piece for text and byte tokens, the literal text
     * of user-defined tokens, nothing for control, unknown and unused tokens. A byte token or a BPE piece may hold
     * part of a UTF-8 character only. Returns a fresh array.
     */
    public byte[] decodeBytes(int token) {
        return pieceBytes(token).clone();
    }

    /** Decodes tokens to text: control tokens vanish, and SentencePiece's dummy-prefix space at the start is removed. */
    public String decode(int[] tokens) {
        StreamingDecoder decoder = new StreamingDecoder(this, true);
        StringBuilder text = new StringBuilder();
        for (int token : tokens) {
            text.append(decoder.accept(token));
        }
        return text.append(decoder.finish()).toString();
    }

    /**
     * A decoder for generated tokens that only ever emits complete UTF-8 characters.
     *
     * @param atTextStart true when the first token starts the text (its SentencePiece leading space is dropped);
     *                    false when the tokens continue a prompt, where that space is real
     */
    public StreamingDecoder streamingDecoder(boolean atTextStart) {
        return new StreamingDecoder(this, atTextStart);
    }

    public int vocabularySize() {
        return pieces.length;
    }

    /** {@code gpt2} (byte-level BPE) or {@code llama} (SentencePiece). */
    public String model() {
        return model;
    }

    /** The BPE pre-tokenizer name; empty for SentencePiece vocabularies. */
    public String preTokenizer() {
        return preTokenizer;
    }

    public OptionalInt bos() {
        return optional(bos);
    }

    public OptionalInt eos() {
        return optional(eos);
    }

    /** The end-of-turn token of chat models: {@code <|eot_id|>}, {@code <|im_end|>}, {@code <end_of_turn>}... */
    public OptionalInt eot() {
        return optional(eot);
    }

    /** The end-of-message token ({@code <|eom_id|>}, Llama 3.1 tool calls). */
    public OptionalInt eom() {
        return optional(eom);
    }

    public OptionalInt unknown() {
        return optional(unknown);
    }

    public OptionalInt padding() {
        return optional(padding);
    }

    public boolean addBos() {
        return addBos;
    }

    public boolean addEos() {
        return addEos;
    }

    /** Whether SentencePiece text gets a leading space ({@code tokenizer.ggml.add_space_prefix}). */
    public boolean addSpacePrefix() {
        return addSpacePrefix;
    }

    /** Whether generating this token ends the answer: EOS, EOT, EOM and the other terminators llama.cpp stops on. */
    public boolean isEndOfGeneration(int token) {
        return token >= 0 && endOfGeneration.get(token);
    }

    /** All end-of-generation tokens, ascending. */
    public int[] endOfGenerationTokens() {
        return endOfGeneration.stream().toArray();
    }

    /** The id of a vocabulary entry given its text exactly as stored ({@code "<|im_end|>"}, {@code "▁the"}, {@code "Ġthe"}). */
    public OptionalInt tokenId(String piece) {
        Integer id = idsByPiece.get(piece);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The text of a vocabulary entry exactly as stored in the file. */
    public String piece(int token) {
        return pieces[checkToken(token)];
    }

    public TokenType tokenType(int token) {
        return types[checkToken(token)];
    }

    public float score(int token) {
        return scores[checkToken(token)];
    }

    /** Internal view without copying, for the streaming decoder. */
    byte[] pieceBytes(int token) {
        return pieceBytes[checkToken(token)];
    }

    @Override
    public String toString() {
        return "Tokenizer[%s%s, %d tokens]".formatted(model, preTokenizer.isEmpty() ? "" : "/" + preTokenizer,
                pieces.length);
    }

    private int checkToken(int token) {
        if (token < 0 || token >= pieces.length) {
            throw new IllegalArgumentException(
                    "token id %d is outside the vocabulary [0, %d)".formatted(token, pieces.length));
        }
        return token;
    }

    private static OptionalInt optional(int id) {
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    private static int require(int id, String what, String key) {
        if (id < 0) {
            throw new TokenizerException(
                    "the vocabulary asks for a %s token but has none (metadata key %s is missing)".formatted(what, key));
        }
        return id;
    }

    /** Reads and checks the metadata once; the tokenizer keeps only what it needs. */
    private static final class Builder {

        private final String model;
        private final String preTokenizer;
        private final String[] pieces;
        private final TokenType[] types;
        private final float[] scores;
        private final byte[][] pieceBytes;
        private final Map<String, Integer> idsByPiece;
        private int bos = -1;
        private int eos = -1;
        private int eot = -1;
        private int eom = -1;
        private int unknown = -1;
        private int padding = -1;
        private boolean addBos;
        private boolean addEos;
        private boolean addSpacePrefix;
        private final BitSet endOfGeneration = new BitSet();
        private final TextEncoder encoder;

        Builder(GgufMetadata metadata, boolean splitSentencePieceWords) {
            model = metadata.getString("tokenizer.ggml.model");
            boolean bpe = switch (model) {
                case "gpt2" -> true;
                case "llama" -> false;
                default -> throw new TokenizerException(("unsupported tokenizer model '%s' (tokenizer.ggml.model); "
                        + "supported: gpt2 (byte-level BPE), llama (SentencePiece)").formatted(model));
            };
            pieces = metadata.getStringArray("tokenizer.ggml.tokens").clone();
            int n = pieces.length;
            for (int id = 0; id < n; id++) {
                if (pieces[id].isEmpty()) {
                    pieces[id] = "[EMPTY_" + id + "]"; // as llama.cpp: an empty piece could never be matched anyway
                }
            }
            types = readTypes(metadata, n);
            scores = readScores(metadata, n);
            idsByPiece = new HashMap<>(n * 2);
            for (int id = 0; id < n; id++) {
                idsByPiece.putIfAbsent(pieces[id], id);
            }

            PreTokenizer pre = null;
            if (bpe) {
                String name = metadata.findString("tokenizer.ggml.pre").orElse(null);
                if (name == null) {
                    LOG.log(System.Logger.Level.WARNING, "GGUF file has no tokenizer.ggml.pre; using llama.cpp's "
                            + "'default' BPE pre-tokenizer, which may not match the model's training");
                    name = "default";
                }
                pre = PreTokenizer.named(name);
                preTokenizer = name;
                addBos = pre.addBosDefault();
                addSpacePrefix = false;
            } else {
                preTokenizer = "";
                bos = 1;
                eos = 2;
                unknown = 0;
                addBos = true;
                addSpacePrefix = true;
            }
            addSpacePrefix = metadata.findBoolean("tokenizer.ggml.add_space_prefix").orElse(addSpacePrefix);
            addBos = metadata.findBoolean("tokenizer.ggml.add_bos_token").orElse(addBos);
            addEos = metadata.findBoolean("tokenizer.ggml.add_eos_token").orElse(addEos);

            bos = tokenId(metadata, "tokenizer.ggml.bos_token_id", bos, n);
            eos = tokenId(metadata, "tokenizer.ggml.eos_token_id", eos, n);
            eot = tokenId(metadata, "tokenizer.ggml.eot_token_id", -1, n);
            eom = tokenId(metadata, "tokenizer.ggml.eom_token_id", -1, n);
            unknown = tokenId(metadata, "tokenizer.ggml.unknown_token_id", unknown, n);
            padding = tokenId(metadata, "tokenizer.ggml.padding_token_id", -1, n);
            if (eot < 0) {
                eot = firstPresent(EOT_TEXTS);
            }
            if (eom < 0) {
                eom = firstPresent(List.of("<|eom_id|>"));
            }
            findEndOfGeneration(metadata, n);

            pieceBytes = new byte[n][];
            for (int id = 0; id < n; id++) {
                pieceBytes[id] = bpe ? bpeBytes(id) : sentencePieceBytes(id);
            }
            encoder = bpe ? bytePairEncoder(metadata, pre) : sentencePieceEncoder(splitSentencePieceWords);
        }

        private void findEndOfGeneration(GgufMetadata metadata, int n) {
            for (String key : List.of("tokenizer.ggml.fim_pad_token_id", "tokenizer.ggml.fim_rep_token_id",
                    "tokenizer.ggml.fim_sep_token_id")) {
                markEndOfGeneration(tokenId(metadata, key, -1, n));
            }
            for (String text : END_OF_GENERATION_TEXTS) {
                Integer id = idsByPiece.get(text);
                if (id != null) {
                    markEndOfGeneration(id);
                }
            }
            markEndOfGeneration(eos);
            markEndOfGeneration(eot);
            markEndOfGeneration(eom);
        }

        /** Terminators must never be produced from user text: llama.cpp forces them to control type too. */
        private void markEndOfGeneration(int id) {
            if (id < 0) {
                return;
            }
            endOfGeneration.set(id);
            if (types[id] == TokenType.NORMAL || types[id] == TokenType.USER_DEFINED
                    || types[id] == TokenType.UNDEFINED) {
                types[id] = TokenType.CONTROL;
            }
        }

        private int firstPresent(List<String> texts) {
            for (String text : texts) {
                Integer id = idsByPiece.get(text);
                if (id != null) {
                    return id;
                }
            }
            return -1;
        }

        private byte[] bpeBytes(int id) {
            return switch (types[id]) {
                case NORMAL -> Gpt2ByteMapping.decodeLenient(pieces[id]);
                case USER_DEFINED -> pieces[id].getBytes(StandardCharsets.UTF_8);
                case BYTE -> byteOf(id);
                default -> EMPTY;
            };
        }

        private byte[] sentencePieceBytes(int id) {
            return switch (types[id]) {
                case NORMAL -> pieces[id].replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
                case USER_DEFINED -> pieces[id].getBytes(StandardCharsets.UTF_8);
                case BYTE -> byteOf(id);
                default -> EMPTY;
            };
        }

        private byte[] byteOf(int id) {
            Matcher matcher = BYTE_PIECE.matcher(pieces[id]);
            if (!matcher.matches()) {
                throw new TokenizerException("token %d has type BYTE but its text '%s' is not of the form <0xNN>"
                        .formatted(id, pieces[id]));
            }
            return new byte[] {(byte) Integer.parseInt(matcher.group(1), 16)};
        }

        /** Control, unknown and unused tokens never come out of merging text, so their texts are left out. */
        private boolean mergeable(int id) {
            return switch (types[id]) {
                case CONTROL, UNKNOWN, UNUSED -> false;
                default -> true;
            };
        }

        private TextEncoder bytePairEncoder(GgufMetadata metadata, PreTokenizer pre) {
            int n = pieces.length;
            byte[][] raw = new byte[n][];
            for (int id = 0; id < n; id++) {
                // texts with characters outside GPT-2's byte mapping can never be formed from mapped bytes
                raw[id] = mergeable(id) ? Gpt2ByteMapping.decodeOrNull(pieces[id]) : null;
            }
            BytesToIdMap vocabulary = new BytesToIdMap(raw);
            int[] byteTokens = new int[256];
            for (int b = 0; b < 256; b++) {
                byteTokens[b] = vocabulary.get(new byte[] {(byte) b}, 0, 1);
            }
            String[] mergeLines = metadata.findStringArray("tokenizer.ggml.merges").orElseThrow(() ->
                    new TokenizerException("byte-level BPE vocabulary without tokenizer.ggml.merges"));
            MergeTable merges = new MergeTable(mergeLines.length);
            for (int rank = 0; rank < mergeLines.length; rank++) {
                String line = mergeLines[rank];
                int space = line.indexOf(' ', 1);
                if (space < 0) {
                    continue;
                }
                byte[] left = Gpt2ByteMapping.decodeOrNull(line.substring(0, space));
                byte[] right = Gpt2ByteMapping.decodeOrNull(line.substring(space + 1));
                if (left == null || right == null) {
                    continue;
                }
                int leftId = vocabulary.get(left, 0, left.length);
                int rightId = vocabulary.get(right, 0, right.length);
                if (leftId < 0 || rightId < 0) {
                    continue;
                }
                byte[] joined = Arrays.copyOf(left, left.length + right.length);
                System.arraycopy(right, 0, joined, left.length, right.length);
                merges.putIfAbsent(leftId, rightId, rank, vocabulary.get(joined, 0, joined.length));
            }
            return new BytePairEncoder(pre, vocabulary, merges, byteTokens);
        }

        private TextEncoder sentencePieceEncoder(boolean splitWords) {
            int n = pieces.length;
            byte[][] utf8 = new byte[n][];
            for (int id = 0; id < n; id++) {
                utf8[id] = mergeable(id) && types[id] != TokenType.BYTE ? pieces[id].getBytes(StandardCharsets.UTF_8)
                        : null;
            }
            BytesToIdMap vocabulary = new BytesToIdMap(utf8);
            boolean wordsAreIndependent = splitWords;
            for (int id = 0; id < n; id++) {
                if (utf8[id] != null && SentencePieceEncoder.spansWords(pieces[id])) {
                    wordsAreIndependent = false;
                    break;
                }
            }
            int[] byteTokens = new int[256];
            for (int b = 0; b < 256; b++) {
                Integer id = idsByPiece.get("<0x%02X>".formatted(b));
                if (id == null && b < 0x80) {
                    id = idsByPiece.get(String.valueOf((char) b));
                }
                byteTokens[b] = id == null ? -1 : id;
            }
            return new SentencePieceEncoder(vocabulary, scores, byteTokens, addSpacePrefix, wordsAreIndependent);
        }

        private static TokenType[] readTypes(GgufMetadata metadata, int n) {
            TokenType[] types = new TokenType[n];
            int[] raw = metadata.findIntArray("tokenizer.ggml.token_type").orElse(null);
            if (raw != null && raw.length < n) {
                throw new TokenizerException("tokenizer.ggml.token_type has %d entries but there are %d tokens"
                        .formatted(raw.length, n));
            }
            for (int id = 0; id < n; id++) {
                types[id] = raw == null ? TokenType.NORMAL : TokenType.fromGguf(raw[id]);
            }
            return types;
        }

        private static float[] readScores(GgufMetadata metadata, int n) {
            Object raw = metadata.get("tokenizer.ggml.scores").orElse(null);
            float[] scores = new float[n];
            if (raw == null) {
                return scores;
            }
            int length = switch (raw) {
                case float[] floats -> {
                    System.arraycopy(floats, 0, scores, 0, Math.min(n, floats.length));
                    yield floats.length;
                }
                case int[] ints -> {
                    for (int i = 0; i < Math.min(n, ints.length); i++) {
                        scores[i] = ints[i];
                    }
                    yield ints.length;
                }
                default -> throw new TokenizerException(
                        "tokenizer.ggml.scores should be an array of float32 or int32 but is " + raw.getClass().getSimpleName());
            };
            if (length < n) {
                throw new TokenizerException("tokenizer.ggml.scores has %d entries but there are %d tokens"
                        .formatted(length, n));
            }
            return scores;
        }

        /** A special token id from metadata; ids outside the vocabulary (such as uint32 -1) mean "none". */
        private static int tokenId(GgufMetadata metadata, String key, int fallback, int n) {
            Long id = metadata.findLong(key).orElse(null);
            if (id == null) {
                return fallback >= 0 && fallback < n ? fallback : -1;
            }
            if (id == -1 || id == 0xFFFF_FFFFL) {
                return -1; // converters write uint32 -1 for "no such token"
            }
            if (id < 0 || id >= n) {
                LOG.log(System.Logger.Level.WARNING, "%s = %d is outside the vocabulary of %d tokens; ignored"
                        .formatted(key, id, n));
                return fallback >= 0 && fallback < n ? fallback : -1;
            }
            return id.intValue();
        }
    }
}
