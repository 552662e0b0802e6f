/** GGML tensor types, their block layouts, and plain-Java reference (de)quantization. */
@NullMarked
package io.webllm.engine.tensor;

import org.jspecify.annotations.NullMarked;
