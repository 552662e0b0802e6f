// Matrix-vector products of Q4_0 / Q8_0 weights (device layout, quants.cl) with Q8 activations (q8.cl): integer dot
// products, four weights an instruction, one float multiply-add per 32-weight group.
//
// As in mul_mv_packed.cl each warp computes PK_ROWS rows and each lane one 32-weight group of them at a time, so
// one load of x serves PK_ROWS rows. Unlike there, x needs no staging: a lane's group of x is 32 aligned bytes, and
// consecutive lanes read consecutive groups, so every x load is one coalesced, cached 1 KiB read per warp. With no
// barriers in the loop the weight loads of successive iterations can be in flight together.
//
// Split: the `split` warps of a row set share its columns (warp w takes groups w * 32 + lane, then every 32 * split),
// and their sums meet in local memory. A 4096 x 4096 matrix with one warp per row set runs 1,024 warps: under 8 per
// SM of an H100, too few loads in flight to reach its bandwidth; split 4 gives 4,096 warps, each lane still one
// group a round. The host picks split = min(PK_WARPS, groups / 32) as a power of two.
// Launch: global = ceil(nrows / (PK_ROWS * PK_WARPS / split)) * PK_WARPS * MV_LANES, local = PK_WARPS * MV_LANES.

// Q4_0 group (bytes j = 0..15: weight j in the low nibble, j + 16 in the high one, offset 8) times a Q8 group:
// d_w * (d_x * sum(q_w * q_x) - 8 * d_x * sum(q_x)).
inline float dotq_q4_0(uint4 q, float d, int8 x, float2 xd) {
    const uint m = 0x0F0F0F0Fu;
    int s = dot4(q.x & m, x.s0, 0);
    s = dot4(q.y & m, x.s1, s);
    s = dot4(q.z & m, x.s2, s);
    s = dot4(q.w & m, x.s3, s);
    s = dot4((q.x >> 4) & m, x.s4, s);
    s = dot4((q.y >> 4) & m, x.s5, s);
    s = dot4((q.z >> 4) & m, x.s6, s);
    s = dot4((q.w >> 4) & m, x.s7, s);
    return d * (xd.x * (float) s - 8.0f * xd.y);
}

// Q8_0 group: 32 signed bytes.
inline float dotq_q8_0(uint8 q, float d, int8 x, float2 xd) {
    int s = dot4(as_int(q.s0), x.s0, 0);
    s = dot4(as_int(q.s1), x.s1, s);
    s = dot4(as_int(q.s2), x.s2, s);
    s = dot4(as_int(q.s3), x.s3, s);
    s = dot4(as_int(q.s4), x.s4, s);
    s = dot4(as_int(q.s5), x.s5, s);
    s = dot4(as_int(q.s6), x.s6, s);
    s = dot4(as_int(q.s7), x.s7, s);
    return d * xd.x * (float) s;
}

// Once each work-item holds q[r], d[r] of group s for every row r: add each row's dot product with tokens t0 .. to
// acc[r][t]. x_groups: groups per token row of the activations.
#define PKQ_ACCUMULATE(TYPE)                                                                                    \
    _Pragma("unroll") for (int t = 0; t < PK_TOKENS; t++) {                                                   \
        if (t0 + t < ntok) {                                                                                    \
            const ulong xg = (ulong) (t0 + t) * x_groups + s;                                                   \
            const int8 xv = ((global const int8*) xq)[xg];                                                      \
            const float2 xs = xd[xg];                                                                           \
            _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++) acc[r][t] += dotq_##TYPE(q[r], d[r], xv, xs);  \
        }                                                                                                       \
    }

// The work-item's place: its lane, its warp's slice of the columns, and the first row of its warp's row set.
#define PKQ_PLACE(ROWS_PER_SET)                                                                                 \
    local float red[PK_WARPS * MV_LANES];                                                                       \
    local float part[PK_WARPS * PK_ROWS * PK_TOKENS];                                                           \
    PKQ_LANES_SCRATCH                                                                                           \
    const int lane = get_local_id(0) % MV_LANES;                                                                \
    const int warp = get_local_id(0) / MV_LANES;                                                                \
    const int slice = warp % split;                                                                             \
    const int row0 = (get_group_id(0) * (PK_WARPS / split) + warp / split) * (ROWS_PER_SET);                    \
    const int groups = ncols / GROUP;                                                                           \
    const ulong nblocks = (ulong) nrows * groups;

