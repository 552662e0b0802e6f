// Matrix-matrix products of Q4_0 / Q8_0 / Q4_K weights (device layout, quants.cl) with Q8 activations (q8.cl), for
// prompts: Y = X W^T with integer tile products, on NVIDIA through the tensor cores (mma.sync m16n8k32, int8 in,
// int32 out).
//
// One 32-weight quant group is exactly the K = 32 of one int8 MMA: per group an int32 tile = A (weights as int8, Q4_0
// nibbles minus 8) x B (activation quants), then acc += d_w[row] * d_x[token] * int32. llama.cpp's mmq kernels work
// the same way. A Q4_K group is nibbles too, with a scale s and a min m of its own (w = s q - m): staged as q - 8
// like Q4_0's, it adds (8 s - m) * sum(x) of the group, sum(x) = d_x * sum(q_x) being the activations' second scale.
// A Q6_K group has two scales, one for weights 0..15 and one for 16..31: it is staged as q - 32 and multiplied in
// two halves, each an MMA whose A fragment has the other half's words zeroed (a0, a1 cover K words 0..3, a2, a3
// words 4..7), so the one m16n8k32 shape serves it too at twice the tensor-core work (far from the limit here).
//
// Tiles. A work-group computes MMQ_ROWS weight rows x MMQ_TOKENS tokens; each warp a 32 x 32 block of them (2 m16 x
// 4 n8 MMA tiles: 32 float accumulators a lane). Per barrier step of MMQ_STEP groups (K = 128 by default) the work-
// group stages the weights, expanded once to int8, the activation quants, and both sets of scales in local memory;
// every warp then runs MMQ_STEP x 8 MMAs from there. Why these sizes for an H100: 64 x 64 keeps a prefill chunk of 64
// tokens spread over enough work-groups (4096-row matrices give 64 of them for 132 SMs; 128-row tiles would leave
// most SMs idle), and each staged weight still serves 64 tokens, so a pass over 8B Q4_0 weights moves ~4.5 GB / 64
// tokens, far below what the tensor cores need as input. Four groups a step amortise the two barriers over 32 MMAs a
// warp while the tiles stay at 20 KiB of local memory (several work-groups per SM hide each other's staging).
// Offline check (clang to PTX, ptxas for sm_90): 92 registers a work-item, no spills, 20 KiB local memory, so about
// five work-groups (20 warps) an SM. -DMMQ_ROWS / -DMMQ_TOKENS (multiples of 32) and -DMMQ_STEP come from Tuning.
// Not done yet: double-buffered staging (loads of step s + 1 in flight during the MMAs of step s), ldmatrix.
//
// Local layout: a staged row (weights: one per weight row; activations: one per token) is MMQ_STEP groups of 8 words
// (4 int8 each) padded by 4 words, so the 32 lanes of a fragment load (8 rows x 4 words) hit 32 different banks.
// The PTX fragment layout of m16n8k32 .s8 (gid = lane / 4, tid = lane % 4; words of 4 int8 along K):
//   A (16 x 32, row):  a0 = A[gid][word tid], a1 = A[gid + 8][tid], a2 = A[gid][tid + 4], a3 = A[gid + 8][tid + 4]
//   B (32 x 8, col):   b0 = B[word tid][gid], b1 = B[tid + 4][gid]  (B column = one token's quants along K)
//   C (16 x 8):        c0 = C[gid][2 tid], c1 = C[gid][2 tid + 1], c2 = C[gid + 8][2 tid], c3 = C[gid + 8][2 tid + 1]
// Without WEBLLM_PTX (or with -DWEBLLM_MMA=0, -Dwebllm.mma=false) each lane computes the same four C values with
// dot4 from the same local tiles, so every other part of the kernel (staging, scaling, edges, bias, accumulation) is
// the same on every device, and PoCL tests it.
// Launch: global (ceil(nrows / MMQ_ROWS) * MMQ_ITEMS, ceil(ntok / MMQ_TOKENS)), local (MMQ_ITEMS, 1).

#ifndef MMQ_ROWS
#define MMQ_ROWS 64
#endif
#ifndef MMQ_TOKENS
#define MMQ_TOKENS 64
#endif
#ifndef MMQ_STEP
#define MMQ_STEP 4
#endif
#ifndef WEBLLM_MMA
#define WEBLLM_MMA 1
#endif

#if defined(WEBLLM_PTX) && WEBLLM_MMA
#define MMQ_TENSOR_CORES 1
#else
#define MMQ_TENSOR_CORES 0
#endif

