package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;

/** The rms_norm a residual matrix-vector product applies to its output (weights, float output, Q8 output). */
record FollowingNorm(ClBuffer weight, ClBuffer out, Q8Input into) {
}
