// Matrix-vector products of Q4_0 / Q8_0 weights with the Q8 activations of a few tokens (2 to 31: batched decode of
// several streams), on NVIDIA through the tensor cores (mma.sync m16n8k32, int8 in, int32 out): the small-batch
// counterpart of mul_mm_q8.cl, without its local-memory tiles.
//
// Why: mul_mv_q8.cl's dp4a kernels multiply every weight once per token in the ALUs, so 16 streams of 8B Q4_0 were
// compute-bound (a 16-token step's gate/up product took 4x a single token's). One MMA multiplies 16 rows x 8 tokens
// over a 32-weight group in one instruction; with the tokens as its n side the weights are read once a pass of
// MMV_TOKENS tokens, as in a single-token decode, and the tensor cores have ample room for the rest. Measured on an
// H100 (docs/performance.md step 33): 16 streams of 8B Q4_0 977 tok/s in all against 682, a step's products 6.0 ms
// against 13.1. A single token stays on the dp4a kernels, which read its weights faster (241 tok/s against 179).
//
// Fragments straight from global memory. A 32-weight group is one MMA's K = 32, and a lane's share of an A fragment
// (m16 x k32, row major) is K words tid and tid + 4 of rows gid and gid + 8 (gid = lane / 4, tid = lane % 4; a word
// = 4 int8 along K); with K permuted as the fragment words below describe, they are one 8-byte load for Q8_0 and for
// Q4_0 (half of whose nibbles a lane uses: the four lanes of a row read its 16-byte block twice over, from L1), and
// over MMV_UNROLL consecutive groups a warp reads 16 rows x MMV_UNROLL x 16 contiguous bytes a row (32 for Q8_0). A B
// fragment (k32 x n8) is two words of token gid's group, one 8-byte load.
// The C fragment (m16 x n8 int32) holds rows gid, gid + 8 x tokens 2 tid, 2 tid + 1 (see mul_mm_q8.cl's header); each
// int32 is scaled by its row's and token's group scales into float accumulators, as mul_mm_q8.cl does.
//
// Work-group: MMV_WARPS warps; a warp computes a 16-row tile (for the gated kernel a gate tile and the matching up
// tile) for MMV_TOKENS = 8 x MMV_TILES tokens a pass. `split` warps share a row tile's groups, each taking rounds of
// MMV_UNROLL consecutive groups (all of a round's loads issued before its MMAs), and their sums meet in local memory.
// The host picks split = min(MMV_WARPS, rounds of the row) as a power of two. A round past the last group clamps its
// loads to the last group and zeroes its weight scales, so every lane runs the same code (MMA needs the whole warp).
// Without WEBLLM_PTX (or with -Dwebllm.mma=false) each lane computes the same four C values with dot4 from every
// lane's fragment words, so all but the MMA instruction itself (fragment loads, placement, scaling, clamping, split
// sums, edges) is what PoCL tests. The host uses these kernels only where they run on tensor cores.
// Launch: global = ceil(nrows / (16 x MMV_WARPS / split)) x MMV_WARPS x 32, local = MMV_WARPS x 32.

#ifndef MMV_WARPS
#define MMV_WARPS 8
#endif
#ifndef MMV_TILES
#define MMV_TILES 2
#endif
#ifndef MMV_UNROLL
#define MMV_UNROLL 4
#endif
#define MMV_TOKENS (8 * MMV_TILES)

// Fragment words. An MMA pairs lane tid's A words a0/a1 (K word tid) and a2/a3 (K word tid + 4) with its B words b0
// (K word tid) and b1 (K word tid + 4). Any order of the 32 K values serves, as long as A and B share it: here K words
// tid and tid + 4 of the MMA are words 2 tid and 2 tid + 1 of the group in memory, so a lane's two B words are one
// 8-byte load of its token's group, and a Q8_0 lane's two A words one 8-byte load of its row's block. A Q4_0 block
// holds weights j and j + 16 in byte j's nibbles, so its words 2 tid, 2 tid + 1 (weights 8 tid .. 8 tid + 7) are the
// low nibbles (tid < 2) or the high ones (tid >= 2) of the block's uints 2 (tid % 2) and 2 (tid % 2) + 1.

