package io.webllm.engine.tokenizer;

import io.webllm.engine.gguf.GgufMetadata;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads {@code tokenizer.ggml.*} once and prepares what a {@link Tokenizer} keeps: pieces, types, decoded bytes,
 * special ids and the text encoder. Defaults and auto-detection follow llama.cpp's {@code llama_vocab::load}.
 */
final class TokenizerLoader {

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

    final String model;
    final String preTokenizer;
    final String[] pieces;
    final TokenType[] types;
    final float[] scores;
    final byte[][] pieceBytes;
    final Map<String, Integer> idsByPiece;
    int bos = -1;
    int eos = -1;
    int eot = -1;
    int eom = -1;
    int unknown = -1;
    int padding = -1;
    boolean addBos;
    boolean addEos;
    boolean addSpacePrefix;
    final BitSet endOfGeneration = new BitSet();
    final TextEncoder encoder;

    TokenizerLoader(GgufMetadata metadata, boolean splitSentencePieceWords) {
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

        @Nullable PreTokenizer pre = null;
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
        encoder = pre != null ? bytePairEncoder(metadata, pre) : sentencePieceEncoder(splitSentencePieceWords);
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
        byte @Nullable [][] raw = new byte[n][];
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
        byte @Nullable [][] utf8 = new byte[n][];
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

    Tokenizer load() {
        return new Tokenizer(this);
    }
}
