/**
 * GGML tensor element types, their block layouts as GGUF stores them, and a plain-Java reference codec for each
 * type the engine supports: {@link io.webllm.engine.tensor.Dequantizer} decodes weights from a (memory-mapped)
 * {@link java.lang.foreign.MemorySegment}, {@link io.webllm.engine.tensor.Quantizer} encodes floats the way
 * ggml's reference quantizers do, and {@link io.webllm.engine.tensor.RandomWeights} fills synthetic tensors.
 *
 * <p>The codecs favour being obviously right over being fast: device kernels are checked against them.
 */
@org.jspecify.annotations.NullMarked
package io.webllm.engine.tensor;
