// Matrix-vector products of Q4_0 / Q8_0 / Q4_K / Q6_K weights (device layouts, quants.cl) with Q8 activations
// (q8.cl): integer dot products, four weights an instruction, one or two float multiply-adds per 32-weight group.
// For the K-quants these are decode's kernels only: their prompts keep the tiled float kernels (mul_mm.cl).
//
// As in mul_mv_packed.cl each warp computes PK_ROWS rows and each lane one 32-weight group of them at a time, so
// one load of x serves PK_ROWS rows. Unlike there, x needs no staging: a lane's group of x is 32 aligned bytes, and
// consecutive lanes read consecutive groups, so every x load is one coalesced, cached 1 KiB read per warp. With no
// barriers in the loop the weight loads of successive iterations can be in flight together. A K-quant's per-256-weight
// scales are one load shared by 8 consecutive lanes, each lane decoding its own group's scale (and min) from them.
//
// Split: the `split` warps of a row set share its columns (warp w takes groups w * 32 + lane, then every 32 * split),
// and their sums meet in local memory. A 4096 x 4096 matrix with one warp per row set runs 1,024 warps: under 8 per
// SM of an H100, too few loads in flight to reach its bandwidth; split 4 gives 4,096 warps, each lane still one
// group a round. The host picks split = min(PK_WARPS, groups / 32) as a power of two.
// Launch: global = ceil(nrows / (PK_ROWS * PK_WARPS / split)) * PK_WARPS * MV_LANES, local = PK_WARPS * MV_LANES.

// Built twice (KernelLibrary): once with PK_TOKENS tokens a pass for prompts and batched decode, once with
// PK_TOKENS = 1 and PKQ_SINGLE_TOKEN for a single stream's decode, whose kernels end in _t1. A pass's accumulators are
// PK_ROWS x PK_TOKENS floats held for the whole kernel: for 8 tokens ptxas (sm_90) gives the Q4_0 matvec 225
// registers and 128 bytes of stack, one 256-work-item work-group an SM; for one token 64 registers, three or more.
// A decode matvec's speed is the loads it keeps in flight, so the single-token build is the one decode uses.
//
// Each product is an inline body taking its work-group's index and the local memory (PKQ_LOCALS, which only kernel
// scope may declare) that its kernel calls with get_group_id(0); the chained launches at the end of this file call
// several bodies in one launch.
#ifdef PKQ_SINGLE_TOKEN
#define PKQ_KERNEL(NAME) NAME##_t1
#else
#define PKQ_KERNEL(NAME) NAME
#endif

// Per type: wq_<type>, what a work-item holds of one weight group (quants and scales, in registers); loadq_<type>,
// its load from the device layout (quants.cl); xextra_<type>, what the type needs of each token's group of x beyond
// its quants and {d, d * sum} (computed once per token, shared by the PK_ROWS rows); dotq_<type>, the group's dot
// product with the token's group. All four types are exact integer sums scaled once per group (or half group).

// sum(q * x) over a group of nibbles packed as Q4_0 packs them (bytes j = 0..15: weight j low, j + 16 high).
inline int nibble_dot(uint4 q, int8 x) {
    const uint m = 0x0F0F0F0Fu;
    int s = dot4(q.x & m, x.s0, 0);
    s = dot4(q.y & m, x.s1, s);
    s = dot4(q.z & m, x.s2, s);
    s = dot4(q.w & m, x.s3, s);
    s = dot4((q.x >> 4) & m, x.s4, s);
    s = dot4((q.y >> 4) & m, x.s5, s);
    s = dot4((q.z >> 4) & m, x.s6, s);
    return dot4((q.w >> 4) & m, x.s7, s);
}

// Q4_0: nibbles offset by 8: d_w * (d_x * sum(q_w * q_x) - 8 * d_x * sum(q_x)).
typedef struct { uint4 q; float d; } wq_q4_0;

inline wq_q4_0 loadq_q4_0(global const uchar* W, ulong nblocks, ulong block) {
    wq_q4_0 w;
    w.q = weight_words((global const uint4*) W + block);
    w.d = weight_half((global const half*) (W + nblocks * 16) + block);
    return w;
}

inline int2 xextra_q4_0(int8 x) { return (int2) (0); }

inline float dotq_q4_0(wq_q4_0 w, int8 x, float2 xd, int2 xextra) {
    return w.d * (xd.x * (float) nibble_dot(w.q, x) - 8.0f * xd.y);
}

// Q8_0: 32 signed bytes.
typedef struct { uint8 q; float d; } wq_q8_0;

inline wq_q8_0 loadq_q8_0(global const uchar* W, ulong nblocks, ulong block) {
    wq_q8_0 w;
    const uint4 lo = weight_words((global const uint4*) W + 2 * block);
    const uint4 hi = weight_words((global const uint4*) W + 2 * block + 1);
    w.q = (uint8) (lo, hi);
    w.d = weight_half((global const half*) (W + nblocks * 32) + block);
    return w;
}

inline int2 xextra_q8_0(int8 x) { return (int2) (0); }

inline float dotq_q8_0(wq_q8_0 w, int8 x, float2 xd, int2 xextra) {
    const uint8 q = w.q;
    int s = dot4(as_int(q.s0), x.s0, 0);
    s = dot4(as_int(q.s1), x.s1, s);
    s = dot4(as_int(q.s2), x.s2, s);
    s = dot4(as_int(q.s3), x.s3, s);
    s = dot4(as_int(q.s4), x.s4, s);
    s = dot4(as_int(q.s5), x.s5, s);
    s = dot4(as_int(q.s6), x.s6, s);
    s = dot4(as_int(q.s7), x.s7, s);
    return w.d * xd.x * (float) s;
}

// Q4_K: weight = (d * scale) * q - dmin * min per group, so the dot is (d * scale) * d_x * sum(q * q_x) -
// (dmin * min) * d_x * sum(q_x), the second sum being the Q8 activations' own d * sum(q).
typedef struct { uint4 q; float2 sm; } wq_q4_k;

inline wq_q4_k loadq_q4_k(global const uchar* W, ulong nblocks, ulong block) {
    wq_q4_k w;
    w.q = ((global const uint4*) W)[block];
    w.sm = q4_k_scale_min(W, nblocks, block);
    return w;
}

inline int2 xextra_q4_k(int8 x) { return (int2) (0); }

inline float dotq_q4_k(wq_q4_k w, int8 x, float2 xd, int2 xextra) {
    return w.sm.x * xd.x * (float) nibble_dot(w.q, x) - w.sm.y * xd.y;
}

// Q6_K: weight = d * scale_h * (q - 32) with a scale per 16-weight half h, so per half sum(q * q_x) - 32 sum(q_x):
// the halves' sum(q_x) are each token's xextra. The sums stay integers up to the one multiply by d * d_x.
typedef struct { uint4 ql; uint2 qh; int2 sc; float d; } wq_q6_k;

inline wq_q6_k loadq_q6_k(global const uchar* W, ulong nblocks, ulong block) {
    wq_q6_k w;
    w.ql = ((global const uint4*) W)[block];
    w.qh = ((global const uint2*) Q6_K_HIGH(W, nblocks))[block];
    w.sc = convert_int2(vload2(block, Q6_K_SCALES(W, nblocks)));
    w.d = vload_half(block >> 3, Q6_K_D(W, nblocks));
    return w;
}

// sum(q_x) of values 0..15 and 16..31.
inline int2 xextra_q6_k(int8 x) {
    const int ones = 0x01010101;
    return (int2) (dot4(ones, x.s3, dot4(ones, x.s2, dot4(ones, x.s1, dot4(ones, x.s0, 0)))),
                   dot4(ones, x.s7, dot4(ones, x.s6, dot4(ones, x.s5, dot4(ones, x.s4, 0)))));
}

