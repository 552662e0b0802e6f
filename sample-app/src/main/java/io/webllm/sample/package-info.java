/** The to-do assistant: a Spring WebFlux application whose language model runs in the same JVM. */
@NullMarked
package io.webllm.sample;

import org.jspecify.annotations.NullMarked;
