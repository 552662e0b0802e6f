// Matrix-vector products y = W x for a few tokens at once, for every weight type.
//
// One work-group per output row. Its work-items walk the row's 32-weight groups, dequantize each once and multiply
// it with up to MV_TOKENS activation rows, so a batch of tokens reads the weights once per MV_TOKENS tokens.
// Options fused in to save launches: a bias (Qwen2's q/k/v) and accumulation into y (the residual add).
// Work-group size must be a power of two.

// Tokens that share one read of a weight group.
#define MV_TOKENS 4

#define DEFINE_MUL_MV(TYPE)                                                                                     \
kernel void kernel_mul_mv_##TYPE(                                                                               \
        global const uchar* W, int ncols, ulong row_bytes,                                                      \
        global const float* x, int x_off, int x_stride,                                                         \
        global float* y, int y_off, int y_stride,                                                               \
        int ntok, global const float* bias, int has_bias, int accumulate, local float* scratch) {               \
    const int row = get_group_id(0);                                                                            \
    const int lid = get_local_id(0);                                                                            \
    const int lsz = get_local_size(0);                                                                          \
    global const uchar* w = W + (ulong) row * row_bytes;                                                        \
    const int groups = ncols / GROUP;                                                                           \
    for (int t0 = 0; t0 < ntok; t0 += MV_TOKENS) {                                                              \
        float acc[MV_TOKENS];                                                                                   \
        for (int t = 0; t < MV_TOKENS; t++) acc[t] = 0.0f;                                                      \
        for (int s = lid; s < groups; s += lsz) {                                                               \
            float v[GROUP];                                                                                     \
            deq_##TYPE(w, s, v);                                                                                \
            for (int t = 0; t < MV_TOKENS; t++) {                                                               \
                if (t0 + t < ntok) {                                                                            \
                    global const float* xr = x + x_off + (t0 + t) * x_stride + s * GROUP;                       \
                    float sum = 0.0f;                                                                           \
                    for (int i = 0; i < GROUP; i++) sum += v[i] * xr[i];                                        \
                    acc[t] += sum;                                                                              \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
        for (int i = groups * GROUP + lid; i < ncols; i += lsz) {                                               \
            const float wi = load_##TYPE(w, i);                                                                 \
            for (int t = 0; t < MV_TOKENS; t++) {                                                               \
                if (t0 + t < ntok) acc[t] += wi * x[x_off + (t0 + t) * x_stride + i];                           \
            }                                                                                                   \
        }                                                                                                       \
        for (int t = 0; t < MV_TOKENS; t++) scratch[t * lsz + lid] = acc[t];                                    \
        barrier(CLK_LOCAL_MEM_FENCE);                                                                           \
        for (int stride = lsz / 2; stride > 0; stride >>= 1) {                                                  \
            if (lid < stride) {                                                                                 \
                for (int t = 0; t < MV_TOKENS; t++) scratch[t * lsz + lid] += scratch[t * lsz + lid + stride];  \
            }                                                                                                   \
            barrier(CLK_LOCAL_MEM_FENCE);                                                                       \
        }                                                                                                       \
        if (lid < MV_TOKENS && t0 + lid < ntok) {                                                               \
            float r = scratch[lid * lsz];                                                                       \
            if (has_bias) r += bias[row];                                                                       \
            int at = y_off + (t0 + lid) * y_stride + row;                                                       \
            y[at] = accumulate ? y[at] + r : r;                                                                 \
        }                                                                                                       \
        barrier(CLK_LOCAL_MEM_FENCE);                                                                           \
    }                                                                                                           \
}

// Rows of a weight matrix picked by token id (the embedding lookup), dequantized to f32.
// Global size: (ceil(ncols / 32), ntok); the last group of a plain-type row may be partial.
#define DEFINE_GET_ROWS(TYPE)                                                                                   \
kernel void kernel_get_rows_##TYPE(global const uchar* W, int ncols, ulong row_bytes,                          \
        global const int* ids, global float* out) {                                                             \
    const int s = get_global_id(0);                                                                             \
    const int t = get_global_id(1);                                                                             \
    global const uchar* row = W + (ulong) ids[t] * row_bytes;                                                   \
    global float* o = out + (ulong) t * ncols + s * GROUP;                                                      \
    if ((s + 1) * GROUP <= ncols) {                                                                             \
        float v[GROUP];                                                                                         \
        deq_##TYPE(row, s, v);                                                                                  \
        for (int i = 0; i < GROUP; i++) o[i] = v[i];                                                            \
    } else {                                                                                                    \
        for (int i = s * GROUP; i < ncols; i++) o[i - s * GROUP] = load_##TYPE(row, i);                         \
    }                                                                                                           \
}

#define DEFINE_WEIGHT_KERNELS(TYPE) DEFINE_MUL_MV(TYPE) DEFINE_GET_ROWS(TYPE)

DEFINE_WEIGHT_KERNELS(f32)
DEFINE_WEIGHT_KERNELS(f16)
DEFINE_WEIGHT_KERNELS(bf16)
DEFINE_WEIGHT_KERNELS(q8_0)
DEFINE_WEIGHT_KERNELS(q4_0)
DEFINE_WEIGHT_KERNELS(q4_1)
DEFINE_WEIGHT_KERNELS(q5_0)
DEFINE_WEIGHT_KERNELS(q5_1)
DEFINE_WEIGHT_KERNELS(q4_k)
DEFINE_WEIGHT_KERNELS(q5_k)
DEFINE_WEIGHT_KERNELS(q6_k)
