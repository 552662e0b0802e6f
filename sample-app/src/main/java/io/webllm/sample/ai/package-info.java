/** Spring AI wiring: the chat model over the engine, memory per chat, and the {@code ChatClient}. */
@NullMarked
package io.webllm.sample.ai;

import org.jspecify.annotations.NullMarked;
