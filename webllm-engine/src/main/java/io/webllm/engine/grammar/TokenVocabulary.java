package io.webllm.engine.grammar;

/**
 * The view of a tokenizer's vocabulary that constrained decoding needs: the bytes each token decodes to.
 *
 * <p>Token bytes are arbitrary: a token may end or start inside a UTF-8 sequence, which the matcher handles
 * because it works on bytes.
 */
public interface TokenVocabulary {

    /** Number of token ids, {@code 0 .. size() - 1}. */
    int size();

    /** UTF-8 bytes the token decodes to; empty for control tokens, which a grammar never allows. */
    byte[] tokenBytes(int tokenId);

    /** Whether the token ends generation (EOS, end of turn); allowed only once the value is complete. */
    boolean isEndOfGeneration(int tokenId);
}