// Sums acc[r][t] over the lanes and then over the split warps of a row set: afterwards lane 0 of slice 0 holds the
// row set's totals in acc. Every work-item runs it.
#if defined(WEBLLM_PTX) && PK_ROWS * PK_TOKENS <= MV_LANES
// On NVIDIA a transposing butterfly: at each shuffle step a lane keeps half of its values (the upper half if its
// lane bit is set) and adds its partner's copy of that half, so N values over 32 lanes take N - 1 + (5 - log2 N)
// shuffles instead of 5 N (a sum per value): 6 instead of 20 for a decode step's 4 rows, 31 instead of 160 for 4
// rows x 8 tokens. Lane L then holds the total of value L / (32 / N); those lanes store it to `part`.
#define PKQ_LANES_SCRATCH
#define PKQ_BUTTERFLY(V, N)                                                                                     \
    {                                                                                                           \
        int n = (N);                                                                                            \
        _Pragma("unroll") for (int offset = MV_LANES / 2; offset > 0; offset >>= 1) {                         \
            if (n > 1) {                                                                                        \
                const int kept = n / 2; /* `half` is a type in OpenCL C */                                      \
                const int upper = (lane & offset) != 0;                                                         \
                _Pragma("unroll") for (int i = 0; i < kept; i++) {                                            \
                    const float send = upper ? V[i] : V[i + kept];                                              \
                    const float keep = upper ? V[i + kept] : V[i];                                              \
                    V[i] = keep + lane_xor(send, offset);                                                       \
                }                                                                                               \
                n = kept;                                                                                       \
            } else {                                                                                            \
                V[0] += lane_xor(V[0], offset);                                                                 \
            }                                                                                                   \
        }                                                                                                       \
    }

#define PKQ_LANE_SUMS_TO_PART()                                                                                 \
    if (ntok - t0 == 1) {                                                                                       \
        float v[PK_ROWS];                                                                                       \
        _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++) v[r] = acc[r][0];                                 \
        PKQ_BUTTERFLY(v, PK_ROWS)                                                                               \
        const int per = MV_LANES / PK_ROWS;                                                                     \
        if (lane % per == 0) part[(warp * PK_ROWS + lane / per) * PK_TOKENS] = v[0];                            \
    } else {                                                                                                    \
        float v[PK_ROWS * PK_TOKENS];                                                                           \
        _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++)                                                   \
            _Pragma("unroll") for (int t = 0; t < PK_TOKENS; t++) v[r * PK_TOKENS + t] = acc[r][t];           \
        PKQ_BUTTERFLY(v, PK_ROWS * PK_TOKENS)                                                                   \
        const int per = MV_LANES / (PK_ROWS * PK_TOKENS);                                                       \
        if (lane % per == 0) part[warp * PK_ROWS * PK_TOKENS + lane / per] = v[0];                              \
    }
#else
// Elsewhere through local memory with one barrier (a barrier per sum, as lane_sum has, made PoCL's compiler run
// for many minutes).
#define PKQ_LANES_SCRATCH local float lanes[PK_WARPS * PK_ROWS * PK_TOKENS * MV_LANES];
#define PKQ_LANE_SUMS_TO_PART()                                                                                 \
    _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++)                                                       \
        _Pragma("unroll") for (int t = 0; t < PK_TOKENS; t++)                                                 \
            lanes[((warp * PK_ROWS + r) * PK_TOKENS + t) * MV_LANES + lane] = acc[r][t];                        \
    barrier(CLK_LOCAL_MEM_FENCE);                                                                               \
    if (lane == 0) {                                                                                            \
        _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++)                                                   \
            _Pragma("unroll") for (int t = 0; t < PK_TOKENS; t++) {                                           \
                local const float* v = lanes + ((warp * PK_ROWS + r) * PK_TOKENS + t) * MV_LANES;               \
                float sum = 0.0f;                                                                               \
                for (int i = 0; i < MV_LANES; i++) sum += v[i];                                                 \
                part[(warp * PK_ROWS + r) * PK_TOKENS + t] = sum;                                               \
            }                                                                                                   \
    }
#endif

#define PKQ_REDUCE()                                                                                            \
    PKQ_LANE_SUMS_TO_PART()                                                                                     \
    barrier(CLK_LOCAL_MEM_FENCE);                                                                               \
    if (lane == 0 && slice == 0) {                                                                              \
        _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++)                                                   \
            _Pragma("unroll") for (int t = 0; t < PK_TOKENS; t++)                                             \
                acc[r][t] = part[(warp * PK_ROWS + r) * PK_TOKENS + t];                                         \
        for (int k = 1; k < split; k++)                                                                         \
            _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++)                                               \
                _Pragma("unroll") for (int t = 0; t < PK_TOKENS; t++)                                         \
                    acc[r][t] += part[((warp + k) * PK_ROWS + r) * PK_TOKENS + t];                              \
    }                                                                                                           \
    barrier(CLK_LOCAL_MEM_FENCE); /* part and lanes are reused by the next pass of tokens */

