// Matrix-vector products for Q4_0 and Q8_0 in their device layout (quants.cl), the types decode speed is judged on.
//
// Decode reads every weight once, so these kernels are built around memory traffic: each warp (MV_LANES
// work-items) computes PK_ROWS rows at once, so a 32-value slice of x, loaded once into registers, serves four
// rows instead of one (the generic kernels reload x per row, eight times the weight bytes for Q4_0). Each work-item
// keeps the packed quants of its group in registers, one aligned 16- or 32-byte load per row, and multiplies
// nibbles or bytes with x directly: sum((q - 8) * x) = sum(q * x) - 8 * sum(x), with sum(x) shared by the rows.
// Launch: global = ceil(nrows / (PK_ROWS * PK_WARPS)) * PK_WARPS * MV_LANES, local = PK_WARPS * MV_LANES.

// Rows per warp: x reuse against registers held (packed quants and accumulators of every row). The host passes
// -DPK_ROWS/-DPK_WARPS when tuning (Transformer sizes launches from the same values).
#ifndef PK_ROWS
#define PK_ROWS 4
#endif
// Warps per work-group.
#ifndef PK_WARPS
#define PK_WARPS 8
#endif
// Tokens per pass over the weights.
#ifndef PK_TOKENS
#define PK_TOKENS 4
#endif

#ifndef PK_MAGIC
#define PK_MAGIC 1
#endif

#if PK_MAGIC
// Small integers to float without a conversion instruction (quarter rate on NVIDIA): OR-ing an integer k < 2^23
// into the mantissa of 2^23 gives exactly 2^23 + k, and one subtraction removes 2^23 and the quant offset.
#define MAGIC 0x4B000000u
inline float4 nibbles(uint word, int shift) {
    const uint m = (word >> shift) & 0x0F0F0F0Fu;
    return (float4) (as_float(MAGIC | (m & 0xff)), as_float(MAGIC | ((m >> 8) & 0xff)),
                     as_float(MAGIC | ((m >> 16) & 0xff)), as_float(MAGIC | (m >> 24))) - (float4) (8388616.0f);
}

// Q4_0 group: bytes j = 0..15 hold weight j (low nibble) and weight j + 16 (high nibble), offset 8.
inline float dot_q4_0(uint4 q, float d, xgroup x) {
    float4 acc = nibbles(q.x, 0) * x.v[0] + nibbles(q.y, 0) * x.v[1] + nibbles(q.z, 0) * x.v[2] + nibbles(q.w, 0) * x.v[3]
               + nibbles(q.x, 4) * x.v[4] + nibbles(q.y, 4) * x.v[5] + nibbles(q.z, 4) * x.v[6] + nibbles(q.w, 4) * x.v[7];
    return d * (acc.x + acc.y + acc.z + acc.w);
}

inline float4 signed_bytes(uint word) {
    const uint m = word ^ 0x80808080u; // two's complement byte + 128, as an unsigned byte
    return (float4) (as_float(MAGIC | (m & 0xff)), as_float(MAGIC | ((m >> 8) & 0xff)),
                     as_float(MAGIC | ((m >> 16) & 0xff)), as_float(MAGIC | (m >> 24))) - (float4) (8388736.0f);
}

// Q8_0 group: 32 signed bytes.
inline float dot_q8_0(uint8 q, float d, xgroup x) {
    float4 acc = signed_bytes(q.s0) * x.v[0] + signed_bytes(q.s1) * x.v[1] + signed_bytes(q.s2) * x.v[2] + signed_bytes(q.s3) * x.v[3]
               + signed_bytes(q.s4) * x.v[4] + signed_bytes(q.s5) * x.v[5] + signed_bytes(q.s6) * x.v[6] + signed_bytes(q.s7) * x.v[7];
    return d * (acc.x + acc.y + acc.z + acc.w);
}
#else
inline float nibbles_dot(uint word, float4 lo, float4 hi) {
    return (float) (word & 15) * lo.x + (float) ((word >> 8) & 15) * lo.y
         + (float) ((word >> 16) & 15) * lo.z + (float) ((word >> 24) & 15) * lo.w
         + (float) ((word >> 4) & 15) * hi.x + (float) ((word >> 12) & 15) * hi.y
         + (float) ((word >> 20) & 15) * hi.z + (float) (word >> 28) * hi.w;
}

