/**
 * Tokenizers read from GGUF metadata ({@code tokenizer.ggml.*}): byte-level BPE with named pre-tokenizers,
 * SentencePiece-style vocabularies, special-token handling and UTF-8 safe streaming detokenization.
 *
 * <p>The reference for every behaviour is llama.cpp's {@code llama-vocab.cpp} and the Hugging Face tokenizers it
 * is tested against; the conformance tests replay llama.cpp's own tokenizer test vectors.
 */
@NullMarked
package io.webllm.engine.tokenizer;

import org.jspecify.annotations.NullMarked;
