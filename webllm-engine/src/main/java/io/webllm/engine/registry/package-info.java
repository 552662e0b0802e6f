/**
 * The model catalogue and the download cache: which GGUF files the engine knows by name, where they come from,
 * and how they get onto the local disk (resume, verification, atomic publication).
 *
 * <p>Plain Java with listener callbacks, so that the Spring module can turn progress into application events.
 */
@org.jspecify.annotations.NullMarked
package io.webllm.engine.registry;