inline float dot_q4_0(uint4 q, float d, xgroup x) {
    const float s = nibbles_dot(q.x, x.v[0], x.v[4]) + nibbles_dot(q.y, x.v[1], x.v[5])
                  + nibbles_dot(q.z, x.v[2], x.v[6]) + nibbles_dot(q.w, x.v[3], x.v[7]);
    return d * (s - 8.0f * x.sum);
}

inline float bytes_dot(uint word, float4 x) {
    return (float) (char) (word & 0xff) * x.x + (float) (char) ((word >> 8) & 0xff) * x.y
         + (float) (char) ((word >> 16) & 0xff) * x.z + (float) (char) (word >> 24) * x.w;
}

inline float dot_q8_0(uint8 q, float d, xgroup x) {
    return d * (bytes_dot(q.s0, x.v[0]) + bytes_dot(q.s1, x.v[1]) + bytes_dot(q.s2, x.v[2]) + bytes_dot(q.s3, x.v[3])
              + bytes_dot(q.s4, x.v[4]) + bytes_dot(q.s5, x.v[5]) + bytes_dot(q.s6, x.v[6]) + bytes_dot(q.s7, x.v[7]));
}
#endif

// Shared by both packed kernels, once each work-item holds q[r], d[r] of its group s for every row r: stage the
// group's 32 slices of x (tokens t0 ..) and add each row's dot product to acc[r][t].
#define PK_STAGE_AND_ACCUMULATE(TYPE)                                                                           \
    barrier(CLK_LOCAL_MEM_FENCE);                                                                               \
    stage_x(xs, x, x_stride, t0, ntok, PK_TOKENS, s0, groups);                                                  \
    barrier(CLK_LOCAL_MEM_FENCE);                                                                               \
    if (s < groups) {                                                                                           \
        _Pragma("unroll") for (int t = 0; t < PK_TOKENS; t++) {                                               \
            if (t0 + t < ntok) {                                                                                \
                const xgroup xg = staged_x(xs, t, lane);                                                        \
                _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++) acc[r][t] += dot_##TYPE(q[r], d[r], xg);   \
            }                                                                                                   \
        }                                                                                                       \
    }