// One pass over the weights for tokens t0 .. t0 + PK_TOKENS - 1: afterwards lane 0 of slice 0 holds acc[r][t] for
// every row r of its row set. MATRIX and ROW are expressions of r: the weights row r reads and its row index.
#define PKQ_PASS(TYPE, QTYPE, QBYTES, MATRIX, ROW)                                                              \
    float acc[PK_ROWS][PK_TOKENS];                                                                              \
    for (int r = 0; r < PK_ROWS; r++) for (int t = 0; t < PK_TOKENS; t++) acc[r][t] = 0.0f;                     \
    for (int s = slice * MV_LANES + lane; s < groups; s += MV_LANES * split) {                                  \
        QTYPE q[PK_ROWS];                                                                                       \
        float d[PK_ROWS];                                                                                       \
        _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++) {                                                 \
            global const uchar* matrix = (MATRIX);                                                              \
            const ulong block = (ulong) min((ROW), nrows - 1) * groups + s;                                     \
            q[r] = ((global const QTYPE*) matrix)[block];                                                       \
            d[r] = vload_half(block, (global const half*) (matrix + nblocks * QBYTES));                         \
        }                                                                                                       \
        PKQ_ACCUMULATE(TYPE);                                                                                   \
    }                                                                                                           \
    PKQ_REDUCE();

#define DEFINE_MUL_MVQ(TYPE, QTYPE, QBYTES)                                                                     \
kernel void kernel_mul_mvq_##TYPE(                                                                              \
        global const uchar* W, int ncols, ulong row_bytes, int nrows,                                           \
        global const char* xq, int x_groups,                                                                    \
        global float* y, int y_off, int y_stride,                                                               \
        int ntok, global const float* bias, int has_bias, int accumulate, global const float2* xd, int split) { \
    PKQ_PLACE(PK_ROWS)                                                                                          \
    for (int t0 = 0; t0 < ntok; t0 += PK_TOKENS) {                                                              \
        PKQ_PASS(TYPE, QTYPE, QBYTES, W, row0 + r)                                                              \
        if (lane == 0 && slice == 0) {                                                                          \
            _Pragma("unroll") for (int t = 0; t < PK_TOKENS; t++) {                                           \
                _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++) {                                         \
                    const int row = row0 + r;                                                                   \
                    if (t0 + t < ntok && row < nrows) {                                                         \
                        const float sum = acc[r][t] + (has_bias ? bias[row] : 0.0f);                            \
                        global float* out = y + y_off + (ulong) (t0 + t) * y_stride + row;                      \
                        *out = accumulate ? *out + sum : sum;                                                   \
                    }                                                                                           \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
    }                                                                                                           \
}

// silu(W_gate x) * (W_up x): PK_ROWS / 2 output rows per row set, each reading its gate and its up row.
#define DEFINE_MUL_MV_GLUQ(TYPE, QTYPE, QBYTES)                                                                 \
kernel void kernel_mul_mv_gluq_##TYPE(                                                                          \
        global const uchar* Wg, global const uchar* Wu, int ncols, ulong row_bytes, int nrows,                  \
        global const char* xq, int x_groups, global float* y, int y_stride, int ntok,                           \
        global const float2* xd, int split) {                                                                   \
    PKQ_PLACE(PK_ROWS / 2)                                                                                      \
    for (int t0 = 0; t0 < ntok; t0 += PK_TOKENS) {                                                              \
        PKQ_PASS(TYPE, QTYPE, QBYTES, (r & 1) ? Wu : Wg, row0 + r / 2)                                          \
        if (lane == 0 && slice == 0) {                                                                          \
            _Pragma("unroll") for (int t = 0; t < PK_TOKENS; t++) {                                           \
                _Pragma("unroll") for (int r = 0; r < PK_ROWS; r += 2) {                                      \
                    const float g = acc[r][t];                                                                  \
                    if (t0 + t < ntok && row0 + r / 2 < nrows)                                                  \
                        y[(ulong) (t0 + t) * y_stride + row0 + r / 2] = g / (1.0f + exp(-g)) * acc[r + 1][t];   \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
    }                                                                                                           \
}

DEFINE_MUL_MVQ(q4_0, uint4, 16)
DEFINE_MUL_MVQ(q8_0, uint8, 32)
DEFINE_MUL_MV_GLUQ(q4_0, uint4, 16)
DEFINE_MUL_MV_GLUQ(q8_0, uint8, 32)
