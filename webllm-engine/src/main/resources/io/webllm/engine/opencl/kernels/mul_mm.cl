// Matrix-matrix products Y = X W^T for prompts (many tokens at once), for every weight type, tiled:
// a work-group computes MM_ROWS weight rows x MM_TOKENS tokens. Per step of 32 weights along the row, MM_ROWS
// work-items dequantize one group each into local memory (so each weight is read once per MM_TOKENS tokens), all
// work-items stage the tokens' 32 activations, and each work-item accumulates a 4 x 4 block of outputs from
// local memory. Used when a pass has at least Step.MATRIX_MATRIX_MIN_TOKENS tokens; decode steps use mul_mv.
// Launch: global (ceil(nrows / 64) * 16, ceil(ntok / 64) * 16), local (16, 16).

#define MM_ROWS 64
#define MM_TOKENS 64

#define DEFINE_MUL_MM(TYPE)                                                                                     \
kernel void kernel_mul_mm_##TYPE(                                                                               \
        global const uchar* W, int ncols, ulong row_bytes, int nrows,                                           \
        global const float* x, int x_stride,                                                                    \
        global float* y, int y_off, int y_stride,                                                               \
        int ntok, global const float* bias, int has_bias, int accumulate) {                                     \
    local float ws[GROUP][MM_ROWS + 4];                                                                         \
    local float xs[GROUP][MM_TOKENS + 4];                                                                       \
    const int tx = get_local_id(0);                                                                             \
    const int ty = get_local_id(1);                                                                             \
    const int lid = ty * 16 + tx;                                                                               \
    const int row_base = get_group_id(0) * MM_ROWS;                                                             \
    const int tok_base = get_group_id(1) * MM_TOKENS;                                                           \
    const int groups = ncols / GROUP;                                                                           \
    const ulong nblocks = (ulong) nrows * groups;                                                               \
    float acc[4][4];                                                                                            \
    for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) acc[i][j] = 0.0f;                                   \
    for (int s = 0; s < groups; s++) {                                                                          \
        if (lid < MM_ROWS) {                                                                                    \
            float v[GROUP];                                                                                     \
            const int r = min(row_base + lid, nrows - 1);                                                       \
            group_##TYPE(W, row_bytes, nblocks, r, groups, s, v);                                               \
            for (int k = 0; k < GROUP; k++) ws[k][lid] = v[k];                                                  \
        }                                                                                                       \
        for (int e = lid; e < GROUP * MM_TOKENS; e += 256) {                                                    \
            const int t = e / GROUP;                                                                            \
            const int k = e % GROUP;                                                                            \
            const int token = min(tok_base + t, ntok - 1);                                                      \
            xs[k][t] = x[(ulong) token * x_stride + s * GROUP + k];                                             \
        }                                                                                                       \
        barrier(CLK_LOCAL_MEM_FENCE);                                                                           \
        for (int k = 0; k < GROUP; k++) {                                                                       \
            const float4 a = vload4(0, &ws[k][ty * 4]);                                                         \
            const float4 b = vload4(0, &xs[k][tx * 4]);                                                         \
            acc[0][0] += a.x * b.x; acc[0][1] += a.x * b.y; acc[0][2] += a.x * b.z; acc[0][3] += a.x * b.w;     \
            acc[1][0] += a.y * b.x; acc[1][1] += a.y * b.y; acc[1][2] += a.y * b.z; acc[1][3] += a.y * b.w;     \
            acc[2][0] += a.z * b.x; acc[2][1] += a.z * b.y; acc[2][2] += a.z * b.z; acc[2][3] += a.z * b.w;     \
            acc[3][0] += a.w * b.x; acc[3][1] += a.w * b.y; acc[3][2] += a.w * b.z; acc[3][3] += a.w * b.w;     \
        }                                                                                                       \
        barrier(CLK_LOCAL_MEM_FENCE);                                                                           \
    }                                                                                                           \
    for (int i = 0; i < 4; i++) {                                                                               \
        const int row = row_base + ty * 4 + i;                                                                  \
        if (row >= nrows) continue;                                                                             \
        const float b = has_bias ? bias[row] : 0.0f;                                                            \
        for (int j = 0; j < 4; j++) {                                                                           \
            const int token = tok_base + tx * 4 + j;                                                            \
            if (token < ntok) {                                                                                 \
                global float* out = y + y_off + (ulong) token * y_stride + row;                                 \
                *out = accumulate ? *out + acc[i][j] + b : acc[i][j] + b;                                       \
            }                                                                                                   \
        }                                                                                                       \
    }                                                                                                           \
}

DEFINE_MUL_MM(f32)
DEFINE_MUL_MM(f16)
DEFINE_MUL_MM(bf16)
DEFINE_MUL_MM(q8_0)
DEFINE_MUL_MM(q4_0)
DEFINE_MUL_MM(q4_1)
DEFINE_MUL_MM(q5_0)
DEFINE_MUL_MM(q5_1)
DEFINE_MUL_MM(q4_k)
DEFINE_MUL_MM(q5_k)
DEFINE_MUL_MM(q6_k)

// silu(gate) * up, elementwise, for prompts (the gate and up products come from two mul_mm launches).
kernel void kernel_swiglu(global float* gate, global const float* up) {
    const ulong i = get_global_id(0);
    const float g = gate[i];
    gate[i] = g / (1.0f + exp(-g)) * up[i];
}

// kernel_swiglu that also writes the result as Q8 activations (q8.cl) for the down projection: no quantize launch
// between them. n: values a token row (a multiple of 32). Launch: global (ceil(n / 256) * 256, tokens), local (256, 1).
kernel void kernel_swiglu_q8(global float* gate, global const float* up, int n, global char* yq, global float2* yd) {
    local float red[256];
    const int i = get_global_id(0);
    const int t = get_global_id(1);
    const int live = i < n;
    const ulong at = (ulong) t * n + min(i, n - 1);
    const float g = gate[at];
    const float v = live ? g / (1.0f + exp(-g)) * up[at] : 0.0f;
    if (live) gate[at] = v;
    const ulong k = (ulong) t * (n / GROUP) + min(i, n - 1) / GROUP;
    const float2 scales = quantize_lanes(v, yq + k * GROUP, live, red);
    if (live && get_local_id(0) % MV_LANES == 0) yd[k] = scales;
}
