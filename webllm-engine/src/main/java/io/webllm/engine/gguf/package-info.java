/** GGUF model files: memory-mapped reading, typed metadata, the tensor directory, and a writer. */
@NullMarked
package io.webllm.engine.gguf;

import org.jspecify.annotations.NullMarked;