// A lane's two A words of a block: words 2 tid and 2 tid + 1 of its 32 int8 weights.
inline int2 mmv_words_q4_0(global const uchar* W, ulong block, int tid) {
    const uint2 u = ((global const uint2*) W)[block * 2 + (tid & 1)];
    const int shift = (tid >> 1) * 4;
    const uint m = 0x0F0F0F0Fu;
    return (int2) (q4_bytes((u.x >> shift) & m), q4_bytes((u.y >> shift) & m));
}

// The matrix's block scales (quants.cl: after every block's quants), one half a block.
inline global const half* mmv_scales_q4_0(global const uchar* W, ulong nblocks) {
    return (global const half*) (W + nblocks * 16);
}

inline int2 mmv_words_q8_0(global const uchar* W, ulong block, int tid) {
    return ((global const int2*) W)[block * 4 + tid];
}

inline global const half* mmv_scales_q8_0(global const uchar* W, ulong nblocks) {
    return (global const half*) (W + nblocks * 32);
}

// A lane's two B words of activation group xg: words 2 tid and 2 tid + 1 of its 32 int8 quants.
inline int2 mmv_bwords(global const char* xq, ulong xg, int tid) {
    return ((global const int2*) xq)[xg * 4 + tid];
}

// The scales of a round (groups c .. c + MMV_UNROLL - 1): dw[u][m][0], dw[u][m][1] those of rows ra and rb (the lane's
// rows gid and gid + 8 of its tile) of matrix MATRIX(m) in group c + u, zero past the last group, so that a round's
// clamped loads count for nothing; dx[u][j][k] that of token t0 + 8 j + 2 tid + k (the lane's C columns of tile j).
// Where groups and x_groups are multiples of 4 (`quads`: every model's rows) four groups' scales are one load, 8
// bytes of a row's halves and 32 bytes of a token's {d, d * sum} pairs, instead of four: the fragment loads are
// already 4 bytes a lane, and load instructions rather than bytes limit these kernels.
#define MMV_SCALES(TYPE, M, MATRIX)                                                                             \
    float dw[MMV_UNROLL][M][2];                                                                                 \
    float dx[MMV_UNROLL][MMV_TILES][2];                                                                         \
    if (quads) {                                                                                                \
        _Pragma("unroll") for (int q = 0; q < MMV_UNROLL / 4; q++) {                                          \
            const int g4 = min(c + 4 * q, groups - 4);                                                          \
            const float live = c + 4 * q < groups ? 1.0f : 0.0f;                                                \
            _Pragma("unroll") for (int m = 0; m < M; m++) {                                                   \
                global const half* d = mmv_scales_##TYPE(MATRIX(m), nblocks);                                   \
                const float4 sa = live * vloada_half4(((ulong) ra * groups + g4) / 4, d);                       \
                const float4 sb = live * vloada_half4(((ulong) rb * groups + g4) / 4, d);                       \
                MMV_SPREAD4(dw, 4 * q, [m][0], sa.x, sa.y, sa.z, sa.w)                                          \
                MMV_SPREAD4(dw, 4 * q, [m][1], sb.x, sb.y, sb.z, sb.w)                                          \
            }                                                                                                   \
            _Pragma("unroll") for (int j = 0; j < MMV_TILES; j++) {                                           \
                const int tc = t0 + 8 * j + 2 * tid;                                                            \
                global const float8* xd8 = (global const float8*) xd;                                           \
                const float8 x0 = xd8[((ulong) min(tc, ntok - 1) * x_groups + g4) / 4];                         \
                const float8 x1 = xd8[((ulong) min(tc + 1, ntok - 1) * x_groups + g4) / 4];                     \
                MMV_SPREAD4(dx, 4 * q, [j][0], x0.s0, x0.s2, x0.s4, x0.s6)                                      \
                MMV_SPREAD4(dx, 4 * q, [j][1], x1.s0, x1.s2, x1.s4, x1.s6)                                      \
            }                                                                                                   \
        }                                                                                                       \
    }                                                                                                           \
    if (!quads) {                                                                                               \
        _Pragma("unroll") for (int u = 0; u < MMV_UNROLL; u++) {                                              \
            const int g = min(c + u, groups - 1);                                                               \
            const float live = c + u < groups ? 1.0f : 0.0f;                                                    \
            _Pragma("unroll") for (int m = 0; m < M; m++) {                                                   \
                global const half* d = mmv_scales_##TYPE(MATRIX(m), nblocks);                                   \
                dw[u][m][0] = live * vload_half((ulong) ra * groups + g, d);                                    \
                dw[u][m][1] = live * vload_half((ulong) rb * groups + g, d);                                    \
            }                                                                                                   \
            _Pragma("unroll") for (int j = 0; j < MMV_TILES; j++) {                                           \
                const int tc = t0 + 8 * j + 2 * tid;                                                            \
                dx[u][j][0] = xd[(ulong) min(tc, ntok - 1) * x_groups + g].x;                                   \
                dx[u][j][1] = xd[(ulong) min(tc + 1, ntok - 1) * x_groups + g].x;                               \
            }                                                                                                   \
        }                                                                                                       \
    }

