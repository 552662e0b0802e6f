// CPU variants of the matrix products (KernelLibrary.Variant.CPU), for OpenCL drivers that run work-items on CPU
// cores (PoCL). The GPU kernels give each row a warp of 32 work-items that sum through local memory and barriers,
// which such a driver runs as loops over the work-items with the barriers in between. Here one work-item owns
// CPU_ROWS whole rows and walks them with explicit 16-wide vectors, which the CPU compiler maps to SIMD registers
// (a 32-weight group is two float16 halves): no local memory, no barriers, one horizontal sum per output at the end.
//
// CT tokens share each dequantized group (register blocking: CPU_ROWS x CT accumulators of 16 floats). The token
// loop is inside the kernel, so a work-item's rows stay in the L1 cache while every token of the pass goes by:
// decode and short passes use CT = 1 (kernel_mul_mv_cpu1_*), longer passes CT = 4 (kernel_mul_mv_cpu4_*).
// Launch (1-D): global = ceil(nrows / CPU_ROWS), local chosen by the driver.

#define CPU_ROWS 4

// 32 weights of one group, dequantized and scaled.
typedef struct { float16 lo; float16 hi; } wgroup;

inline float hsum16(float16 v) {
    const float8 a = v.lo + v.hi;
    const float4 b = a.lo + a.hi;
    const float2 c = b.lo + b.hi;
    return c.x + c.y;
}

// fp16 scales to float by integer ops and one multiply: PoCL lowers vload_half to ~20 scalar instructions (no F16C).
// Exact for normal and subnormal halves (the exponent is rebased by 2^112); scales are never infinite or NaN.
inline float4 half4_to_float4(ushort4 h) {
    const uint4 u = convert_uint4(h);
    return as_float4(((u & 0x8000u) << 16) | as_uint4(as_float4((u & 0x7fffu) << 13) * 0x1p112f));
}

// Scales of blocks first .. first + n - 1 (n <= 4; zero past n) into d[0..3], four at a time where they exist.
inline void scales_soa(global const uchar* scales, ulong first, int n, float* d) {
    global const ushort* h = (global const ushort*) scales + first;
    if (n == 4) {
        vstore4(half4_to_float4(vload4(0, h)), 0, d);
    } else {
        ushort4 part = (ushort4) (0);
        part.x = h[0];
        if (n > 1) part.y = h[1];
        if (n > 2) part.z = h[2];
        vstore4(half4_to_float4(part), 0, d);
    }
}

// Per type: cpu_group_<type> gives the 32 weights of group s of row r; for Q8_0 and Q4_0 without their scale, which
// cpu_scales_<type> gives for groups s .. s + 3 (the SCALED loop below), for the other types with it (PLAIN loop).

// Q8_0 in the device layout (quants.cl): 32 signed bytes per block, then all blocks' fp16 scales.
inline void cpu_scales_q8_0(global const uchar* W, ulong nblocks, int r, int groups, int s, int n, float* d) {
    scales_soa(W + nblocks * 32, (ulong) r * groups + s, n, d);
}

inline wgroup cpu_group_q8_0(global const uchar* W, ulong row_bytes, ulong nblocks, int r, int groups, int s) {
    global const char* q = (global const char*) W + ((ulong) r * groups + s) * 32;
    wgroup g;
    g.lo = convert_float16(vload16(0, q));
    g.hi = convert_float16(vload16(1, q));
    return g;
}

// Q4_0 in the device layout: 16 bytes per block, low nibbles are weights 0..15, high nibbles 16..31, offset 8.
inline void cpu_scales_q4_0(global const uchar* W, ulong nblocks, int r, int groups, int s, int n, float* d) {
    scales_soa(W + nblocks * 16, (ulong) r * groups + s, n, d);
}

inline wgroup cpu_group_q4_0(global const uchar* W, ulong row_bytes, ulong nblocks, int r, int groups, int s) {
    const uchar16 q = vload16(0, W + ((ulong) r * groups + s) * 16);
    wgroup g;
    g.lo = convert_float16(q & (uchar16) (15)) - 8.0f;
    g.hi = convert_float16(q >> (uchar16) (4)) - 8.0f;
    return g;
}