// Four 6-bit weights (bytes 0..63) from a word of low nibbles and the word of top-bit pairs at bits 2k of each byte.
#define Q6_WORD(LOW, HIGH, K) (((LOW) & 0x0F0F0F0Fu) | ((((HIGH) >> (2 * (K))) & 0x03030303u) << 4))

inline float dotq_q6_k(wq_q6_k w, int8 x, float2 xd, int2 xextra) {
    int lo = dot4(Q6_WORD(w.ql.x, w.qh.x, 0), x.s0, 0);
    lo = dot4(Q6_WORD(w.ql.y, w.qh.x, 1), x.s1, lo);
    lo = dot4(Q6_WORD(w.ql.z, w.qh.x, 2), x.s2, lo);
    lo = dot4(Q6_WORD(w.ql.w, w.qh.x, 3), x.s3, lo);
    int hi = dot4(Q6_WORD(w.ql.x >> 4, w.qh.y, 0), x.s4, 0);
    hi = dot4(Q6_WORD(w.ql.y >> 4, w.qh.y, 1), x.s5, hi);
    hi = dot4(Q6_WORD(w.ql.z >> 4, w.qh.y, 2), x.s6, hi);
    hi = dot4(Q6_WORD(w.ql.w >> 4, w.qh.y, 3), x.s7, hi);
    return w.d * xd.x * (float) (w.sc.x * (lo - 32 * xextra.x) + w.sc.y * (hi - 32 * xextra.y));
}

// Once each work-item holds w[r] of group s for every row r: add each row's dot product with tokens t0 .. to
// acc[r][t]. x_groups: groups per token row of the activations.
#define PKQ_ACCUMULATE(TYPE)                                                                                    \
    _Pragma("unroll") for (int t = 0; t < PK_TOKENS; t++) {                                                   \
        if (t0 + t < ntok) {                                                                                    \
            const ulong xg = (ulong) (t0 + t) * x_groups + s;                                                   \
            const int8 xv = ((global const int8*) xq)[xg];                                                      \
            const float2 xs = xd[xg];                                                                           \
            const int2 xe = xextra_##TYPE(xv);                                                                  \
            _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++) acc[r][t] += dotq_##TYPE(w[r], xv, xs, xe);    \
        }                                                                                                       \
    }

// The local memory of a Q8 matvec work-group, declared at kernel scope (OpenCL C allows local variables nowhere
// else) and handed to the product bodies below as PKQ_LOCAL_PARAMS.
#define PKQ_LOCALS                                                                                              \
    local float red[PK_WARPS * MV_LANES];                                                                       \
    local float part[PK_WARPS * PK_ROWS * PK_TOKENS];                                                           \
    local float lanes[PKQ_LANES_SIZE];                                                                          \
    local int last[PK_TOKENS];
#define PKQ_LOCAL_PARAMS local float* red, local float* part, local float* lanes, local int* last
#define PKQ_LOCAL_ARGS red, part, lanes, last
// A kernel that runs product body BODY (parameters PARAMS(), arguments ARGS()) as its own work-group.
#define DEFINE_PKQ_KERNEL(KERNEL, BODY, PARAMS, ARGS)                                                           \
kernel void PKQ_KERNEL(KERNEL)(PARAMS()) {                                                                      \
    PKQ_LOCALS                                                                                                  \
    PKQ_KERNEL(BODY)(get_group_id(0), ARGS(), PKQ_LOCAL_ARGS);                                                  \
}

// The same with each work-group walking the product's work-groups `walk_groups` of them, the launch's count apart
// (kernels ending in _walk_<type>_t1, single-token build; -Dwebllm.mv.walk sets the launch's work-groups an SM):
// warps live for several row sets instead of one, and the launch is a resident grid instead of waves of
// short-lived work-groups. Every work-item of a work-group walks the same groups, so the bodies' barriers hold.
#define DEFINE_PKQ_WALK_KERNEL(KERNEL, BODY, PARAMS, ARGS)                                                      \
kernel void PKQ_KERNEL(KERNEL)(PARAMS(), int walk_groups) {                                                     \
    PKQ_LOCALS                                                                                                  \
    for (int g = get_group_id(0); g < walk_groups; g += get_num_groups(0))                                      \
        PKQ_KERNEL(BODY)(g, ARGS(), PKQ_LOCAL_ARGS);                                                            \
}

// The work-item's place in work-group `group` of its product: its lane, its warp's slice of the columns, and the
// first row of its warp's row set.
#define PKQ_PLACE(ROWS_PER_SET, GROUP_ID)                                                                       \
    const int lane = get_local_id(0) % MV_LANES;                                                                \
    const int warp = get_local_id(0) / MV_LANES;                                                                \
    const int slice = warp % split;                                                                             \
    const int row0 = ((GROUP_ID) * (PK_WARPS / split) + warp / split) * (ROWS_PER_SET);                         \
    const int groups = ncols / GROUP;                                                                           \
    const ulong nblocks = (ulong) nrows * groups;

// Sums acc[r][t] over the lanes and then over the split warps of a row set: afterwards lane 0 of slice 0 holds the
// row set's totals in acc. Every work-item runs it.
#if defined(WEBLLM_PTX) && PK_ROWS * PK_TOKENS <= MV_LANES
// On NVIDIA a transposing butterfly: at each shuffle step a lane keeps half of its values (the upper half if its
// lane bit is set) and adds its partner's copy of that half, so N values over 32 lanes take N - 1 + (5 - log2 N)
// shuffles instead of 5 N (a sum per value): 6 instead of 20 for a decode step's 4 rows, 31 instead of 160 for 4
// rows x 8 tokens. Lane L then holds the total of value L / (32 / N); those lanes store it to `part`.
#define PKQ_LANES_SIZE 1
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
#define PKQ_LANES_SIZE (PK_WARPS * PK_ROWS * PK_TOKENS * MV_LANES)
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
// PKQ_PASS_AHEAD loads the next round's weights before this round's are multiplied, so a lane keeps two rounds of
// loads in flight (the compiler does not hoist loads across iterations of a loop of unknown length); PKQ_PASS_DIRECT
// loads a round at a time. PKQ_PASS is the build's choice (PK_PREFETCH, -Dwebllm.mv.prefetch); the single-token build
// also has the residual products with loads ahead whatever it is (kernel_mul_mvq_ahead_*_t1, Tuning.loadsAhead):
// they hold 34 registers, room for a second round, where the gated product's 72 are not (on an H100 -Dwebllm.mv.prefetch=1
// slowed the 8B decode from 271 to 223 tok/s, the gated product most).
#define PKQ_PASS_AHEAD(TYPE, MATRIX, ROW)                                                                       \
    float acc[PK_ROWS][PK_TOKENS];                                                                              \
    for (int r = 0; r < PK_ROWS; r++) for (int t = 0; t < PK_TOKENS; t++) acc[r][t] = 0.0f;                     \
    {                                                                                                           \
        wq_##TYPE next[PK_ROWS];                                                                                \
        int s = slice * MV_LANES + lane;                                                                        \
        if (s < groups)                                                                                         \
            _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++)                                               \
                next[r] = loadq_##TYPE((MATRIX), nblocks, (ulong) min((ROW), nrows - 1) * groups + s);          \
        for (; s < groups; s += MV_LANES * split) {                                                             \
            wq_##TYPE w[PK_ROWS];                                                                               \
            _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++) w[r] = next[r];                               \
            const int after = s + MV_LANES * split;                                                             \
            if (after < groups)                                                                                 \
                _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++)                                           \
                    next[r] = loadq_##TYPE((MATRIX), nblocks, (ulong) min((ROW), nrows - 1) * groups + after);  \
            PKQ_ACCUMULATE(TYPE);                                                                               \
        }                                                                                                       \
    }                                                                                                           \
    PKQ_REDUCE();