// A[U0 + k]INDEX = Vk for k = 0..3 (U0 + 3 < MMV_UNROLL wherever the quads branch runs).
#define MMV_SPREAD4(A, U0, INDEX, V0, V1, V2, V3)                                                               \
    A[(U0)] INDEX = (V0);                                                                                       \
    A[(U0) + 1] INDEX = (V1);                                                                                   \
    A[(U0) + 2] INDEX = (V2);                                                                                   \
    A[(U0) + 3] INDEX = (V3);

// One round: groups c .. c + MMV_UNROLL - 1 of the lane's rows for the pass's tokens t0 .., added to acc[m][j][i]
// (matrix m, token tile j, C value i) for each of the M matrices MATRIX(m). Tokens past ntok read the last token's
// activations; their sums are never stored.
#if MMQ_TENSOR_CORES
#define MMV_ROUND(TYPE, M, MATRIX)                                                                              \
    {                                                                                                           \
        int a[MMV_UNROLL][M][4];                                                                                \
        int b[MMV_UNROLL][MMV_TILES][2];                                                                        \
        _Pragma("unroll") for (int u = 0; u < MMV_UNROLL; u++) {                                              \
            const int g = min(c + u, groups - 1);                                                               \
            _Pragma("unroll") for (int m = 0; m < M; m++) {                                                   \
                const int2 wa = mmv_words_##TYPE(MATRIX(m), (ulong) ra * groups + g, tid);                      \
                const int2 wb = mmv_words_##TYPE(MATRIX(m), (ulong) rb * groups + g, tid);                      \
                a[u][m][0] = wa.x;                                                                              \
                a[u][m][1] = wb.x;                                                                              \
                a[u][m][2] = wa.y;                                                                              \
                a[u][m][3] = wb.y;                                                                              \
            }                                                                                                   \
            _Pragma("unroll") for (int j = 0; j < MMV_TILES; j++) {                                           \
                const int tb = min(t0 + 8 * j + gid, ntok - 1);                                                 \
                const int2 bw = mmv_bwords(xq, (ulong) tb * x_groups + g, tid);                                 \
                b[u][j][0] = bw.x;                                                                              \
                b[u][j][1] = bw.y;                                                                              \
            }                                                                                                   \
        }                                                                                                       \
        MMV_SCALES(TYPE, M, MATRIX)                                                                             \
        _Pragma("unroll") for (int u = 0; u < MMV_UNROLL; u++)                                                \
            _Pragma("unroll") for (int m = 0; m < M; m++)                                                     \
                _Pragma("unroll") for (int j = 0; j < MMV_TILES; j++) {                                       \
                    int cc[4];                                                                                  \
                    mma_s8(cc, a[u][m], b[u][j]);                                                               \
                    _Pragma("unroll") for (int i = 0; i < 4; i++)                                             \
                        acc[m][j][i] += dw[u][m][i >> 1] * dx[u][j][i & 1] * (float) cc[i];                     \
                }                                                                                               \
    }
