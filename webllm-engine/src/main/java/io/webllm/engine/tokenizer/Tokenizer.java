package io.webllm.engine.tokenizer;

import io.webllm.engine.gguf.GgufMetadata;
import java.util.BitSet;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A model's tokenizer, built from the {@code tokenizer.ggml.*} metadata of its GGUF file: byte-level BPE
 * ({@code gpt2}) or SentencePiece-style ({@code llama}) vocabularies, special tokens, and detokenization.
 *
 * <p>Behaviour follows llama.cpp's {@code llama-vocab.cpp}, which is itself tested against Hugging Face's
 * tokenizers. Instances are immutable and safe to share between threads.
 */
public final class Tokenizer {

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

    Tokenizer(TokenizerLoader loaded) {
        this.model = loaded.model;
        this.preTokenizer = loaded.preTokenizer;
        this.pieces = loaded.pieces;
        this.types = loaded.types;
        this.scores = loaded.scores;
        this.pieceBytes = loaded.pieceBytes;
        this.idsByPiece = loaded.idsByPiece;
        this.bos = loaded.bos;
        this.eos = loaded.eos;
        this.eot = loaded.eot;
        this.eom = loaded.eom;
        this.unknown = loaded.unknown;
        this.padding = loaded.padding;
        this.addBos = loaded.addBos;
        this.addEos = loaded.addEos;
        this.addSpacePrefix = loaded.addSpacePrefix;
        this.endOfGeneration = loaded.endOfGeneration;
        this.specialTokens = new SpecialTokenSplitter(pieces, types);
        this.encoder = loaded.encoder;
    }

    /** Builds the tokenizer described by {@code tokenizer.ggml.*}; unsupported models or pre-tokenizers are errors. */
    public static Tokenizer fromGguf(GgufMetadata metadata) {
        return new TokenizerLoader(metadata, true).load();
    }

    /**
     * For tests: {@code splitSentencePieceWords = false} runs SentencePiece merges over each whole run of text, as
     * llama.cpp does, instead of word by word.
     */
    static Tokenizer fromGguf(GgufMetadata metadata, boolean splitSentencePieceWords) {
        return new TokenizerLoader(metadata, splitSentencePieceWords).load();
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
}