#define MMQ_ROW_WARPS (MMQ_ROWS / 32)
#define MMQ_ITEMS (MMQ_ROW_WARPS * (MMQ_TOKENS / 32) * 32)
/** Words a staged row takes: MMQ_STEP groups of 8, and 4 of padding against bank conflicts. */
#define MMQ_STRIDE (MMQ_STEP * 8 + 4)

#if MMQ_TENSOR_CORES
// c = A x B for one 16 x 8 tile over K = 32 (fragments as in the header).
inline void mma_s8(int* c, const int* a, const int* b) {
    asm volatile("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
                 "{%10, %10, %10, %10};"
                 : "=r"(c[0]), "=r"(c[1]), "=r"(c[2]), "=r"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "r"(0));
}
#else
// One group of a staged weight row times one group of a staged token: 32 int8 products.
inline int mmq_dot_group(local const int* w, local const int* x) {
    int s = 0;
    for (int j = 0; j < 8; j++) s = dot4(w[j], x[j], s);
    return s;
}
#endif

// Four Q4_0 nibbles (0..15, one per byte) minus 8, as int8: borrow-free through the top bit of each byte.
inline int q4_bytes(uint nibbles) {
    return as_int(((nibbles | 0x80808080u) - 0x08080808u) ^ 0x80808080u);
}

// The 8 words of int8 weights of a packed Q4_0 block: bytes j = 0..15 hold weight j low and weight j + 16 high.
inline int8 expand_q4_0(uint4 q) {
    const uint m = 0x0F0F0F0Fu;
    return (int8) (q4_bytes(q.x & m), q4_bytes(q.y & m), q4_bytes(q.z & m), q4_bytes(q.w & m),
                   q4_bytes((q.x >> 4) & m), q4_bytes((q.y >> 4) & m), q4_bytes((q.z >> 4) & m), q4_bytes((q.w >> 4) & m));
}

inline int8 expand_q8_0(uint8 q) {
    return as_int8(q);
}

// A group's weights as int8 and its two staged floats, read through mul_mv_q8.cl's loadq_<type>: {scale, 0} for
// Q4_0 and Q8_0, {scale, offset term} for Q4_K (the group adds scale * d_x * (int8 . q_x) + offset term * sum(x),
// see the header), {scale of weights 0..15, scale of 16..31} for Q6_K.
inline int8 mmq_group_q4_0(global const uchar* W, ulong nblocks, ulong block, float2* scale) {
    const wq_q4_0 w = loadq_q4_0(W, nblocks, block);
    *scale = (float2) (w.d, 0.0f);
    return expand_q4_0(w.q);
}

inline int8 mmq_group_q8_0(global const uchar* W, ulong nblocks, ulong block, float2* scale) {
    const wq_q8_0 w = loadq_q8_0(W, nblocks, block);
    *scale = (float2) (w.d, 0.0f);
    return expand_q8_0(w.q);
}

inline int8 mmq_group_q4_k(global const uchar* W, ulong nblocks, ulong block, float2* scale) {
    const wq_q4_k w = loadq_q4_k(W, nblocks, block);
    *scale = (float2) (w.sm.x, 8.0f * w.sm.x - w.sm.y);
    return expand_q4_0(w.q);
}

// Four 6-bit weights (0..63, one per byte) minus 32, as int8: borrow-free through the top bit of each byte.
inline int q6_bytes(uint levels) {
    return as_int(((levels | 0x80808080u) - 0x20202020u) ^ 0x80808080u);
}

inline int8 mmq_group_q6_k(global const uchar* W, ulong nblocks, ulong block, float2* scale) {
    const wq_q6_k w = loadq_q6_k(W, nblocks, block);
    *scale = w.d * convert_float2(w.sc);
    return (int8) (q6_bytes(Q6_WORD(w.ql.x, w.qh.x, 0)), q6_bytes(Q6_WORD(w.ql.y, w.qh.x, 1)),
                   q6_bytes(Q6_WORD(w.ql.z, w.qh.x, 2)), q6_bytes(Q6_WORD(w.ql.w, w.qh.x, 3)),
                   q6_bytes(Q6_WORD(w.ql.x >> 4, w.qh.y, 0)), q6_bytes(Q6_WORD(w.ql.y >> 4, w.qh.y, 1)),
                   q6_bytes(Q6_WORD(w.ql.z >> 4, w.qh.y, 2)), q6_bytes(Q6_WORD(w.ql.w >> 4, w.qh.y, 3)));
}

