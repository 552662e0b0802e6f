/**
 * The engine's public chat API, modelled on OpenAI's chat completions (as WebLLM offers them in the browser):
 * a {@link io.webllm.engine.chat.ChatRequest} in, a {@link io.webllm.engine.chat.ChatCompletion} or a stream of
 * {@link io.webllm.engine.chat.ChatChunk}s out, from a {@link io.webllm.engine.chat.ChatEngine}.
 */
@NullMarked
package io.webllm.engine.chat;

import org.jspecify.annotations.NullMarked;