#define PKQ_PASS_DIRECT(TYPE, MATRIX, ROW)                                                                      \
    float acc[PK_ROWS][PK_TOKENS];                                                                              \
    for (int r = 0; r < PK_ROWS; r++) for (int t = 0; t < PK_TOKENS; t++) acc[r][t] = 0.0f;                     \
    for (int s = slice * MV_LANES + lane; s < groups; s += MV_LANES * split) {                                  \
        wq_##TYPE w[PK_ROWS];                                                                                   \
        _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++)                                                   \
            w[r] = loadq_##TYPE((MATRIX), nblocks, (ulong) min((ROW), nrows - 1) * groups + s);                 \
        PKQ_ACCUMULATE(TYPE);                                                                                   \
    }                                                                                                           \
    PKQ_REDUCE();
#if PK_PREFETCH
#define PKQ_PASS PKQ_PASS_AHEAD
#else
#define PKQ_PASS PKQ_PASS_DIRECT
#endif

// After PKQ_PASS: lane 0 of slice 0 writes its row set's sums plus bias to row `row` of token t0 + t at
// Y + (t0 + t) * y_stride + row, adding them to what is there when ACCUMULATE. What the rows hold, and their biases,
// load for all of them before any is written (rows past the matrix read its last): a load in each row's branch was a
// dependent trip to L2 or DRAM a row at the end of every warp (clang's PTX for NVIDIA). Without a bias the sum is
// acc + 0.0f, as before.
#define PKQ_STORE_ROWS(Y, ACCUMULATE)                                                                           \
    if (lane == 0 && slice == 0) {                                                                              \
        float biases[PK_ROWS];                                                                                  \
        _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++) biases[r] = 0.0f;                                   \
        if (has_bias) {                                                                                         \
            _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++) biases[r] = bias[min(row0 + r, nrows - 1)];     \
        }                                                                                                       \
        _Pragma("unroll") for (int t = 0; t < PK_TOKENS; t++) {                                                 \
            float before[PK_ROWS];                                                                              \
            _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++) before[r] = 0.0f;                               \
            if ((ACCUMULATE) && t0 + t < ntok) {                                                                \
                const ulong token_at = (ulong) (t0 + t) * y_stride;                                             \
                _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++)                                             \
                    before[r] = (Y)[token_at + min(row0 + r, nrows - 1)];                                       \
            }                                                                                                   \
            _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++) {                                               \
                const int row = row0 + r;                                                                       \
                if (t0 + t < ntok && row < nrows) {                                                             \
                    const float sum = acc[r][t] + biases[r];                                                    \
                    global float* out = (Y) + (ulong) (t0 + t) * y_stride + row;                                \
                    *out = (ACCUMULATE) ? before[r] + sum : sum;                                                \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
    }

// The arrival step of the tails below, by the whole work-group: after a device fence that publishes what it wrote,
// the work-group counts itself in for each token t0 + t of the pass (the counter at counters + (t0 + t) * stride),
// and last[t] says whether it was the last of `expected` to arrive; the last resets the counter for the next launch,
// and a second fence orders the reads of the others' results that follow. With `counting` unset nothing is counted
// and last[] is all zero (the barriers still run: callers off NVIDIA reach them alike). A work-group that is the
// whole count (`expected` 1: a work-group of 32 rows) reads only its own writes, which the barrier orders: no
// fences, no atomics (each costs a round trip to L2 while the work-group holds its compute unit).
inline void arrive_per_token(int counting, volatile global int* counters, int stride, int expected, int t0, int ntok,
        local int* last) {
    const int lid = get_local_id(0);
    const int shared = counting && expected > 1;
    if (shared) device_fence();
    barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
    if (lid < PK_TOKENS) {
        int mine = 0;
        if (counting && t0 + lid < ntok) {
            if (shared) {
                volatile global int* count = counters + (ulong) (t0 + lid) * stride;
                mine = atomic_inc(count) == expected - 1;
                if (mine) *count = 0; // the others have all counted
            } else {
                mine = 1;
            }
        }
        last[lid] = mine;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    if (shared) device_fence();
}

// Token places a tail (rope_finished_heads) walks. On NVIDIA the pass's own tokens. Elsewhere all PK_TOKENS, a
// constant: PoCL's work-group compiler crashed (heap corruption) or miscompiled the tail's barriers when the bound
// could be 1, a loop LLVM turns into a condition around them; places past the pass's tokens have last[t] = 0 and
// touch no memory.
#ifdef WEBLLM_PTX
#define PKQ_TAIL_TOKENS min(PK_TOKENS, ntok - t0)
#else
#define PKQ_TAIL_TOKENS PK_TOKENS
#endif

// After a pass wrote a work-group's `rows` rows of y from first_row (a power of two, at most 32: they lie in one
// 32-row Q8 group) for tokens t0 ..: when `quantize` is set, each work-group counts itself into that group per
// token, and the last of the group's work-groups to arrive quantizes it (q8.cl layout, groups_per_token groups a
// token row) for the next product, which saves a quantize launch between the two (7 us of an 8B decode layer on an
// H100). With `weighted` it quantizes y * norm_w instead and leaves the group's sum of squares of y in `squares` (a
// float per token and group): the rms_norm that follows a residual add, its scale deferred to the products that read
// it (deferred_rms_scale), which saves the norm's launch. Volatile loads read the other work-groups' rows from L2,
// not a stale L1 line. By the whole work-group, whether or not `quantize` is set, off NVIDIA: barriers under a
// condition inside the pass loop crashed PoCL's work-group compiler (on NVIDIA a launch that does not quantize
// returns at once).
inline void quantize_finished_groups(int quantize, volatile global const float* y, int y_stride, int t0, int ntok,
        int first_row, int rows, global char* yq, global float2* yd, volatile global int* arrivals,
        int groups_per_token, int weighted, global const float* norm_w, global float* squares, local int* last,
        local float* red) {
    const int lid = get_local_id(0);
    const int lane = lid % MV_LANES;
    const int warp = lid / MV_LANES;
    const int g = first_row / GROUP;
#ifdef WEBLLM_PTX
    if (!quantize) return; // uniform over the work-group; NVIDIA takes barriers under it
#endif
    arrive_per_token(quantize, arrivals + g, groups_per_token, GROUP / rows, t0, ntok, last);
    // a warp a token; every work-item calls lane_sum and quantize_lanes alike (barriers off NVIDIA)
    for (int t1 = 0; t1 < PK_TOKENS; t1 += PK_WARPS) {
        const int t = min(t1 + warp, PK_TOKENS - 1);
        const int live = t1 + warp < PK_TOKENS && last[t];
        const ulong k = (ulong) (t0 + t) * groups_per_token + g;
        const int row = g * GROUP + lane;
        float v = live ? y[(ulong) (t0 + t) * y_stride + row] : 0.0f;
#ifdef WEBLLM_PTX
        const float group_squares = weighted ? lane_sum(v * v, red) : 0.0f; // shuffles: a uniform condition will do
#else
        const float group_squares = lane_sum(v * v, red); // barriers: every work-item, weighted or not
#endif
        if (weighted) {
            if (live && lane == 0) squares[k] = group_squares;
            v *= norm_w[row];
        }
        const float2 scales = quantize_lanes(v, yq + k * GROUP, live, red);
        if (live && lane == 0) yd[k] = scales;
    }
}

// The rms_norm that follows a residual add, deferred (quantize_finished_groups with norm weights): the Q8 activations
// a product then reads hold y * norm_w without the norm's scale 1 / sqrt(mean(y^2) + eps). The scale is common to a
// token's whole row, so it factors out of every dot product with it: the product multiplies its sums by it. It comes
// from the row's `groups` sums of squares, added up in the same order by every warp, so that all rows of a token get
// the same scale and every launch the same result. No barriers (a reduction through local memory in each of a pass's
// token places made PoCL's compiler run for over 20 minutes): on NVIDIA a warp's lanes share the loads and shuffle
// their sums, elsewhere each work-item adds them all up itself.
inline float deferred_rms_scale(global const float* squares, int groups, int n, float eps, local float* red) {
    float s = 0.0f;
#ifdef WEBLLM_PTX
    for (int i = get_local_id(0) % MV_LANES; i < groups; i += MV_LANES) s += squares[i];
    s = lane_sum(s, red);
#else
    for (int i = 0; i < groups; i++) s += squares[i];
#endif
    return rsqrt(s / n + eps);
}

// After PKQ_PASS, with `deferred` set: each token's sums acc[r][t] times its deferred rms scale (its row of ncols
// values has x_groups sums of squares in SQUARES).
#define PKQ_DEFERRED_SCALE(SQUARES, DEFERRED, EPS)                                                              \
    if (DEFERRED) {                                                                                             \
        _Pragma("unroll") for (int t = 0; t < PK_TOKENS; t++) {                                               \
            if (t0 + t < ntok) {                                                                                \
                const float rms = deferred_rms_scale((SQUARES) + (ulong) (t0 + t) * x_groups, ncols / GROUP,    \
                        ncols, (EPS), red);                                                                     \
                _Pragma("unroll") for (int r = 0; r < PK_ROWS; r++) acc[r][t] *= rms;                         \
            }                                                                                                   \
        }                                                                                                       \
    }

// Rows of the residual products (o, down: y += W x, y_off 0, nrows values a token); with `norm` the rms_norm that
// follows them, deferred (quantize_finished_groups): y * norm_w as Q8 activations in norm_q/norm_d and each group's
// sum of squares in norm_squares. With `deferred`, the product's own input is such activations (in_squares, eps).
// The host sets `norm` only where a work-group's rows lie in one Q8 group.
#define MVQ_PARAMS(P)                                                                                           \
        global const uchar* P##W, int P##ncols, ulong P##row_bytes, int P##nrows,                               \
        global const char* P##xq, int P##x_groups,                                                              \
        global float* P##y, int P##y_off, int P##y_stride,                                                      \
        int P##ntok, global const float* P##bias, int P##has_bias, int P##accumulate,                           \
        global const float2* P##xd, int P##split,                                                               \
        int P##norm, global const float* P##norm_w, float P##eps, global float* P##norm_squares,                \
        global char* P##norm_q, global float2* P##norm_d, volatile global int* P##arrivals,                     \
        global const float* P##in_squares, int P##deferred
#define MVQ_ARGS(P) P##W, P##ncols, P##row_bytes, P##nrows, P##xq, P##x_groups, P##y, P##y_off, P##y_stride,     \
        P##ntok, P##bias, P##has_bias, P##accumulate, P##xd, P##split, P##norm, P##norm_w, P##eps,              \
        P##norm_squares, P##norm_q, P##norm_d, P##arrivals, P##in_squares, P##deferred
// A body with FUSED 0 compiles without the norm tail and the deferred scale, whatever `norm` and `deferred` say:
// kernel_mul_mvq_plain_* for the products that use neither. The tail's code alone costs the single-token Q4_0 kernel
// 11 registers (ptxas, sm_90: 63 -> 74), past the 64 that four 256-work-item work-groups an SM allow; on an H100
// the 8B's down product took 0.84 ms a token with it (norm off) against 0.58 without (session 10).
#define DEFINE_MVQ_BODY(NAME, TYPE, FUSED, PASS)                                                                \
inline void PKQ_KERNEL(NAME)(int group, MVQ_PARAMS(), PKQ_LOCAL_PARAMS) {                                       \
    PKQ_PLACE(PK_ROWS, group)                                                                                   \
    const int group_rows = PK_WARPS / split * PK_ROWS;                                                          \
    for (int t0 = 0; t0 < ntok; t0 += PK_TOKENS) {                                                              \
        PASS(TYPE, W, row0 + r)                                                                                 \
        if (FUSED) {                                                                                            \
            PKQ_DEFERRED_SCALE(in_squares, deferred, eps)                                                       \
        }                                                                                                       \
        PKQ_STORE_ROWS(y + y_off, accumulate)                                                                   \
        if (FUSED) {                                                                                            \
            quantize_finished_groups(norm, y + y_off, y_stride, t0, ntok, group * group_rows, group_rows,       \
                    norm_q, norm_d, arrivals, nrows / GROUP, 1, norm_w, norm_squares, last, red);               \
        }                                                                                                       \
    }                                                                                                           \
}
// The plain residual product with its loads a round ahead (PKQ_PASS_AHEAD), in the single-token build only.
#ifdef PKQ_SINGLE_TOKEN
#define DEFINE_MUL_MVQ_AHEAD(TYPE)                                                                              \
DEFINE_MVQ_BODY(mvq_ahead_##TYPE, TYPE, 0, PKQ_PASS_AHEAD)                                                      \
DEFINE_PKQ_KERNEL(kernel_mul_mvq_ahead_##TYPE, mvq_ahead_##TYPE, MVQ_PARAMS, MVQ_ARGS)                          \
DEFINE_PKQ_WALK_KERNEL(kernel_mul_mvq_ahead_walk_##TYPE, mvq_ahead_##TYPE, MVQ_PARAMS, MVQ_ARGS)                \
DEFINE_PKQ_WALK_KERNEL(kernel_mul_mvq_plain_walk_##TYPE, mvq_plain_##TYPE, MVQ_PARAMS, MVQ_ARGS)
#define DEFINE_GLUQ_WALK(TYPE)                                                                                  \
DEFINE_PKQ_WALK_KERNEL(kernel_mul_mv_gluq_plain_walk_##TYPE, gluq_plain_##TYPE, GLUQ_PARAMS, GLUQ_ARGS)
#else
#define DEFINE_MUL_MVQ_AHEAD(TYPE)
#define DEFINE_GLUQ_WALK(TYPE)
#endif
#define DEFINE_MUL_MVQ(TYPE)                                                                                    \
DEFINE_MVQ_BODY(mvq_##TYPE, TYPE, 1, PKQ_PASS)                                                                  \
DEFINE_MVQ_BODY(mvq_plain_##TYPE, TYPE, 0, PKQ_PASS)                                                            \
DEFINE_MUL_MVQ_AHEAD(TYPE)                                                                                      \
DEFINE_PKQ_KERNEL(kernel_mul_mvq_##TYPE, mvq_##TYPE, MVQ_PARAMS, MVQ_ARGS)                                      \
DEFINE_PKQ_KERNEL(kernel_mul_mvq_plain_##TYPE, mvq_plain_##TYPE, MVQ_PARAMS, MVQ_ARGS)

// After a pass of the stacked q/k/v product wrote its rows for tokens t0 ..: each work-group counts itself in per
// (token, head) (its rows lie in one head: `head`), and the last of a head's `arrivals_per_head` work-groups to
// arrive does for that head what kernel_rope_store (rope.cl) does: a q head rotated in place, a k head rotated into
// the cache, both after Qwen3's per-head norm where the model has it, a v head copied into the cache. That saves the
// rope launch of every decode layer (~7 us of an 8B decode layer on an H200). A work-item a rotation pair (head_dim
// <= 2 x the work-group). `arrivals`: an int per (token, head), zero between launches. By the whole work-group off
// NVIDIA (barriers), as quantize_finished_groups.
inline void rope_finished_heads(global float* qkv, int qkv_stride, int t0, int ntok, int head, int arrivals_per_head,
        int n_heads, int n_kv_heads, int head_dim, global const int* pos, global const int* slot, global half* k_cache,
        global half* v_cache, int ctx, float theta_base, float freq_scale, global const float* freq_factors,
        int has_freq_factors, int neox, global const float* q_norm, global const float* k_norm, int has_norm, float eps,
        volatile global int* arrivals, local int* last, local float* red) {
    const int lid = get_local_id(0);
    const int heads = n_heads + 2 * n_kv_heads;
    arrive_per_token(1, arrivals + head, heads, arrivals_per_head, t0, ntok, last);
    const int half_dim = head_dim / 2;
    const int kind = head < n_heads ? 0 : head < n_heads + n_kv_heads ? 1 : 2; // q, k, v
    const int kv_dim = n_kv_heads * head_dim;
    const int i = lid; // the pair this work-item rotates
    const int a = neox ? i : 2 * i;
    const int b = neox ? i + half_dim : 2 * i + 1;
    for (int t = 0; t < PKQ_TAIL_TOKENS; t++) {
        const int live = last[t]; // uniform over the work-group
#ifdef WEBLLM_PTX
        if (!live) continue;
#endif
        const int pair = live && i < half_dim;
        global float* x = qkv + (ulong) (t0 + t) * qkv_stride + head * head_dim;
        // both loads in one branch, one trip to L2 (as two selects each was its own branch)
        float x0 = 0.0f;
        float x1 = 0.0f;
        if (pair) {
            x0 = load_shared_l2(x + a);
            x1 = load_shared_l2(x + b);
        }
        const float squares = group_sum(x0 * x0 + x1 * x1, red); // every work-item calls it (barriers)
        if (pair) {
            if (has_norm && kind < 2) {
                const float scale = rsqrt(squares / head_dim + eps);
                global const float* w = kind == 0 ? q_norm : k_norm;
                x0 = x0 * scale * w[a];
                x1 = x1 * scale * w[b];
            }
            const int position = pos[t0 + t];
            const int kv_head = head - n_heads - (kind == 2 ? n_kv_heads : 0);
            const ulong at = ((ulong) slot[t0 + t] * ctx + position) * kv_dim + kv_head * head_dim;
            if (kind == 2) {
                vstore_half_rte(x0, at + a, v_cache);
                vstore_half_rte(x1, at + b, v_cache);
            } else {
                const float2 r = rope_rotate(x0, x1, i, head_dim, position, theta_base, freq_scale, freq_factors,
                        has_freq_factors);
                if (kind == 0) {
                    x[a] = r.x;
                    x[b] = r.y;
                } else {
                    vstore_half_rte(r.x, at + a, k_cache);
                    vstore_half_rte(r.y, at + b, k_cache);
                }
            }
        }
    }
}

// The stacked q/k/v product (y = W x + bias, rows: the q heads, then k, then v, head_dim rows each) that also applies
// the rope and fills the KV cache (rope_finished_heads). Arguments from n_heads on as kernel_rope_store's from its
// third on; with `deferred`, its input holds a deferred norm (deferred_rms_scale: in_squares, eps). W may hold only
// the heads from `first_head` on (of q's, then k's, then v's): where q, k and v differ in type (Q4_K_M's layers with v
// in Q6_K) the host launches one such product for each run of one type, each writing its rows of y from
// first_head * head_dim. The host uses it where head_dim is a multiple of a work-group's rows.
#define MVQ_ROPE_PARAMS(P)                                                                                      \
        global const uchar* P##W, int P##ncols, ulong P##row_bytes, int P##nrows, global const char* P##xq,     \
        int P##x_groups, global float* P##y, int P##y_stride, int P##ntok, global const float* P##bias,         \
        int P##has_bias, global const float2* P##xd, int P##split, int P##n_heads, int P##n_kv_heads,           \
        int P##head_dim, global const int* P##pos, global const int* P##slot, global half* P##k_cache,          \
        global half* P##v_cache, int P##ctx, float P##theta_base, float P##freq_scale,                          \
        global const float* P##freq_factors, int P##has_freq_factors, int P##neox, global const float* P##q_norm, \
        global const float* P##k_norm, int P##has_norm, float P##eps, volatile global int* P##arrivals,         \
        global const float* P##in_squares, int P##deferred, int P##first_head
#define MVQ_ROPE_ARGS(P) P##W, P##ncols, P##row_bytes, P##nrows, P##xq, P##x_groups, P##y, P##y_stride, P##ntok, \
        P##bias, P##has_bias, P##xd, P##split, P##n_heads, P##n_kv_heads, P##head_dim, P##pos, P##slot,         \
        P##k_cache, P##v_cache, P##ctx, P##theta_base, P##freq_scale, P##freq_factors, P##has_freq_factors,     \
        P##neox, P##q_norm, P##k_norm, P##has_norm, P##eps, P##arrivals, P##in_squares, P##deferred,            \
        P##first_head
#define DEFINE_MUL_MVQ_ROPE(TYPE)                                                                               \
inline void PKQ_KERNEL(mvq_rope_##TYPE)(int group, MVQ_ROPE_PARAMS(), PKQ_LOCAL_PARAMS) {                        \
    PKQ_PLACE(PK_ROWS, group)                                                                                   \
    const int group_rows = PK_WARPS / split * PK_ROWS;                                                          \
    for (int t0 = 0; t0 < ntok; t0 += PK_TOKENS) {                                                              \
        PKQ_PASS(TYPE, W, row0 + r)                                                                             \
        PKQ_DEFERRED_SCALE(in_squares, deferred, eps)                                                           \
        PKQ_STORE_ROWS(y + first_head * head_dim, 0)                                                            \
        rope_finished_heads(y, y_stride, t0, ntok, first_head + group * group_rows / head_dim,                  \
                head_dim / group_rows,                                                                          \
                n_heads, n_kv_heads, head_dim, pos, slot, k_cache, v_cache, ctx, theta_base, freq_scale,        \
                freq_factors, has_freq_factors, neox, q_norm, k_norm, has_norm, eps, arrivals, last, red);      \
    }                                                                                                           \
}                                                                                                               \
DEFINE_PKQ_KERNEL(kernel_mul_mvq_rope_##TYPE, mvq_rope_##TYPE, MVQ_ROPE_PARAMS, MVQ_ROPE_ARGS)

// silu(W_gate x) * (W_up x): PK_ROWS / 2 output rows per row set, each reading its gate and its up row; with
// `quantize` also y as Q8 activations in yq/yd (see quantize_finished_groups; `arrivals` zero between launches);
// with `deferred`, its input holds a deferred norm (deferred_rms_scale: in_squares, eps).
#define GLUQ_PARAMS(P)                                                                                          \
        global const uchar* P##Wg, global const uchar* P##Wu, int P##ncols, ulong P##row_bytes, int P##nrows,   \
        global const char* P##xq, int P##x_groups, global float* P##y, int P##y_stride, int P##ntok,            \
        global const float2* P##xd, int P##split, global char* P##yq, global float2* P##yd,                     \
        volatile global int* P##arrivals, int P##quantize, global const float* P##in_squares, int P##deferred,  \
        float P##eps
#define GLUQ_ARGS(P) P##Wg, P##Wu, P##ncols, P##row_bytes, P##nrows, P##xq, P##x_groups, P##y, P##y_stride,      \
        P##ntok, P##xd, P##split, P##yq, P##yd, P##arrivals, P##quantize, P##in_squares, P##deferred, P##eps
// A body with FUSED 0 compiles without the quantizing tail and the deferred scale, whatever `quantize` and `deferred`
// say: kernel_mul_mv_gluq_plain_* for the large models, whose norms are launched and whose gated product leaves its
// quantization to a launch (Tuning.gatedQuantizes), as kernel_mul_mvq_plain_* serves their residual products. ptxas
// gives the single-token Q4_0 one 34 registers against 67, yet on an H100 it ran no faster than the fused kernel with
// both off (session 14: 8B Q4_0 311.8 and 306.7 tok/s against 309.6 and 311.3): the gated product is not held back
// by its occupancy.
#define DEFINE_GLUQ_BODY(NAME, TYPE, FUSED)                                                                     \
inline void PKQ_KERNEL(NAME)(int group, GLUQ_PARAMS(), PKQ_LOCAL_PARAMS) {                                       \
    PKQ_PLACE(PK_ROWS / 2, group)                                                                               \
    for (int t0 = 0; t0 < ntok; t0 += PK_TOKENS) {                                                              \
        PKQ_PASS(TYPE, (r & 1) ? Wu : Wg, row0 + r / 2)                                                         \
        if (FUSED) {                                                                                            \
            PKQ_DEFERRED_SCALE(in_squares, deferred, eps)                                                       \
        }                                                                                                       \
        if (lane == 0 && slice == 0) {                                                                          \
            _Pragma("unroll") for (int t = 0; t < PK_TOKENS; t++) {                                           \
                _Pragma("unroll") for (int r = 0; r < PK_ROWS; r += 2) {                                      \
                    const float g = acc[r][t];                                                                  \
                    if (t0 + t < ntok && row0 + r / 2 < nrows)                                                  \
                        y[(ulong) (t0 + t) * y_stride + row0 + r / 2] = g / (1.0f + exp(-g)) * acc[r + 1][t];   \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
        if (FUSED) {                                                                                            \
            const int group_rows = PK_WARPS / split * (PK_ROWS / 2);                                            \
            quantize_finished_groups(quantize, y, y_stride, t0, ntok, group * group_rows, group_rows, yq, yd,   \
                    arrivals, nrows / GROUP, 0, y, y, last, red);                                               \
        }                                                                                                       \
    }                                                                                                           \
}
// (The gated product with its loads a round ahead, PKQ_PASS_AHEAD, gained nothing on an H100 in session 14 as the plain
// body, and decoded 8B Q4_0 18% slower in session 13 as the fused one: docs/performance.md steps 59 and 66.)
#define DEFINE_MUL_MV_GLUQ(TYPE)                                                                                \
DEFINE_GLUQ_BODY(gluq_##TYPE, TYPE, 1)                                                                          \
DEFINE_GLUQ_BODY(gluq_plain_##TYPE, TYPE, 0)                                                                    \
DEFINE_PKQ_KERNEL(kernel_mul_mv_gluq_##TYPE, gluq_##TYPE, GLUQ_PARAMS, GLUQ_ARGS)                               \
DEFINE_PKQ_KERNEL(kernel_mul_mv_gluq_plain_##TYPE, gluq_plain_##TYPE, GLUQ_PARAMS, GLUQ_ARGS)                   \
DEFINE_GLUQ_WALK(TYPE)

DEFINE_MUL_MVQ(q4_0)
DEFINE_MUL_MVQ(q8_0)
DEFINE_MUL_MVQ(q4_k)
DEFINE_MUL_MVQ(q6_k)
DEFINE_MUL_MVQ_ROPE(q4_0)
DEFINE_MUL_MVQ_ROPE(q8_0)
DEFINE_MUL_MVQ_ROPE(q4_k)
DEFINE_MUL_MVQ_ROPE(q6_k)
DEFINE_MUL_MV_GLUQ(q4_0)
DEFINE_MUL_MV_GLUQ(q8_0)
DEFINE_MUL_MV_GLUQ(q4_k)
DEFINE_MUL_MV_GLUQ(q6_k)

// Chained launches (single-token build only): the o product, the gated product and the down product of a decode
// layer, and where it joins them the next layer's q/k/v product with its rope, in one launch, which saves three of a
// layer's five launches. Each launch costs the host 7-13 us on NVIDIA's driver; Qwen2.5-0.5B on an H100 decoded 741
// tok/s chained against 730 apart where launches cost ~7 us, 722 against 586 where they cost ~13 (session 10).
//
// Each work-group takes a ticket as it starts (an atomic count): tickets below o_groups are work-groups of the o
// product, the next g_groups of the gated one, and so on. A work-group of a later product first waits until every
// work-group of the one before has counted itself done. That cannot deadlock: tickets follow start order, so every
// work-group waited on holds a lower ticket and is running (or finished) already; nothing depends on how the device
// orders or places work-groups. Visibility is the release/acquire pattern of a grid-wide barrier: each work-item
// fences its writes device-wide before its work-group counts itself done; the waiting work-group's first work-item
// sees the count with a volatile load, and after the work-group's barrier every work-item fences again before it
// reads, so plain loads see what the earlier products wrote, even where an earlier product of the same launch read
// the same addresses (the gated product reads the norm that down rewrites for q/k/v). The tails' arrival counts stay
// per product: a product's tails all finish before its work-groups count themselves done. The last work-group of
// the last product resets the chain's counts. ChainedLayerTests checks, on PoCL and on the GPU, that the chained
// decode computes bit for bit what the separate launches compute.
#ifdef PKQ_SINGLE_TOKEN
#ifndef CH_TIMING
#define CH_TIMING 0
#endif
// Ints of the chain's counts before its phase stamps (-Dwebllm.chain.timing, CH_TIMING): with it each launch writes,
// per product (o, gated, down, q/k/v, or the large models' gated, quantize, down, with the norms around them where
// the chain takes them: 4 ulongs each), when the product's first work-group entered and was released by its wait,
// when its last work-group counted itself done and when that one had been released, all in NVIDIA's global
// nanoseconds (Transformer.chainPhaseMicros reads the last launch's). The stamps are outside the counts the chain
// resets; nothing writes them without the define.
#define CH_COUNTS 8
inline ulong ch_clock(void) {
    return CH_TIMING ? global_nanos() : 0;
}

#ifdef WEBLLM_PTX
inline void chain_pause(void) {
    asm volatile("nanosleep.u32 64;");
}
#else
inline void chain_pause(void) {
}
#endif

// The work-group's ticket: its place in start order. By the whole work-group.
inline int chain_ticket(volatile global int* tickets, local int* slot) {
    if (get_local_id(0) == 0) *slot = atomic_inc(tickets);
    barrier(CLK_LOCAL_MEM_FENCE);
    const int ticket = *slot;
    barrier(CLK_LOCAL_MEM_FENCE);
    return ticket;
}

// Waits until `count` work-groups have counted themselves into `done`. By the whole work-group.
inline void chain_wait(volatile global int* done, int count) {
    if (get_local_id(0) == 0) {
        while (*done < count) chain_pause();
    }
    barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
    device_fence();
}

// Counts the work-group into `done` once all its writes are visible device-wide; returns how many had counted before
// it. By the whole work-group.
inline int chain_done(volatile global int* done, local int* slot) {
    device_fence();
    barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
    if (get_local_id(0) == 0) *slot = atomic_inc(done);
    barrier(CLK_LOCAL_MEM_FENCE);
    return *slot;
}

// The o, gated and down products of a chain: the ticket's work-group of the o product, or of the gated one once o is
// done, or of down once the gated one is; each counts itself into its product's done count. Returns the product
// (0, 1, 2) with `ticket` made the work-group's index in it; 3 with the ticket past down's (o_groups + g_groups +
// d_groups) work-groups for the caller's next product.
#define CHAIN_FFN_PRODUCTS(TYPE)                                                                                \
    int product = 3;                                                                                            \
    if (ticket < o_groups) {                                                                                    \
        product = 0;                                                                                            \
        mvq_##TYPE##_t1(ticket, MVQ_ARGS(o_), PKQ_LOCAL_ARGS);                                                  \
    } else if ((ticket -= o_groups) < g_groups) {                                                               \
        product = 1;                                                                                            \
        chain_wait(chain + 1, o_groups);                                                                        \
        released = ch_clock();                                                                                  \
        gluq_##TYPE##_t1(ticket, GLUQ_ARGS(g_), PKQ_LOCAL_ARGS);                                                \
    } else if ((ticket -= g_groups) < d_groups) {                                                               \
        product = 2;                                                                                            \
        chain_wait(chain + 2, g_groups);                                                                        \
        released = ch_clock();                                                                                  \
        mvq_##TYPE##_t1(ticket, MVQ_ARGS(d_), PKQ_LOCAL_ARGS);                                                  \
    } else {                                                                                                    \
        ticket -= d_groups;                                                                                     \
    }

// Counts the work-group (`index` of its product, `entered` and `released` by its wait at those stamps) into its
// product's done count; the last work-group of the chain's last product (`final`) resets the chain's counts
// (`counts` of them) for the next launch.
inline void chain_finish(volatile global int* chain, int product, int product_groups, int final, int counts,
        int index, ulong entered, ulong released, local int* slot) {
    const bool last = chain_done(chain + 1 + product, slot) == product_groups - 1;
#if CH_TIMING
    if (get_local_id(0) == 0) {
        global ulong* stamps = (global ulong*) (chain + CH_COUNTS) + 4 * product;
        if (index == 0) {
            stamps[0] = entered;
            stamps[1] = released;
        }
        if (last) {
            stamps[2] = ch_clock();
            stamps[3] = released;
        }
    }
#endif
    if (last && product == final && get_local_id(0) == 0) {
        for (int i = 0; i < counts; i++) chain[i] = 0;
    }
}

// chain: 4 ints, zero between launches (tickets, then the done counts of o, gated, down). Launch: (o_groups +
// g_groups + d_groups) work-groups of PK_WARPS warps.
#define DEFINE_CHAIN_FFN(TYPE)                                                                                  \
kernel void kernel_chain_ffn_##TYPE##_t1(MVQ_PARAMS(o_), GLUQ_PARAMS(g_), MVQ_PARAMS(d_), int o_groups,         \
        int g_groups, int d_groups, volatile global int* chain) {                                               \
    PKQ_LOCALS                                                                                                  \
    local int slot;                                                                                             \
    int ticket = chain_ticket(chain, &slot);                                                                    \
    const ulong entered = ch_clock();                                                                           \
    ulong released = entered;                                                                                   \
    CHAIN_FFN_PRODUCTS(TYPE)                                                                                    \
    chain_finish(chain, product, product == 0 ? o_groups : product == 1 ? g_groups : d_groups, 2, 4, ticket,    \
            entered, released, &slot);                                                                          \
}

// The same chain followed by the next layer's stacked q/k/v product with its rope (a layer's decode in two launches:
// this and attention). chain: 5 ints (tickets, the done counts of o, gated, down, q/k/v).
#define DEFINE_CHAIN_FFN_QKV(TYPE)                                                                              \
kernel void kernel_chain_ffn_qkv_##TYPE##_t1(MVQ_PARAMS(o_), GLUQ_PARAMS(g_), MVQ_PARAMS(d_),                    \
        MVQ_ROPE_PARAMS(q_), int o_groups, int g_groups, int d_groups, volatile global int* chain) {           \
    PKQ_LOCALS                                                                                                  \
    local int slot;                                                                                             \
    int ticket = chain_ticket(chain, &slot);                                                                    \
    const ulong entered = ch_clock();                                                                           \
    ulong released = entered;                                                                                   \
    CHAIN_FFN_PRODUCTS(TYPE)                                                                                    \
    if (product == 3) {                                                                                         \
        chain_wait(chain + 3, d_groups);                                                                        \
        released = ch_clock();                                                                                  \
        mvq_rope_##TYPE##_t1(ticket, MVQ_ROPE_ARGS(q_), PKQ_LOCAL_ARGS);                                        \
    }                                                                                                           \
    const int product_groups = product == 0 ? o_groups : product == 1 ? g_groups : product == 2 ? d_groups      \
            : (int) get_num_groups(0) - o_groups - g_groups - d_groups;                                         \
    chain_finish(chain, product, product_groups, 3, 5, ticket, entered, released, &slot);                       \
}

// The walks of the large models' chains (below): a walker's share (`ticket`, its index among its product's walkers)
// of the gated product's row groups, of the quantize's work-groups and of down's row groups, by the plain or
// loads-ahead body (`d_ahead`).
#define CHAIN_WALK_GATED(GTYPE)                                                                                 \
    for (int g = ticket; g < g_groups; g += g_walkers)                                                          \
        gluq_plain_##GTYPE##_t1(g, GLUQ_ARGS(g_), PKQ_LOCAL_ARGS);
#define CHAIN_WALK_QUANTIZE                                                                                     \
    {                                                                                                           \
        const int q_work_groups = (q_groups + PK_WARPS - 1) / PK_WARPS;                                         \
        for (int g = ticket; g < q_work_groups; g += q_walkers)                                                 \
            quantize_groups(g, 0, q_x, 0, q_xq, q_xd, q_groups, red);                                           \
    }
#define CHAIN_WALK_DOWN(DTYPE)                                                                                  \
    for (int g = ticket; g < d_groups; g += d_walkers) {                                                        \
        if (d_ahead) mvq_ahead_##DTYPE##_t1(g, MVQ_ARGS(d_), PKQ_LOCAL_ARGS);                                   \
        else mvq_plain_##DTYPE##_t1(g, MVQ_ARGS(d_), PKQ_LOCAL_ARGS);                                           \
    }

// The large models' chain (norms launched: rows over 2,048 values): a single stream's gated product (the plain body),
// the quantize of its output (kernel_quantize_q8's body) and down (the plain or loads-ahead body, `d_ahead`) as one
// launch, saving two of the layer's eight launches (-Dwebllm.chain.launchedNorms). Each product's work-groups walk its
// row groups (`*_walkers` work-groups for `*_groups`), so that the chain's fence and count at the end of each
// work-group, which cost the 8B's gated product 16% as its quantizing tail (1,792 short-lived work-groups: session
// 14), is paid once per walker. chain: 4 ints (tickets, the done counts of gated, quantize, down). Launch: (g_walkers
// + q_walkers + d_walkers) work-groups of PK_WARPS warps.
#define DEFINE_CHAIN_GLU_DOWN_TYPES(NAME, GTYPE, DTYPE)                                                         \
kernel void kernel_chain_glu_down_##NAME##_t1(GLUQ_PARAMS(g_), global const float* q_x, global char* q_xq,      \
        global float2* q_xd, int q_groups, MVQ_PARAMS(d_), int g_groups, int g_walkers, int q_walkers,          \
        int d_groups, int d_walkers, int d_ahead, volatile global int* chain) {                                 \
    PKQ_LOCALS                                                                                                  \
    local int slot;                                                                                             \
    int ticket = chain_ticket(chain, &slot);                                                                    \
    const ulong entered = ch_clock();                                                                           \
    ulong released = entered;                                                                                   \
    int product = 0;                                                                                            \
    int walkers = g_walkers;                                                                                    \
    if (ticket < g_walkers) {                                                                                   \
        CHAIN_WALK_GATED(GTYPE)                                                                                 \
    } else if ((ticket -= g_walkers) < q_walkers) {                                                             \
        product = 1;                                                                                            \
        walkers = q_walkers;                                                                                    \
        chain_wait(chain + 1, g_walkers);                                                                       \
        released = ch_clock();                                                                                  \
        CHAIN_WALK_QUANTIZE                                                                                     \
    } else {                                                                                                    \
        ticket -= q_walkers;                                                                                    \
        product = 2;                                                                                            \
        walkers = d_walkers;                                                                                    \
        chain_wait(chain + 2, q_walkers);                                                                       \
        released = ch_clock();                                                                                  \
        CHAIN_WALK_DOWN(DTYPE)                                                                                  \
    }                                                                                                           \
    chain_finish(chain, product, walkers, 2, 4, ticket, entered, released, &slot);                              \
}
#define DEFINE_CHAIN_GLU_DOWN(TYPE) DEFINE_CHAIN_GLU_DOWN_TYPES(TYPE, TYPE, TYPE)

// The same chain between the layer's two norms (-Dwebllm.chain.norms): the feed-forward norm of the residual row
// `n_x` before the gated product and the next layer's attention norm after down, each `n_groups` work-groups of
// kernel_rms_norm_q8's slices (16 for a row of 4,096 values) writing `n_out` and the Q8 activations `n_xq`/`n_xd`
// with their own weights (`n_ffn_w`, `n_attn_w`): two launches fewer a layer again, o alone launched apart (a chain
// runs at its largest body's residency: step 77). One wait before the stage bodies, not one in each stage's branch:
// written that way, step 77's chain decoded differently on PoCL. chain: 6 ints (tickets, the done counts of the ffn
// norm, gated, quantize, down and the attention norm). Launch: 2 n_groups + g_walkers + q_walkers + d_walkers
// work-groups of PK_WARPS warps. `warm_first`: chain_warm_first_round.
#define NORM_STAGE_PARAMS                                                                                       \
        global const float* n_x, global float* n_out, int n_n, float n_eps, global char* n_xq, global float2* n_xd, \
        global const float* n_ffn_w, global const float* n_attn_w

// The stage of the work-group with `ticket` (0 for tickets below walkers[0], ...), made its index in that stage.
inline int chain_stage(int* ticket, const int* walkers, int stages) {
    int stage = 0;
    while (stage < stages - 1 && *ticket >= walkers[stage]) {
        *ticket -= walkers[stage];
        stage++;
    }
    return stage;
}

// With `warm_first` (-Dwebllm.chain.warmFirst), the gated product's walkers (stage 1), which wait for the norm, and
// down's (stage 3), which wait for the quantize, first ask L2 for the rows their first round reads (all walkers'
// together: the first `*_rows` rows of each matrix, taken as `*_row_bytes` a row from the buffer's start, which holds
// the repacked quants in row order; the scales that follow them are left out), so that DRAM, idle while the norm runs,
// starts the product's loads (warm.cl's prefetch: no register waits for the lines). Nothing elsewhere (PoCL).
inline void chain_warm_first_round(int stage, int ticket, global const uchar* gate, global const uchar* up,
        ulong g_row_bytes, int g_rows, int g_walkers, global const uchar* down, ulong d_row_bytes, int d_rows,
        int d_walkers) {
#ifdef WEBLLM_PTX
    const ulong worker = (ulong) ticket * get_local_size(0) + get_local_id(0);
    if (stage == 1) {
        const ulong workers = (ulong) g_walkers * get_local_size(0);
        warm_range(gate, 0, (ulong) g_rows * g_row_bytes, worker, workers);
        warm_range(up, 0, (ulong) g_rows * g_row_bytes, worker, workers);
    } else if (stage == 3) {
        warm_range(down, 0, (ulong) d_rows * d_row_bytes, worker, (ulong) d_walkers * get_local_size(0));
    }
#endif
}

#define DEFINE_CHAIN_NORMS_GLU_DOWN_TYPES(NAME, GTYPE, DTYPE)                                                   \
kernel void kernel_chain_norms_glu_down_##NAME##_t1(NORM_STAGE_PARAMS, GLUQ_PARAMS(g_), global const float* q_x, \
        global char* q_xq, global float2* q_xd, int q_groups, MVQ_PARAMS(d_), int n_groups, int g_groups,       \
        int g_walkers, int q_walkers, int d_groups, int d_walkers, int d_ahead, int warm_first,                 \
        volatile global int* chain) {                                                                           \
    PKQ_LOCALS                                                                                                  \
    local int slot;                                                                                             \
    int ticket = chain_ticket(chain, &slot);                                                                    \
    const ulong entered = ch_clock();                                                                           \
    const int walkers[5] = {n_groups, g_walkers, q_walkers, d_walkers, n_groups};                               \
    const int stage = chain_stage(&ticket, walkers, 5);                                                         \
    if (warm_first) chain_warm_first_round(stage, ticket, g_Wg, g_Wu, g_row_bytes,                              \
            g_walkers * (PK_WARPS / g_split) * (PK_ROWS / 2), g_walkers, d_W, d_row_bytes,                      \
            d_walkers * (PK_WARPS / d_split) * PK_ROWS, d_walkers);                                             \
    if (stage > 0) chain_wait(chain + stage, walkers[stage - 1]);                                               \
    const ulong released = ch_clock();                                                                          \
    if (stage == 0 || stage == 4) {                                                                             \
        rms_norm_q8_slice(ticket, 0, n_x, n_out, stage == 0 ? n_ffn_w : n_attn_w, n_n, n_eps, red, n_xq, n_xd,  \
                red);                                                                                           \
    } else if (stage == 1) {                                                                                    \
        CHAIN_WALK_GATED(GTYPE)                                                                                 \
    } else if (stage == 2) {                                                                                    \
        CHAIN_WALK_QUANTIZE                                                                                     \
    } else {                                                                                                    \
        CHAIN_WALK_DOWN(DTYPE)                                                                                  \
    }                                                                                                           \
    chain_finish(chain, stage, walkers[stage], 4, 6, ticket, entered, released, &slot);                         \
}
#define DEFINE_CHAIN_NORMS_GLU_DOWN(TYPE) DEFINE_CHAIN_NORMS_GLU_DOWN_TYPES(TYPE, TYPE, TYPE)

DEFINE_CHAIN_FFN(q4_0)
DEFINE_CHAIN_FFN(q8_0)
DEFINE_CHAIN_FFN(q4_k)
DEFINE_CHAIN_FFN(q6_k)
DEFINE_CHAIN_FFN_QKV(q4_0)
DEFINE_CHAIN_FFN_QKV(q8_0)
DEFINE_CHAIN_FFN_QKV(q4_k)
DEFINE_CHAIN_FFN_QKV(q6_k)
DEFINE_CHAIN_GLU_DOWN(q4_0)
DEFINE_CHAIN_GLU_DOWN(q8_0)
DEFINE_CHAIN_GLU_DOWN(q4_k)
DEFINE_CHAIN_GLU_DOWN(q6_k)
// Q4_K_M keeps down in Q6_K in half of its layers (llama.cpp's use_more_bits), gate and up in Q4_K
DEFINE_CHAIN_GLU_DOWN_TYPES(q4_k_q6_k, q4_k, q6_k)
DEFINE_CHAIN_NORMS_GLU_DOWN(q4_0)
DEFINE_CHAIN_NORMS_GLU_DOWN(q8_0)
DEFINE_CHAIN_NORMS_GLU_DOWN(q4_k)
DEFINE_CHAIN_NORMS_GLU_DOWN(q6_k)
DEFINE_CHAIN_NORMS_GLU_DOWN_TYPES(q4_k_q6_k, q4_k, q6_k)
#endif
