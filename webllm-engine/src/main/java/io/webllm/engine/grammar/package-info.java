/**
 * Constrained decoding: JSON Schema compiled to a byte-level grammar, a pushdown matcher over it, and token masks
 * computed against a shared vocabulary trie so that only tokens keeping the output a valid prefix can be sampled.
 */
@org.jspecify.annotations.NullMarked
package io.webllm.engine.grammar;
