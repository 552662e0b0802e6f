package io.webllm.engine.tokenizer;

/** Encodes one run of ordinary text (special tokens already split out) into token ids. */
sealed interface TextEncoder permits BytePairEncoder, SentencePieceEncoder {

    /**
     * Appends the ids of {@code text}. {@code atStart} is true when no text precedes this run or a special token
     * does, which is when SentencePiece adds its dummy-prefix space.
     */
    void encode(String text, boolean atStart, IntList out);
}
