// Causal attention over the KV cache, split along positions ("flash decoding") so that a decode step, which has
// only n_heads (head, token) pairs, still spreads over the whole GPU, and long contexts cost parallel work rather
// than a longer serial loop.
//
// The cache of one layer is [slot][position][kv_dim] floats; each token of a batch names its sequence slot and
// position and attends to positions 0 .. pos. Heads share KV heads in groups (GQA).
//
// Pass 1, kernel_attention_chunk: one work-group per (head x chunk of AT_CHUNK positions, token), AT_WARPS warps.
// Each warp scores AT_CHUNK / AT_WARPS positions (lanes split the head's dimensions, a lane sum gives the score),
// then the group takes the chunk's max m, sum l of exp(score - m), and acc[d] = sum exp(score - m) v[d], written
// to `partial` as head_dim + 2 floats.
// Pass 2, kernel_attention_combine: one work-group per (head, token) rescales the chunks to their common max.
// Both passes cover only the `live` chunks that the batch's furthest position reaches (`chunks` is the capacity of
// `partial` per head): at 100 positions of a 128k context that is 1 chunk, not 1,024 mostly empty work-groups.
// With a single live chunk its result is final: the chunk kernel writes `result` itself and the combine is skipped.

// Positions per chunk: one work-group's share.
#define AT_CHUNK 128
// Warps per work-group.
#define AT_WARPS 4
// Positions a warp scores at once.
#define AT_BATCH 8
// On NVIDIA the batch is unrolled; elsewhere lane_sum has barriers, and PoCL's compile time grows with every
// barrier an unrolled loop copies.
#ifdef WEBLLM_PTX
#define AT_UNROLL _Pragma("unroll")
#else
#define AT_UNROLL _Pragma("unroll 1")
#endif

