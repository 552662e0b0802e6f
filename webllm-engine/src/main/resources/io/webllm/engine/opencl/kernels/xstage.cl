// Activations for the matrix-vector kernels: a work-item multiplies one 32-value group of x with its weights.
//
// x is staged per work-group in local memory, 32 groups (1,024 values) per token at a time, read from global memory
// coalesced and stored 33 floats apart so that each lane's 32 values of its group sit in 32 different banks. (Each
// lane reading its own group of x straight from global memory touched 32 cache lines per load instruction: on the
// H100 that alone took as long as the whole kernel, see docs/performance.md.)

typedef struct { float4 v[8]; float sum; } xgroup;

// Floats between consecutive groups in local memory, and per staged token.
#define XS_STRIDE (GROUP + 1)
#define XS_TOKEN (MV_LANES * XS_STRIDE)

// One group of x straight from global memory (kernel-bench's probe of the old access pattern).
inline xgroup load_x(global const float* x) {
    xgroup g;
    g.sum = 0.0f;
    #pragma unroll
    for (int i = 0; i < 8; i++) {
        g.v[i] = vload4(i, x);
        g.sum += g.v[i].x + g.v[i].y + g.v[i].z + g.v[i].w;
    }
    return g;
}

// Stages groups s_first .. s_first + 31 of x for tokens t0 .. t0 + tokens - 1 (those below ntok).
inline void stage_x(local float* xs, global const float* x, int x_stride, int t0, int ntok, int tokens, int s_first, int groups) {
    const int lid = get_local_id(0);
    const int size = get_local_size(0);
    const int count = min(MV_LANES, groups - s_first) * GROUP;
    for (int t = 0; t < tokens; t++) {
        if (t0 + t < ntok) {
            global const float* src = x + (ulong) (t0 + t) * x_stride + s_first * GROUP;
            for (int e = lid; e < count; e += size) xs[t * XS_TOKEN + (e / GROUP) * XS_STRIDE + e % GROUP] = src[e];
        }
    }
}

// The staged group of token t that lane `lane` multiplies.
inline xgroup staged_x(local const float* xs, int t, int lane) {
    local const float* v = xs + t * XS_TOKEN + lane * XS_STRIDE;
    xgroup g;
    g.sum = 0.0f;
    #pragma unroll
    for (int i = 0; i < 8; i++) {
        g.v[i] = (float4) (v[4 * i], v[4 * i + 1], v[4 * i + 2], v[4 * i + 3]);
        g.sum += g.v[i].x + g.v[i].y + g.v[i].z + g.v[i].w;
    }
    return g;
}

// 32 dequantized weights times a staged group.
inline float dot_group(const float* w, xgroup x) {
    float4 acc = (float4) (0.0f);
    #pragma unroll
    for (int i = 0; i < 8; i++) acc += (float4) (w[4 * i], w[4 * i + 1], w[4 * i + 2], w[4 * i + 3]) * x.v[i];
    return acc.x + acc.y + acc.z + acc.w;
}
