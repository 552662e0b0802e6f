/** OpenAI-compatible {@code /v1/chat/completions} and {@code /v1/models}: OpenAI JSON mapped straight onto the engine API. */
@NullMarked
package io.webllm.sample.openai;

import org.jspecify.annotations.NullMarked;
