/**
 * Spring AI wiring: the assistant's {@code ChatClient} on the starter's chat model, memory per chat, and the tool
 * calls reported to the page.
 */
@NullMarked
package io.webllm.sample.ai;

import org.jspecify.annotations.NullMarked;
