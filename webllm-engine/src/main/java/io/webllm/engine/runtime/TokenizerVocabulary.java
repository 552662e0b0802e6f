package io.webllm.engine.runtime;

import io.webllm.engine.grammar.TokenVocabulary;
import io.webllm.engine.tokenizer.Tokenizer;

/** The tokenizer as constrained decoding sees it: the bytes of each token and which tokens end generation. */
record TokenizerVocabulary(Tokenizer tokenizer, int size) implements TokenVocabulary {

    @Override
    public byte[] tokenBytes(int tokenId) {
        return tokenId < tokenizer.vocabularySize() ? tokenizer.decodeBytes(tokenId) : new byte[0];
    }

    @Override
    public boolean isEndOfGeneration(int tokenId) {
        return tokenId < tokenizer.vocabularySize() && tokenizer.isEndOfGeneration(tokenId);
    }
}
