// Matrix-vector products y = W x for one or a few tokens, for every weight type, and the embedding lookup.
//
// A work-group holds MV_ROWS rows; each row is summed by MV_LANES work-items (one warp on NVIDIA) that walk the
// row's 32-weight groups. A group is dequantized once into registers and multiplied with up to MV_TOKENS activation
// rows, so a batch of tokens reads the weights once per MV_TOKENS tokens. Fused options save launches: a bias
// (Qwen2's q/k/v) and accumulation into y (the residual add).
// Launch: global = ceil(nrows / MV_ROWS) * MV_ROWS * MV_LANES, local = MV_ROWS * MV_LANES.

// Rows per work-group: 4 warps keep an SM busy without starving small matrices of groups.
#define MV_ROWS 4
// Tokens sharing one dequantization of a weight group (x of each is staged in local memory, 4.2 KB a token).
#define MV_TOKENS 4


#define DEFINE_MUL_MV(TYPE)                                                                                     \
kernel void kernel_mul_mv_##TYPE(                                                                               \
        global const uchar* W, int ncols, ulong row_bytes, int nrows,                                           \
        global const float* x, int x_stride,                                                                    \
        global float* y, int y_off, int y_stride,                                                               \
        int ntok, global const float* bias, int has_bias, int accumulate) {                                     \
    local float red[MV_ROWS * MV_LANES];                                                                        \
    local float xs[MV_TOKENS * XS_TOKEN];                                                                       \
    const int lane = get_local_id(0) % MV_LANES;                                                                \
    const int row = get_group_id(0) * MV_ROWS + get_local_id(0) / MV_LANES;                                     \
    const bool active = row < nrows;                                                                            \
    const int r = active ? row : 0;                                                                             \
    global const uchar* w = W + (ulong) r * row_bytes;                                                          \
    const int groups = ncols / GROUP;                                                                           \
    const ulong nblocks = (ulong) nrows * groups;                                                               \
    for (int t0 = 0; t0 < ntok; t0 += MV_TOKENS) {                                                              \
        float acc[MV_TOKENS];                                                                                   \
        for (int t = 0; t < MV_TOKENS; t++) acc[t] = 0.0f;                                                      \
        for (int s0 = 0; s0 < groups; s0 += MV_LANES) {                                                         \
            const int s = s0 + lane;                                                                            \
            float v[GROUP];                                                                                     \
            group_##TYPE(W, row_bytes, nblocks, r, groups, min(s, groups - 1), v);                              \
            barrier(CLK_LOCAL_MEM_FENCE);                                                                       \
            stage_x(xs, x, x_stride, t0, ntok, MV_TOKENS, s0, groups);                                          \
            barrier(CLK_LOCAL_MEM_FENCE);                                                                       \
            if (s < groups) {                                                                                   \
                for (int t = 0; t < MV_TOKENS; t++) {                                                           \
                    if (t0 + t < ntok) acc[t] += dot_group(v, staged_x(xs, t, lane));                           \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
        for (int i = groups * GROUP + lane; i < ncols; i += MV_LANES) {                                         \
            const float wi = load_##TYPE(w, i);                                                                 \
            for (int t = 0; t < MV_TOKENS; t++) {                                                               \
                if (t0 + t < ntok) acc[t] += wi * x[(ulong) (t0 + t) * x_stride + i];                           \
            }                                                                                                   \
        }                                                                                                       \
        for (int t = 0; t < MV_TOKENS && t0 + t < ntok; t++) {                                                  \
            float sum = lane_sum(acc[t], red);                                                                  \
            if (lane == 0 && active) {                                                                          \
                if (has_bias) sum += bias[row];                                                                 \
                global float* out = y + y_off + (ulong) (t0 + t) * y_stride + row;                              \
                *out = accumulate ? *out + sum : sum;                                                           \
            }                                                                                                   \
        }                                                                                                       \
    }                                                                                                           \
}

// SwiGLU feed-forward input: out = silu(W_gate x) * (W_up x), both rows computed by the same lanes so the two
// products, the activation and the multiply cost one launch and no intermediate buffers.
#define DEFINE_MUL_MV_GLU(TYPE)                                                                                 \
kernel void kernel_mul_mv_glu_##TYPE(                                                                           \
        global const uchar* Wg, global const uchar* Wu, int ncols, ulong row_bytes, int nrows,                  \
        global const float* x, int x_stride, global float* y, int y_stride, int ntok) {                        \
    local float red[MV_ROWS * MV_LANES];                                                                        \
    local float xs[MV_TOKENS * XS_TOKEN];                                                                       \
    const int lane = get_local_id(0) % MV_LANES;                                                                \
    const int row = get_group_id(0) * MV_ROWS + get_local_id(0) / MV_LANES;                                     \
    const bool active = row < nrows;                                                                            \
    const int r = active ? row : 0;                                                                             \
    global const uchar* wg = Wg + (ulong) r * row_bytes;                                                        \
    global const uchar* wu = Wu + (ulong) r * row_bytes;                                                        \
    const int groups = ncols / GROUP;                                                                           \
    const ulong nblocks = (ulong) nrows * groups;                                                               \
    for (int t0 = 0; t0 < ntok; t0 += MV_TOKENS / 2) {                                                          \
        float gate[MV_TOKENS / 2];                                                                              \
        float up[MV_TOKENS / 2];                                                                                \
        for (int t = 0; t < MV_TOKENS / 2; t++) { gate[t] = 0.0f; up[t] = 0.0f; }                               \
        for (int s0 = 0; s0 < groups; s0 += MV_LANES) {                                                         \
            const int s = s0 + lane;                                                                            \
            float vg[GROUP];                                                                                    \
            float vu[GROUP];                                                                                    \
            group_##TYPE(Wg, row_bytes, nblocks, r, groups, min(s, groups - 1), vg);                            \
            group_##TYPE(Wu, row_bytes, nblocks, r, groups, min(s, groups - 1), vu);                            \
            barrier(CLK_LOCAL_MEM_FENCE);                                                                       \
            stage_x(xs, x, x_stride, t0, ntok, MV_TOKENS / 2, s0, groups);                                      \
            barrier(CLK_LOCAL_MEM_FENCE);                                                                       \
            if (s < groups) {                                                                                   \
                for (int t = 0; t < MV_TOKENS / 2; t++) {                                                       \
                    if (t0 + t < ntok) {                                                                        \
                        const xgroup xg = staged_x(xs, t, lane);                                                \
                        gate[t] += dot_group(vg, xg);                                                           \
                        up[t] += dot_group(vu, xg);                                                             \
                    }                                                                                           \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
        for (int i = groups * GROUP + lane; i < ncols; i += MV_LANES) {                                         \
            const float g = load_##TYPE(wg, i);                                                                 \
            const float u = load_##TYPE(wu, i);                                                                 \
            for (int t = 0; t < MV_TOKENS / 2; t++) {                                                           \
                if (t0 + t < ntok) {                                                                            \
                    gate[t] += g * x[(ulong) (t0 + t) * x_stride + i];                                          \
                    up[t] += u * x[(ulong) (t0 + t) * x_stride + i];                                            \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
        for (int t = 0; t < MV_TOKENS / 2 && t0 + t < ntok; t++) {                                              \
            const float g = lane_sum(gate[t], red);                                                             \
            const float u = lane_sum(up[t], red);                                                               \
            if (lane == 0 && active) y[(ulong) (t0 + t) * y_stride + row] = g / (1.0f + exp(-g)) * u;          \
        }                                                                                                       \
    }                                                                                                           \
}

// Rows of a weight matrix picked by token id (the embedding lookup), dequantized to f32.
// Global size: (ceil(ncols / 32), ntok); the last group of a plain-type row may be partial.
#define DEFINE_GET_ROWS(TYPE)                                                                                   \
kernel void kernel_get_rows_##TYPE(global const uchar* W, int ncols, ulong row_bytes, int nrows,              \
        global const int* ids, global float* out) {                                                             \
    const int s = get_global_id(0);                                                                             \
    const int t = get_global_id(1);                                                                             \
    global const uchar* row = W + (ulong) ids[t] * row_bytes;                                                   \
    global float* o = out + (ulong) t * ncols + s * GROUP;                                                      \
    if ((s + 1) * GROUP <= ncols) {                                                                             \
        float v[GROUP];                                                                                         \
        group_##TYPE(W, row_bytes, (ulong) nrows * (ncols / GROUP), ids[t], ncols / GROUP, s, v);              \
        for (int i = 0; i < GROUP; i++) o[i] = v[i];                                                            \
    } else {                                                                                                    \
        for (int i = s * GROUP; i < ncols; i++) o[i - s * GROUP] = load_##TYPE(row, i);                         \
    }                                                                                                           \
}

#define DEFINE_WEIGHT_KERNELS(TYPE) DEFINE_MUL_MV(TYPE) DEFINE_MUL_MV_GLU(TYPE) DEFINE_GET_ROWS(TYPE)

DEFINE_WEIGHT_KERNELS(f32)
DEFINE_WEIGHT_KERNELS(f16)
DEFINE_WEIGHT_KERNELS(bf16)
// Q8_0 and Q4_0 have their own matrix-vector kernels (mul_mv_packed.cl); the embedding lookup is shared.
DEFINE_GET_ROWS(q8_0)
DEFINE_GET_ROWS(q4_0)
DEFINE_WEIGHT_KERNELS(q4_1)
DEFINE_WEIGHT_KERNELS(q5_0)
DEFINE_WEIGHT_KERNELS(q5_1)
DEFINE_WEIGHT_KERNELS(q4_k)
DEFINE_WEIGHT_KERNELS(q5_k)
DEFINE_WEIGHT_KERNELS(q6_k)
