package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;

/**
 * The rms_norm that single-token products apply to their input themselves (mul_mv_q8.cl, PKQ_NORMED_INPUT): each
 * work-group normalises the pass's {@code row} with {@code weight} and quantizes it into its local memory, so no norm
 * is launched before them. The Transformer uses it where norms are too long to defer (Tuning.defersNorms).
 *
 * @param row    the un-normalised row (the residual stream)
 * @param weight the norm's weights
 */
record InputNorm(ClBuffer row, ClBuffer weight) {
}