#else
// Each lane computes its four C values as the MMA would from the fragments of the lanes that hold them: C[r][n] =
// sum over tid of A words (row r, lane tid) . B words (token n, lane tid), through the same word loaders. So PoCL tests
// the loaders' addressing and their pairing of A with B (a permutation of K that A and B did not share would fail).
#define MMV_ROUND(TYPE, M, MATRIX)                                                                              \
    {                                                                                                           \
        MMV_SCALES(TYPE, M, MATRIX)                                                                             \
        _Pragma("unroll") for (int u = 0; u < MMV_UNROLL; u++) {                                              \
            const int g = min(c + u, groups - 1);                                                               \
            _Pragma("unroll") for (int m = 0; m < M; m++)                                                     \
                _Pragma("unroll") for (int j = 0; j < MMV_TILES; j++) {                                       \
                    const int tc = t0 + 8 * j + 2 * tid;                                                        \
                    _Pragma("unroll") for (int i = 0; i < 4; i++) {                                           \
                        const ulong block = (ulong) (i < 2 ? ra : rb) * groups + g;                             \
                        const ulong xg = (ulong) min(tc + (i & 1), ntok - 1) * x_groups + g;                    \
                        int dot = 0;                                                                            \
                        for (int lane_tid = 0; lane_tid < 4; lane_tid++) {                                      \
                            const int2 aw = mmv_words_##TYPE(MATRIX(m), block, lane_tid);                       \
                            const int2 bw = mmv_bwords(xq, xg, lane_tid);                                       \
                            dot = dot4(aw.x, bw.x, dot4(aw.y, bw.y, dot));                                      \
                        }                                                                                       \
                        acc[m][j][i] += dw[u][m][i >> 1] * dx[u][j][i & 1] * (float) dot;                       \
                    }                                                                                           \
                }                                                                                               \
        }                                                                                                       \
    }
#endif

// One pass over the weights for tokens t0 .. t0 + MMV_TOKENS - 1: afterwards the slice-0 warp of each row tile holds
// the tile's sums in acc (its split warps' parts added through `part`). Every work-item runs it (barriers).
#define MMV_PASS(TYPE, M, MATRIX)                                                                               \
    float acc[M][MMV_TILES][4];                                                                                 \
    _Pragma("unroll") for (int m = 0; m < M; m++)                                                             \
        _Pragma("unroll") for (int j = 0; j < MMV_TILES; j++)                                                 \
            _Pragma("unroll") for (int i = 0; i < 4; i++) acc[m][j][i] = 0.0f;                                \
    for (int c = slice * MMV_UNROLL; c < groups; c += split * MMV_UNROLL) MMV_ROUND(TYPE, M, MATRIX)            \
    _Pragma("unroll") for (int m = 0; m < M; m++)                                                             \
        _Pragma("unroll") for (int j = 0; j < MMV_TILES; j++)                                                 \
            _Pragma("unroll") for (int i = 0; i < 4; i++)                                                     \
                part[(((warp * M + m) * MMV_TILES + j) * 4 + i) * 32 + lane] = acc[m][j][i];                    \
    barrier(CLK_LOCAL_MEM_FENCE);                                                                               \
    if (slice == 0)                                                                                             \
        for (int k = 1; k < split; k++)                                                                         \
            _Pragma("unroll") for (int m = 0; m < M; m++)                                                     \
                _Pragma("unroll") for (int j = 0; j < MMV_TILES; j++)                                         \
                    _Pragma("unroll") for (int i = 0; i < 4; i++)                                             \
                        acc[m][j][i] += part[((((warp + k) * M + m) * MMV_TILES + j) * 4 + i) * 32 + lane];     \
    barrier(CLK_LOCAL_MEM_FENCE); /* part is reused by the next pass */

