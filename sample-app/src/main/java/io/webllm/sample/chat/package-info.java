/** The chat page's API: an answer streamed as server-sent events, stop, and the model's load progress. */
@NullMarked
package io.webllm.sample.chat;

import org.jspecify.annotations.NullMarked;
