/**
 * Text-level processing of the detokenized stream: stop strings, reasoning ({@code <think>}) text, and tool calls
 * in each model family's trained format. Every class here is streaming: fed text deltas of any size, it produces the
 * same result as when fed the whole text at once, withholding only what may still turn out to be markup.
 *
 * <p>The intended order per sequence: detokenizer, {@link io.webllm.engine.output.StopSequenceMatcher},
 * {@link io.webllm.engine.output.ReasoningSplitter}, then {@link io.webllm.engine.output.StreamingToolCallParser} on
 * the content part.
 */
@org.jspecify.annotations.NullMarked
package io.webllm.engine.output;