// OFFSET: whether the type has an offset term (compiled out for Q4_0 and Q8_0); HALVES: whether each half of a
// group has its own scale (Q6_K). Either way the staged second float of a group goes to w2.
#define DEFINE_MUL_MMQ(TYPE, OFFSET, HALVES)                                                                    \
kernel void kernel_mul_mmq_##TYPE(                                                                              \
        global const uchar* W, int ncols, ulong row_bytes, int nrows,                                           \
        global const char* xq, int x_groups,                                                                    \
        global float* y, int y_off, int y_stride,                                                               \
        int ntok, global const float* bias, int has_bias, int accumulate, global const float2* xd) {            \
    local int ws[MMQ_ROWS * MMQ_STRIDE];                                                                        \
    local int xs[MMQ_TOKENS * MMQ_STRIDE];                                                                      \
    local float wd[MMQ_ROWS * MMQ_STEP];                                                                        \
    local float xds[MMQ_TOKENS * MMQ_STEP];                                                                     \
    local float w2[OFFSET || HALVES ? MMQ_ROWS * MMQ_STEP : 1];                                                 \
    local float xss[OFFSET ? MMQ_TOKENS * MMQ_STEP : 1];                                                        \
    const int lid = get_local_id(0);                                                                            \
    const int lane = lid % 32;                                                                                  \
    const int warp = lid / 32;                                                                                  \
    const int gid = lane / 4;                                                                                   \
    const int tid = lane % 4;                                                                                   \
    const int row_base = get_group_id(0) * MMQ_ROWS;                                                            \
    const int tok_base = get_group_id(1) * MMQ_TOKENS;                                                          \
    const int wr = (warp % MMQ_ROW_WARPS) * 32;                                                                 \
    const int wt = (warp / MMQ_ROW_WARPS) * 32;                                                                 \
    const int groups = ncols / GROUP;                                                                           \
    const ulong nblocks = (ulong) nrows * groups;                                                               \
    float acc[2][4][4];                                                                                         \
    /* accumulators stay in registers only if every index is a constant: loops over them are unrolled */        \
    _Pragma("unroll") for (int mi = 0; mi < 2; mi++)                                                          \
        _Pragma("unroll") for (int ni = 0; ni < 4; ni++)                                                      \
            _Pragma("unroll") for (int i = 0; i < 4; i++) acc[mi][ni][i] = 0.0f;                              \
    for (int s0 = 0; s0 < groups; s0 += MMQ_STEP) {                                                             \
        /* stage: consecutive work-items take consecutive groups of a row (contiguous blocks); rows and tokens  \
           past the end repeat the last one, groups past the end are zero */                                    \
        for (int e = lid; e < MMQ_ROWS * MMQ_STEP; e += MMQ_ITEMS) {                                            \
            const int r = e / MMQ_STEP;                                                                         \
            const int k = e % MMQ_STEP;                                                                         \
            int8 v = (int8) (0);                                                                                \
            float2 d = (float2) (0.0f);                                                                         \
            if (s0 + k < groups) {                                                                              \
                const ulong block = (ulong) min(row_base + r, nrows - 1) * groups + s0 + k;                     \
                v = mmq_group_##TYPE(W, nblocks, block, &d);                                                    \
            }                                                                                                   \
            local int* dst = ws + r * MMQ_STRIDE + k * 8;                                                       \
            vstore4(v.lo, 0, dst);                                                                              \
            vstore4(v.hi, 1, dst);                                                                              \
            wd[r * MMQ_STEP + k] = d.x;                                                                         \
            if (OFFSET || HALVES) w2[r * MMQ_STEP + k] = d.y;                                                   \
        }                                                                                                       \
        for (int e = lid; e < MMQ_TOKENS * MMQ_STEP; e += MMQ_ITEMS) {                                          \
            const int t = e / MMQ_STEP;                                                                         \
            const int k = e % MMQ_STEP;                                                                         \
            int8 v = (int8) (0);                                                                                \
            float2 d = (float2) (0.0f);                                                                         \
            if (s0 + k < groups) {                                                                              \
                const ulong xg = (ulong) min(tok_base + t, ntok - 1) * x_groups + s0 + k;                       \
                v = ((global const int8*) xq)[xg];                                                              \
                d = xd[xg];                                                                                     \
            }                                                                                                   \
            local int* dst = xs + t * MMQ_STRIDE + k * 8;                                                       \
            vstore4(v.lo, 0, dst);                                                                              \
            vstore4(v.hi, 1, dst);                                                                              \
            xds[t * MMQ_STEP + k] = d.x;                                                                        \
            if (OFFSET) xss[t * MMQ_STEP + k] = d.y;                                                            \
        }                                                                                                       \
        barrier(CLK_LOCAL_MEM_FENCE);                                                                           \
        for (int k = 0; k < MMQ_STEP; k++) {                                                                    \
            if (HALVES) {                                                                                       \
                MMQ_HALF_PRODUCTS(k);                                                                           \
            } else {                                                                                            \
                MMQ_GROUP_PRODUCT(k);                                                                           \
            }                                                                                                   \
            if (OFFSET) MMQ_OFFSET_TERMS(k);                                                                    \
        }                                                                                                       \
        barrier(CLK_LOCAL_MEM_FENCE);                                                                           \
    }                                                                                                           \
    _Pragma("unroll") for (int mi = 0; mi < 2; mi++) {                                                        \
        _Pragma("unroll") for (int i = 0; i < 4; i++) {                                                       \
            const int row = row_base + wr + mi * 16 + gid + (i >= 2 ? 8 : 0);                                   \
            if (row >= nrows) continue;                                                                         \
            const float b = has_bias ? bias[row] : 0.0f;                                                        \
            _Pragma("unroll") for (int ni = 0; ni < 4; ni++) {                                                \
                const int token = tok_base + wt + ni * 8 + 2 * tid + (i & 1);                                   \
                if (token < ntok) {                                                                             \
                    global float* out = y + y_off + (ulong) token * y_stride + row;                             \
                    const float v = acc[mi][ni][i] + b;                                                         \
                    *out = accumulate ? *out + v : v;                                                           \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
    }                                                                                                           \
}

// Group k of the staged step: the warp's 2 x 4 tiles, each int32 result scaled by its row's and token's scales.
// MMQ_HALF_PRODUCTS: the same for a type with a scale for each half of a group (Q6_K), two products a tile, c over K
// words 0..3 and c2 over words 4..7.
#if MMQ_TENSOR_CORES
// The warp's A fragments (2 m16 tiles of weights) and B fragments (4 n8 tiles of tokens) of group k.
#define MMQ_FRAGMENTS(k)                                                                                        \
    int a[2][4];                                                                                                \
    int bf[4][2];                                                                                               \
    _Pragma("unroll") for (int mi = 0; mi < 2; mi++) {                                                        \
        local const int* p = ws + (wr + mi * 16 + gid) * MMQ_STRIDE + (k) * 8 + tid;                            \
        a[mi][0] = p[0];                                                                                        \
        a[mi][1] = p[8 * MMQ_STRIDE];                                                                           \
        a[mi][2] = p[4];                                                                                        \
        a[mi][3] = p[8 * MMQ_STRIDE + 4];                                                                       \
    }                                                                                                           \
    _Pragma("unroll") for (int ni = 0; ni < 4; ni++) {                                                        \
        local const int* p = xs + (wt + ni * 8 + gid) * MMQ_STRIDE + (k) * 8 + tid;                             \
        bf[ni][0] = p[0];                                                                                       \
        bf[ni][1] = p[4];                                                                                       \
    }

#define MMQ_GROUP_PRODUCT(k)                                                                                    \
    MMQ_FRAGMENTS(k)                                                                                            \
    MMQ_SCALE_TILES(k, 0, mma_s8(c, a[mi], bf[ni]))

// Each half an MMA whose A fragment has the other half's words zeroed (no brace initialisers: their commas would
// split the macro argument).
#define MMQ_HALF_PRODUCTS(k)                                                                                    \
    MMQ_FRAGMENTS(k)                                                                                            \
    MMQ_SCALE_TILES(k, 1, {                                                                                     \
        int lo[4];                                                                                              \
        int hi[4];                                                                                              \
        lo[0] = a[mi][0];                                                                                       \
        lo[1] = a[mi][1];                                                                                       \
        lo[2] = 0;                                                                                              \
        lo[3] = 0;                                                                                              \
        hi[0] = 0;                                                                                              \
        hi[1] = 0;                                                                                              \
        hi[2] = a[mi][2];                                                                                       \
        hi[3] = a[mi][3];                                                                                       \
        mma_s8(c, lo, bf[ni]);                                                                                  \
        mma_s8(c2, hi, bf[ni]);                                                                                 \
    })
#else
// 16 int8 products: words 0..3 of a staged group (or 4..7 from pointers 4 words on).
inline int mmq_dot_half(local const int* w, local const int* x) {
    int s = 0;
    for (int j = 0; j < 4; j++) s = dot4(w[j], x[j], s);
    return s;
}

// The lane's four C values (rows gid, gid + 8 x tokens 2 tid, 2 tid + 1), each by DOT(weights, activations).
#define MMQ_DOT_TILE(k, DOT)                                                                                    \
    local const int* w0 = ws + (wr + mi * 16 + gid) * MMQ_STRIDE + (k) * 8;                                     \
    local const int* x0 = xs + (wt + ni * 8 + 2 * tid) * MMQ_STRIDE + (k) * 8;                                  \
    _Pragma("unroll") for (int i = 0; i < 4; i++) {                                                           \
        local const int* wi = w0 + (i >= 2 ? 8 * MMQ_STRIDE : 0);                                               \
        local const int* xi = x0 + ((i & 1) ? MMQ_STRIDE : 0);                                                  \
        DOT;                                                                                                    \
    }

#define MMQ_GROUP_PRODUCT(k) MMQ_SCALE_TILES(k, 0, { MMQ_DOT_TILE(k, c[i] = mmq_dot_group(wi, xi)) })

#define MMQ_HALF_PRODUCTS(k)                                                                                    \
    MMQ_SCALE_TILES(k, 1, { MMQ_DOT_TILE(k, { c[i] = mmq_dot_half(wi, xi); c2[i] = mmq_dot_half(wi + 4, xi + 4); }) })
#endif

// For each tile (mi, ni): PRODUCT fills c[4] (the lane's C fragment, and with HALVES c2[4] for the second half),
// then acc += d_w * d_x * c, or with HALVES acc += d_x * (d_lo * c + d_hi * c2).
#define MMQ_SCALE_TILES(k, HALVES, PRODUCT)                                                                     \
    float dw[2][2];                                                                                             \
    float dh[2][2];                                                                                             \
    float dx[4][2];                                                                                             \
    _Pragma("unroll") for (int mi = 0; mi < 2; mi++) {                                                        \
        dw[mi][0] = wd[(wr + mi * 16 + gid) * MMQ_STEP + (k)];                                                  \
        dw[mi][1] = wd[(wr + mi * 16 + gid + 8) * MMQ_STEP + (k)];                                              \
        dh[mi][0] = HALVES ? w2[(wr + mi * 16 + gid) * MMQ_STEP + (k)] : 0.0f;                                  \
        dh[mi][1] = HALVES ? w2[(wr + mi * 16 + gid + 8) * MMQ_STEP + (k)] : 0.0f;                              \
    }                                                                                                           \
    _Pragma("unroll") for (int ni = 0; ni < 4; ni++) {                                                        \
        dx[ni][0] = xds[(wt + ni * 8 + 2 * tid) * MMQ_STEP + (k)];                                              \
        dx[ni][1] = xds[(wt + ni * 8 + 2 * tid + 1) * MMQ_STEP + (k)];                                          \
    }                                                                                                           \
    _Pragma("unroll") for (int mi = 0; mi < 2; mi++) {                                                        \
        _Pragma("unroll") for (int ni = 0; ni < 4; ni++) {                                                    \
            int c[4];                                                                                           \
            int c2[4];                                                                                          \
            PRODUCT;                                                                                            \
            _Pragma("unroll") for (int i = 0; i < 4; i++) {                                                   \
                const float d_w = dw[mi][i >> 1];                                                               \
                const float d_x = dx[ni][i & 1];                                                                \
                acc[mi][ni][i] += HALVES                                                                        \
                        ? d_x * (d_w * (float) c[i] + dh[mi][i >> 1] * (float) c2[i])                           \
                        : d_w * d_x * (float) c[i];                                                             \
            }                                                                                                   \
        }                                                                                                       \
    }

// acc += (8 s - m)[row] * sum(x)[token] for group k (types with an offset term).
#define MMQ_OFFSET_TERMS(k)                                                                                     \
    {                                                                                                           \
        _Pragma("unroll") for (int mi = 0; mi < 2; mi++) {                                                    \
            const float m0 = w2[(wr + mi * 16 + gid) * MMQ_STEP + (k)];                                         \
            const float m1 = w2[(wr + mi * 16 + gid + 8) * MMQ_STEP + (k)];                                     \
            _Pragma("unroll") for (int ni = 0; ni < 4; ni++) {                                                \
                const float x0 = xss[(wt + ni * 8 + 2 * tid) * MMQ_STEP + (k)];                                 \
                const float x1 = xss[(wt + ni * 8 + 2 * tid + 1) * MMQ_STEP + (k)];                             \
                acc[mi][ni][0] += m0 * x0;                                                                      \
                acc[mi][ni][1] += m0 * x1;                                                                      \
                acc[mi][ni][2] += m1 * x0;                                                                      \
                acc[mi][ni][3] += m1 * x1;                                                                      \
            }                                                                                                   \
        }                                                                                                       \
    }

DEFINE_MUL_MMQ(q4_0, 0, 0)
DEFINE_MUL_MMQ(q8_0, 0, 0)
DEFINE_MUL_MMQ(q4_k, 1, 0)
DEFINE_MUL_MMQ(q6_k, 0, 1)