// Every other type through its scalar dequantization (quants.cl), scales included, then as two vectors.
#define CPU_GENERIC_GROUP(TYPE)                                                                                 \
inline wgroup cpu_group_##TYPE(global const uchar* W, ulong row_bytes, ulong nblocks, int r, int groups, int s) { \
    float v[GROUP];                                                                                             \
    group_##TYPE(W, row_bytes, nblocks, r, groups, s, v);                                                       \
    wgroup g;                                                                                                   \
    g.lo = vload16(0, v);                                                                                       \
    g.hi = vload16(1, v);                                                                                       \
    return g;                                                                                                   \
}
CPU_GENERIC_GROUP(f32)
CPU_GENERIC_GROUP(f16)
CPU_GENERIC_GROUP(bf16)
CPU_GENERIC_GROUP(q4_1)
CPU_GENERIC_GROUP(q5_0)
CPU_GENERIC_GROUP(q5_1)
CPU_GENERIC_GROUP(q4_k)
CPU_GENERIC_GROUP(q5_k)
CPU_GENERIC_GROUP(q6_k)

// The inner loop shared by the plain and the gated product: NR weight rows (row ROW(r) of matrix MATRIX(r)) against
// CT tokens. Groups go four at a time so that their scales convert as one vector; a row's last groups (when their
// count is not a multiple of 4) one at a time. With one token the scale multiplies the group's dot product; with
// several it multiplies the weights once for all tokens. Every loop over rows and tokens is unrolled so that the
// accumulators stay in registers.
#define CPU_GROUP_STEP(TYPE, CT, NR, MATRIX, ROW, S, SCALE)                                                     \
    {                                                                                                           \
        const int s = (S);                                                                                      \
        float16 xlo[CT];                                                                                        \
        float16 xhi[CT];                                                                                        \
        _Pragma("unroll") for (int t = 0; t < CT; t++) {                                                      \
            xlo[t] = vload16(0, xt[t] + s * GROUP);                                                             \
            xhi[t] = vload16(1, xt[t] + s * GROUP);                                                             \
        }                                                                                                       \
        _Pragma("unroll") for (int r = 0; r < NR; r++) {                                                      \
            wgroup w = cpu_group_##TYPE(MATRIX(r), row_bytes, nblocks, ROW(r), groups, s);                      \
            const float dr = SCALE;                                                                             \
            if (CT == 1) {                                                                                      \
                acc[r][0] = fma((float16) (dr), w.lo * xlo[0] + w.hi * xhi[0], acc[r][0]);                      \
            } else {                                                                                            \
                w.lo *= dr;                                                                                     \
                w.hi *= dr;                                                                                     \
                _Pragma("unroll") for (int t = 0; t < CT; t++) {                                              \
                    acc[r][t] = fma(w.lo, xlo[t], acc[r][t]);                                                   \
                    acc[r][t] = fma(w.hi, xhi[t], acc[r][t]);                                                   \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
    }

#define CPU_ROW_LOOP_SCALED(TYPE, CT, NR, MATRIX, ROW)                                                          \
    for (int s0 = 0; s0 + 4 <= groups; s0 += 4) {                                                               \
        float d[NR][4];                                                                                         \
        _Pragma("unroll") for (int r = 0; r < NR; r++) cpu_scales_##TYPE(MATRIX(r), nblocks, ROW(r), groups, s0, 4, d[r]); \
        CPU_GROUP_STEP(TYPE, CT, NR, MATRIX, ROW, s0, d[r][0])                                                  \
        CPU_GROUP_STEP(TYPE, CT, NR, MATRIX, ROW, s0 + 1, d[r][1])                                              \
        CPU_GROUP_STEP(TYPE, CT, NR, MATRIX, ROW, s0 + 2, d[r][2])                                              \
        CPU_GROUP_STEP(TYPE, CT, NR, MATRIX, ROW, s0 + 3, d[r][3])                                              \
    }                                                                                                           \
    for (int s1 = groups & ~3; s1 < groups; s1++) {                                                             \
        float d[NR][4];                                                                                         \
        _Pragma("unroll") for (int r = 0; r < NR; r++) cpu_scales_##TYPE(MATRIX(r), nblocks, ROW(r), groups, s1, 1, d[r]); \
        CPU_GROUP_STEP(TYPE, CT, NR, MATRIX, ROW, s1, d[r][0])                                                  \
    }

// Types whose group function applies the scales itself: one group at a time (a quarter of the code to compile).
#define CPU_ROW_LOOP_PLAIN(TYPE, CT, NR, MATRIX, ROW)                                                           \
    for (int s1 = 0; s1 < groups; s1++) CPU_GROUP_STEP(TYPE, CT, NR, MATRIX, ROW, s1, 1.0f)

// y[t][y_off + row] (+)= W[row] . x[t] (+ bias[row]), CPU_ROWS rows per work-item, CT tokens per pass over them.
// Rows past nrows are computed on the last row and not stored; the tail of rows that are not whole groups (plain
// types only) goes weight by weight.
#define MV_MATRIX(r) W
#define MV_ROW(r) rows[r]
#define DEFINE_MUL_MV_CPU(TYPE, CT, LOOP)                                                                             \
kernel void kernel_mul_mv_cpu##CT##_##TYPE(                                                                     \
        global const uchar* W, int ncols, ulong row_bytes, int nrows,                                           \
        global const float* x, int x_stride,                                                                    \
        global float* y, int y_off, int y_stride,                                                               \
        int ntok, global const float* bias, int has_bias, int accumulate) {                                     \
    const int row0 = get_global_id(0) * CPU_ROWS;                                                               \
    if (row0 >= nrows) return;                                                                                  \
    const int groups = ncols / GROUP;                                                                           \
    const ulong nblocks = (ulong) nrows * groups;                                                               \
    int rows[CPU_ROWS];                                                                                         \
    _Pragma("unroll") for (int r = 0; r < CPU_ROWS; r++) rows[r] = min(row0 + r, nrows - 1);                                      \
    for (int t0 = 0; t0 < ntok; t0 += CT) {                                                                     \
        global const float* xt[CT];                                                                             \
        _Pragma("unroll") for (int t = 0; t < CT; t++) xt[t] = x + (ulong) min(t0 + t, ntok - 1) * x_stride;                     \
        float16 acc[CPU_ROWS][CT];                                                                              \
        _Pragma("unroll") for (int r = 0; r < CPU_ROWS; r++)                                                  \
            _Pragma("unroll") for (int t = 0; t < CT; t++) acc[r][t] = (float16) (0.0f);                      \
        CPU_ROW_LOOP_##LOOP(TYPE, CT, CPU_ROWS, MV_MATRIX, MV_ROW)                                              \
        _Pragma("unroll") for (int r = 0; r < CPU_ROWS; r++) {                                                \
            const int row = row0 + r;                                                                           \
            global const uchar* wr = W + (ulong) rows[r] * row_bytes;                                           \
            _Pragma("unroll") for (int t = 0; t < CT; t++) {                                                  \
                float sum = hsum16(acc[r][t]);                                                                  \
                for (int i = groups * GROUP; i < ncols; i++) sum += load_##TYPE(wr, i) * xt[t][i];              \
                if (row < nrows && t0 + t < ntok) {                                                             \
                    if (has_bias) sum += bias[row];                                                             \
                    global float* out = y + y_off + (ulong) (t0 + t) * y_stride + row;                          \
                    *out = accumulate ? *out + sum : sum;                                                       \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
    }                                                                                                           \
}

// y[t][row] = silu(W_gate[row] . x[t]) * (W_up[row] . x[t]): CPU_ROWS / 2 output rows per work-item, so that the
// same CPU_ROWS weight rows are live as in the plain product (even: gate, odd: up).
#define GLU_MATRIX(r) (((r) & 1) ? Wu : Wg)
#define GLU_ROW(r) rows[(r) / 2]
#define DEFINE_MUL_MV_GLU_CPU(TYPE, CT, LOOP)                                                                         \
kernel void kernel_mul_mv_glu_cpu##CT##_##TYPE(                                                                 \
        global const uchar* Wg, global const uchar* Wu, int ncols, ulong row_bytes, int nrows,                  \
        global const float* x, int x_stride, global float* y, int y_stride, int ntok) {                        \
    const int row0 = get_global_id(0) * (CPU_ROWS / 2);                                                         \
    if (row0 >= nrows) return;                                                                                  \
    const int groups = ncols / GROUP;                                                                           \
    const ulong nblocks = (ulong) nrows * groups;                                                               \
    int rows[CPU_ROWS / 2];                                                                                     \
    _Pragma("unroll") for (int r = 0; r < CPU_ROWS / 2; r++) rows[r] = min(row0 + r, nrows - 1);                                  \
    for (int t0 = 0; t0 < ntok; t0 += CT) {                                                                     \
        global const float* xt[CT];                                                                             \
        _Pragma("unroll") for (int t = 0; t < CT; t++) xt[t] = x + (ulong) min(t0 + t, ntok - 1) * x_stride;                     \
        float16 acc[CPU_ROWS][CT];                                                                              \
        _Pragma("unroll") for (int r = 0; r < CPU_ROWS; r++)                                                  \
            _Pragma("unroll") for (int t = 0; t < CT; t++) acc[r][t] = (float16) (0.0f);                      \
        CPU_ROW_LOOP_##LOOP(TYPE, CT, CPU_ROWS, GLU_MATRIX, GLU_ROW)                                            \
        _Pragma("unroll") for (int r = 0; r < CPU_ROWS / 2; r++) {                                            \
            const int row = row0 + r;                                                                           \
            global const uchar* wg = Wg + (ulong) rows[r] * row_bytes;                                          \
            global const uchar* wu = Wu + (ulong) rows[r] * row_bytes;                                          \
            _Pragma("unroll") for (int t = 0; t < CT; t++) {                                                  \
                float g = hsum16(acc[2 * r][t]);                                                                \
                float u = hsum16(acc[2 * r + 1][t]);                                                            \
                for (int i = groups * GROUP; i < ncols; i++) {                                                  \
                    g += load_##TYPE(wg, i) * xt[t][i];                                                         \
                    u += load_##TYPE(wu, i) * xt[t][i];                                                         \
                }                                                                                               \
                if (row < nrows && t0 + t < ntok) y[(ulong) (t0 + t) * y_stride + row] = g / (1.0f + exp(-g)) * u; \
            }                                                                                                   \
        }                                                                                                       \
    }                                                                                                           \
}

#define DEFINE_CPU_KERNELS(TYPE, LOOP) DEFINE_MUL_MV_CPU(TYPE, 1, LOOP) DEFINE_MUL_MV_CPU(TYPE, 4, LOOP) \
    DEFINE_MUL_MV_GLU_CPU(TYPE, 1, LOOP) DEFINE_MUL_MV_GLU_CPU(TYPE, 4, LOOP)

DEFINE_CPU_KERNELS(f32, PLAIN)
DEFINE_CPU_KERNELS(f16, PLAIN)
DEFINE_CPU_KERNELS(bf16, PLAIN)
DEFINE_CPU_KERNELS(q8_0, SCALED)
DEFINE_CPU_KERNELS(q4_0, SCALED)
DEFINE_CPU_KERNELS(q4_1, PLAIN)
DEFINE_CPU_KERNELS(q5_0, PLAIN)
DEFINE_CPU_KERNELS(q5_1, PLAIN)
DEFINE_CPU_KERNELS(q4_k, PLAIN)
DEFINE_CPU_KERNELS(q5_k, PLAIN)
DEFINE_CPU_KERNELS(q6_k, PLAIN)