#define DEFINE_MUL_MV_PACKED(TYPE, QTYPE, QBYTES)                                                               \
kernel void kernel_mul_mv_##TYPE(                                                                               \
        global const uchar* W, int ncols, ulong row_bytes, int nrows,                                           \
        global const float* x, int x_stride,                                                                    \
        global float* y, int y_off, int y_stride,                                                               \
        int ntok, global const float* bias, int has_bias, int accumulate) {                                     \
    local float red[PK_WARPS * MV_LANES];                                                                       \
    local float xs[PK_TOKENS * XS_TOKEN];                                                           \
    const int lane = get_local_id(0) % MV_LANES;                                                                \
    const int row0 = (get_group_id(0) * PK_WARPS + get_local_id(0) / MV_LANES) * PK_ROWS;                       \
    const int groups = ncols / GROUP;                                                                           \
    const ulong nblocks = (ulong) nrows * groups;                                                               \
    global const QTYPE* qs = (global const QTYPE*) W;                                                           \
    global const half* ds = (global const half*) (W + nblocks * QBYTES);                                        \
    for (int t0 = 0; t0 < ntok; t0 += PK_TOKENS) {                                                              \
        float acc[PK_ROWS][PK_TOKENS];                                                                          \
        for (int r = 0; r < PK_ROWS; r++) for (int t = 0; t < PK_TOKENS; t++) acc[r][t] = 0.0f;                 \
        for (int s0 = 0; s0 < groups; s0 += MV_LANES) {                                                         \
            const int s = s0 + lane;                                                                            \
            const int sc = min(s, groups - 1);                                                                  \
            QTYPE q[PK_ROWS];                                                                                   \
            float d[PK_ROWS];                                                                                   \
            _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++) {                                             \
                const ulong block = (ulong) min(row0 + r, nrows - 1) * groups + sc;                             \
                q[r] = qs[block];                                                                               \
                d[r] = vload_half(block, ds);                                                                   \
            }                                                                                                   \
            PK_STAGE_AND_ACCUMULATE(TYPE);                                                                      \
        }                                                                                                       \
        for (int t = 0; t < PK_TOKENS && t0 + t < ntok; t++) {                                                  \
            for (int r = 0; r < PK_ROWS; r++) {                                                                 \
                float sum = lane_sum(acc[r][t], red);                                                           \
                const int row = row0 + r;                                                                       \
                if (lane == 0 && row < nrows) {                                                                 \
                    if (has_bias) sum += bias[row];                                                             \
                    global float* out = y + y_off + (ulong) (t0 + t) * y_stride + row;                          \
                    *out = accumulate ? *out + sum : sum;                                                       \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
    }                                                                                                           \
}

// silu(W_gate x) * (W_up x): PK_ROWS / 2 output rows per warp, each reading its gate and its up row.
#define DEFINE_MUL_MV_GLU_PACKED(TYPE, QTYPE, QBYTES)                                                           \
kernel void kernel_mul_mv_glu_##TYPE(                                                                           \
        global const uchar* Wg, global const uchar* Wu, int ncols, ulong row_bytes, int nrows,                  \
        global const float* x, int x_stride, global float* y, int y_stride, int ntok) {                        \
    local float red[PK_WARPS * MV_LANES];                                                                       \
    local float xs[PK_TOKENS * XS_TOKEN];                                                           \
    const int lane = get_local_id(0) % MV_LANES;                                                                \
    const int row0 = (get_group_id(0) * PK_WARPS + get_local_id(0) / MV_LANES) * (PK_ROWS / 2);                \
    const int groups = ncols / GROUP;                                                                           \
    const ulong nblocks = (ulong) nrows * groups;                                                               \
    for (int t0 = 0; t0 < ntok; t0 += PK_TOKENS) {                                                              \
        float acc[PK_ROWS][PK_TOKENS];                                                                          \
        for (int r = 0; r < PK_ROWS; r++) for (int t = 0; t < PK_TOKENS; t++) acc[r][t] = 0.0f;                 \
        for (int s0 = 0; s0 < groups; s0 += MV_LANES) {                                                         \
            const int s = s0 + lane;                                                                            \
            const int sc = min(s, groups - 1);                                                                  \
            QTYPE q[PK_ROWS];                                                                                   \
            float d[PK_ROWS];                                                                                   \
            _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++) {                                             \
                global const uchar* W = (r & 1) ? Wu : Wg;                                                      \
                const ulong block = (ulong) min(row0 + r / 2, nrows - 1) * groups + sc;                         \
                q[r] = ((global const QTYPE*) W)[block];                                                        \
                d[r] = vload_half(block, (global const half*) (W + nblocks * QBYTES));                          \
            }                                                                                                   \
            PK_STAGE_AND_ACCUMULATE(TYPE);                                                                      \
        }                                                                                                       \
        for (int t = 0; t < PK_TOKENS && t0 + t < ntok; t++) {                                                  \
            for (int r = 0; r < PK_ROWS; r += 2) {                                                              \
                const float g = lane_sum(acc[r][t], red);                                                       \
                const float u = lane_sum(acc[r + 1][t], red);                                                   \
                const int row = row0 + r / 2;                                                                   \
                if (lane == 0 && row < nrows) y[(ulong) (t0 + t) * y_stride + row] = g / (1.0f + exp(-g)) * u; \
            }                                                                                                   \
        }                                                                                                       \
    }                                                                                                           \
}

DEFINE_MUL_MV_PACKED(q4_0, uint4, 16)
DEFINE_MUL_MV_PACKED(q8_0, uint8, 32)
DEFINE_MUL_MV_GLU_PACKED(q4_0, uint4, 16)
DEFINE_MUL_MV_GLU_PACKED(q8_0, uint8, 32)
