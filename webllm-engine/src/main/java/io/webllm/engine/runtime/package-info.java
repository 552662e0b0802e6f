/**
 * The local chat engine: requests in, a scheduler thread that decodes all active sequences together in one forward
 * pass per step (continuous batching), KV cache slots reused by prefix, and streamed chunks out.
 */
@NullMarked
package io.webllm.engine.runtime;

import org.jspecify.annotations.NullMarked;
