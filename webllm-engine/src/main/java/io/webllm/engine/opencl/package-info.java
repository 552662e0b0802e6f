/**
 * OpenCL host code over LWJGL: device discovery and choice, context and queue, buffers, programs and kernels.
 * Every failed call becomes a {@link io.webllm.engine.opencl.ClException} naming the call and the error.
 */
@NullMarked
package io.webllm.engine.opencl;

import org.jspecify.annotations.NullMarked;
