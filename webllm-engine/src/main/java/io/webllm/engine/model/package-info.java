/** Model configuration from GGUF metadata, weights on the device, and the forward pass. */
@NullMarked
package io.webllm.engine.model;

import org.jspecify.annotations.NullMarked;