// The work-item's place: lane, warp, its slice of the groups, its tile's first row, and its two rows (clamped: a
// tile past the last row reads the last row and stores nothing).
#define MMV_PLACE(M)                                                                                            \
    local float part[MMV_WARPS * M * MMV_TILES * 4 * 32];                                                       \
    const int lane = get_local_id(0) % 32;                                                                      \
    const int warp = get_local_id(0) / 32;                                                                      \
    const int gid = lane / 4;                                                                                   \
    const int tid = lane % 4;                                                                                   \
    const int slice = warp % split;                                                                             \
    const int row0 = (get_group_id(0) * (MMV_WARPS / split) + warp / split) * 16;                               \
    const int ra = min(row0 + gid, nrows - 1);                                                                  \
    const int rb = min(row0 + gid + 8, nrows - 1);                                                              \
    const int groups = ncols / GROUP;                                                                           \
    const ulong nblocks = (ulong) nrows * groups;                                                               \
    const int quads = groups % 4 == 0 && x_groups % 4 == 0 && MMV_UNROLL % 4 == 0;

// For each of the lane's C values of the pass (row `row`, token `token` in range): STORE.
#define MMV_EACH_OUTPUT(STORE)                                                                                  \
    if (slice == 0)                                                                                             \
        _Pragma("unroll") for (int j = 0; j < MMV_TILES; j++)                                                 \
            _Pragma("unroll") for (int i = 0; i < 4; i++) {                                                   \
                const int row = row0 + gid + (i >= 2 ? 8 : 0);                                                  \
                const int token = t0 + 8 * j + 2 * tid + (i & 1);                                               \
                if (row < nrows && token < ntok) STORE;                                                         \
            }

#define MMV_ONE(m) W

// y[token][y_off + row] (+)= W[row] . x[token] (+ bias[row]); arguments as kernel_mul_mvq_*'s first fifteen.
#define DEFINE_MUL_MVQ_MMA(TYPE)                                                                                \
kernel void kernel_mul_mvq_mma_##TYPE(                                                                          \
        global const uchar* W, int ncols, ulong row_bytes, int nrows,                                           \
        global const char* xq, int x_groups,                                                                    \
        global float* y, int y_off, int y_stride,                                                               \
        int ntok, global const float* bias, int has_bias, int accumulate, global const float2* xd, int split) { \
    MMV_PLACE(1)                                                                                                \
    for (int t0 = 0; t0 < ntok; t0 += MMV_TOKENS) {                                                             \
        MMV_PASS(TYPE, 1, MMV_ONE)                                                                              \
        MMV_EACH_OUTPUT({                                                                                       \
            global float* out = y + y_off + (ulong) token * y_stride + row;                                     \
            const float v = acc[0][j][i] + (has_bias ? bias[row] : 0.0f);                                       \
            *out = accumulate ? *out + v : v;                                                                   \
        })                                                                                                      \
    }                                                                                                           \
}

#define MMV_GATE_UP(m) ((m) ? Wu : Wg)

// y[token][row] = silu(Wg[row] . x[token]) * (Wu[row] . x[token]): each warp a gate tile and the up tile of the
// same rows, whose C values sit in the same lanes and places; arguments as kernel_mul_mv_gluq_*'s first twelve.
#define DEFINE_MUL_MV_GLU_MMA(TYPE)                                                                             \
kernel void kernel_mul_mv_glu_mma_##TYPE(                                                                       \
        global const uchar* Wg, global const uchar* Wu, int ncols, ulong row_bytes, int nrows,                  \
        global const char* xq, int x_groups, global float* y, int y_stride, int ntok,                           \
        global const float2* xd, int split) {                                                                   \
    MMV_PLACE(2)                                                                                                \
    for (int t0 = 0; t0 < ntok; t0 += MMV_TOKENS) {                                                             \
        MMV_PASS(TYPE, 2, MMV_GATE_UP)                                                                          \
        MMV_EACH_OUTPUT({                                                                                       \
            const float g = acc[0][j][i];                                                                       \
            y[(ulong) token * y_stride + row] = g / (1.0f + exp(-g)) * acc[1][j][i];                            \
        })                                                                                                      \
    }                                                                                                           \
}

DEFINE_MUL_MVQ_MMA(q4_0)
DEFINE_MUL_MVQ_MMA(q8_0)
DEFINE_MUL_MV_GLU_MMA(q4_0)
DEFINE_MUL_MV_GLU_MMA(q8_0)