kernel void kernel_attention_chunk(global const float* q, int q_stride, global const float* k_cache,
        global const float* v_cache, global float* partial, global const int* pos, global const int* slot,
        int n_heads, int n_kv_heads, int head_dim, int ctx, float scale, int chunks, int live, global float* result) {
    local float red[AT_WARPS * MV_LANES];
    local float scores[AT_CHUNK];
    local float qh[256];
    const int h = get_group_id(0) / live;
    const int c = get_group_id(0) % live;
    const int t = get_group_id(1);
    const int lid = get_local_id(0);
    const int lane = lid % MV_LANES;
    const int warp = lid / MV_LANES;
    const int kv_head = h / (n_heads / n_kv_heads);
    const int kv_dim = n_kv_heads * head_dim;
    const int length = pos[t] + 1;
    const int first = c * AT_CHUNK;
    global float* out = partial + (((ulong) t * n_heads + h) * chunks + c) * (head_dim + 2);
    if (first >= length) {
        // a chunk past this token's position: contributes nothing
        if (lid == 0) {
            out[0] = -INFINITY;
            out[1] = 0.0f;
        }
        for (int d = lid; d < head_dim; d += AT_WARPS * MV_LANES) out[2 + d] = 0.0f;
        return;
    }
    for (int d = lid; d < head_dim; d += AT_WARPS * MV_LANES) qh[d] = q[(ulong) t * q_stride + h * head_dim + d];
    // positions a warp skips (past the token's own) must still score -inf
    for (int i = lid; i < AT_CHUNK; i += AT_WARPS * MV_LANES) scores[i] = -INFINITY;
    barrier(CLK_LOCAL_MEM_FENCE);
    global const float* kb = k_cache + (ulong) slot[t] * ctx * kv_dim + kv_head * head_dim;
    global const float* vb = v_cache + (ulong) slot[t] * ctx * kv_dim + kv_head * head_dim;
    // AT_BATCH positions at a time per warp, so their key loads are in flight together (one position at a time
    // made a decode step's attention a chain of 32 dependent load-and-sum latencies, ~33 us a layer on an H100)
    const int per_warp = AT_CHUNK / AT_WARPS;
    for (int i0 = 0; i0 < per_warp; i0 += AT_BATCH) {
#ifdef WEBLLM_PTX
        if (first + warp * per_warp + i0 >= length) break; // the rest of this warp's positions are in the future
#endif
        float s[AT_BATCH];
        AT_UNROLL for (int j = 0; j < AT_BATCH; j++) {
            const int p = first + warp * per_warp + i0 + j;
            s[j] = 0.0f;
            if (p < length) {
                global const float* kp = kb + (ulong) p * kv_dim;
                for (int d = lane; d < head_dim; d += MV_LANES) s[j] += qh[d] * kp[d];
            }
        }
        AT_UNROLL for (int j = 0; j < AT_BATCH; j++) {
            const int local_p = warp * per_warp + i0 + j;
            const float sum = lane_sum(s[j], red);
            if (lane == 0) scores[local_p] = first + local_p < length ? sum * scale : -INFINITY;
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    // chunk max and sum of exponentials, over AT_CHUNK scores by AT_WARPS * MV_LANES work-items
    float m = -INFINITY;
    for (int i = lid; i < AT_CHUNK; i += AT_WARPS * MV_LANES) m = fmax(m, scores[i]);
    red[lid] = m;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = AT_WARPS * MV_LANES / 2; stride > 0; stride >>= 1) {
        if (lid < stride) red[lid] = fmax(red[lid], red[lid + stride]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    m = red[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int i = lid; i < AT_CHUNK; i += AT_WARPS * MV_LANES) scores[i] = exp(scores[i] - m);
    barrier(CLK_LOCAL_MEM_FENCE);
    float l = 0.0f;
    for (int i = lid; i < AT_CHUNK; i += AT_WARPS * MV_LANES) l += scores[i];
    red[lid] = l;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = AT_WARPS * MV_LANES / 2; stride > 0; stride >>= 1) {
        if (lid < stride) red[lid] += red[lid + stride];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    l = red[0];
    const int count = min(AT_CHUNK, length - first);
    for (int d = lid; d < head_dim; d += AT_WARPS * MV_LANES) {
        float acc = 0.0f;
        #pragma unroll 8
        for (int i = 0; i < count; i++) acc += scores[i] * vb[(ulong) (first + i) * kv_dim + d];
        if (live == 1) {
            result[((ulong) t * n_heads + h) * head_dim + d] = acc / l;
        } else {
            out[2 + d] = acc;
        }
    }
    if (lid == 0) {
        out[0] = m;
        out[1] = l;
    }
}

kernel void kernel_attention_combine(global const float* partial, global float* out, int n_heads, int head_dim,
        int chunks, int live) {
    const int h = get_group_id(0);
    const int t = get_group_id(1);
    const int lid = get_local_id(0);
    global const float* parts = partial + ((ulong) t * n_heads + h) * chunks * (head_dim + 2);
    float m = -INFINITY;
    for (int c = 0; c < live; c++) m = fmax(m, parts[c * (head_dim + 2)]);
    float l = 0.0f;
    for (int c = 0; c < live; c++) {
        global const float* part = parts + c * (head_dim + 2);
        l += part[1] * exp(part[0] - m);
    }
    for (int d = lid; d < head_dim; d += get_local_size(0)) {
        float acc = 0.0f;
        for (int c = 0; c < live; c++) {
            global const float* part = parts + c * (head_dim + 2);
            acc += part[2 + d] * exp(part[0] - m);
        }
        out[((ulong) t * n_heads + h) * head_dim + d] = acc / l;
    }
}

// CPU variant (KernelLibrary.Variant.CPU): one work-item per (head, token) walks positions 0 .. pos of its sequence
// once with an online softmax (running max m, sum l and weighted values acc, rescaled when the max grows) and writes
// the head's output directly. The chunked kernels above launch n_heads x ctx / AT_CHUNK work-groups of 128
// work-items with barriers for every step, most of them empty at short positions, and a CPU driver pays for each;
// here the cost follows the positions actually attended. The inner loops over head_dim vectorise.
// Launch: global (n_heads, ntok), local (1, 1).
kernel void kernel_attention_cpu(global const float* q, int q_stride, global const float* k_cache,
        global const float* v_cache, global float* out, global const int* pos, global const int* slot,
        int n_heads, int n_kv_heads, int head_dim, int ctx, float scale) {
    const int h = get_global_id(0);
    const int t = get_global_id(1);
    const int kv_head = h / (n_heads / n_kv_heads);
    const int kv_dim = n_kv_heads * head_dim;
    const int length = pos[t] + 1;
    global const float* qh = q + (ulong) t * q_stride + h * head_dim;
    global const float* kb = k_cache + (ulong) slot[t] * ctx * kv_dim + kv_head * head_dim;
    global const float* vb = v_cache + (ulong) slot[t] * ctx * kv_dim + kv_head * head_dim;
    float acc[256];
    for (int d = 0; d < head_dim; d++) acc[d] = 0.0f;
    float m = -INFINITY;
    float l = 0.0f;
    for (int p = 0; p < length; p++) {
        global const float* kp = kb + (ulong) p * kv_dim;
        float s = 0.0f;
        for (int d = 0; d < head_dim; d++) s += qh[d] * kp[d];
        s *= scale;
        if (s > m) {
            const float rescale = exp(m - s);
            l *= rescale;
            for (int d = 0; d < head_dim; d++) acc[d] *= rescale;
            m = s;
        }
        const float w = exp(s - m);
        l += w;
        global const float* vp = vb + (ulong) p * kv_dim;
        for (int d = 0; d < head_dim; d++) acc[d] += w * vp[d];
    }
    global float* o = out + ((ulong) t * n_heads + h) * head_dim;
    for (int d = 0; d < head_dim; d++) o[d] = acc[d] / l;
}
