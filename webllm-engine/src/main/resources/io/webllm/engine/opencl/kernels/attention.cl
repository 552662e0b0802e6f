// Causal attention over the KV cache, split along positions ("flash decoding") so that a decode step, which has
// only n_heads (head, token) pairs, still spreads over the whole GPU, and long contexts cost parallel work rather
// than a longer serial loop.
//
// The cache of one layer is [slot][position][kv_dim] floats; each token of a batch names its sequence slot and
// position and attends to positions 0 .. pos. Heads share KV heads in groups (GQA).
//
// Pass 1, kernel_attention_split: one work-group per (head x chunk of `span` positions, token), AT_WARPS warps. The
// warps walk the chunk independently, AT_BATCH positions at a time each (lanes split the head's dimensions, so a
// position's key and value rows are read coalesced; the batch keeps AT_BATCH rows of loads in flight), keeping
// their own online softmax: max m, sum l of exp(score - m), and acc[d] = sum exp(score - m) v[d]. No barrier runs
// until the warps merge at the end. (One warp per position and a work-item per dimension summing all positions'
// values afterwards made a decode step a chain of ~16 dependent loads per work-item: ~30 us a layer on an H100 at
// any short context, with one work-group per head.)
// The host picks `span` and the `live` chunk count per pass (Transformer.coverPositions): enough chunks that a
// decode step fills the GPU, few enough that a chunk has work. One live chunk writes the final result itself;
// otherwise each chunk writes {m, l, acc} to `partial` and pass 2, kernel_attention_combine (one work-group per
// (head, token)), rescales the chunks to their common max.
// Whichever pass writes the result can also write it as Q8 activations (q8.cl) for the output projection, when
// `quantize` is set: head_dim is then a multiple of 32, so a head's values are whole groups.

// Warps per work-group.
#define AT_WARPS 4
#define AT_ITEMS (AT_WARPS * MV_LANES)
// Positions a warp scores at once.
#define AT_BATCH 8
// Largest head_dim, and the dimensions each lane holds at most.
#define AT_MAX_HEAD 256
#define AT_LANE_DIMS (AT_MAX_HEAD / MV_LANES)
// On NVIDIA the batch is unrolled; elsewhere lane_sum has barriers, and PoCL's compile time grows with every
// barrier an unrolled loop copies.
#ifdef WEBLLM_PTX
#define AT_UNROLL _Pragma("unroll")
#else
#define AT_UNROLL _Pragma("unroll 1")
#endif

// Writes a head's values (values[d] / l, d < head_dim, in local memory) as the final attention output of (token,
// head), and with `quantize` as its head_dim / 32 groups of Q8 activations too. By the whole work-group.
inline void emit_head(local const float* values, float l, global float* result, int t, int h, int n_heads,
        int head_dim, int quantize, global char* xq, global float2* xd, local float* red) {
    const int lid = get_local_id(0);
    const float inv = 1.0f / l;
    global float* out = result + ((ulong) t * n_heads + h) * head_dim;
    if (!quantize) {
        for (int d = lid; d < head_dim; d += AT_ITEMS) out[d] = values[d] * inv;
        return;
    }
    const int groups = head_dim / GROUP;
    const int row_groups = n_heads * groups;
    const int lane = lid % MV_LANES;
    // one warp a group; every work-item calls quantize_lanes the same number of times (barriers off NVIDIA)
    for (int g0 = 0; g0 < groups; g0 += AT_WARPS) {
        const int g = g0 + lid / MV_LANES;
        const int live = g < groups;
        const int d = min(g, groups - 1) * GROUP + lane;
        const float v = values[d] * inv;
        if (live) out[d] = v;
        const ulong k = (ulong) t * row_groups + h * groups + min(g, groups - 1);
        const float2 scales = quantize_lanes(v, xq + k * GROUP, live, red);
        if (live && lane == 0) xd[k] = scales;
    }
}

// The split pass for heads of at most lane_dims * 32 dimensions (a constant at each call: the loops over a lane's
// dimensions unroll to that many, and registers are held for no more).
inline void attention_split(global const float* q, int q_stride, global const float* k_cache,
        global const float* v_cache, global float* partial, global const int* pos, global const int* slot,
        int n_heads, int n_kv_heads, int head_dim, int ctx, float scale, int span, int live, global float* result,
        global char* xq, global float2* xd, int quantize, const int lane_dims,
        local float* red, local float* warp_m, local float* warp_l, local float* warp_acc) {
    const int h = get_group_id(0) / live;
    const int c = get_group_id(0) % live;
    const int t = get_group_id(1);
    const int lid = get_local_id(0);
    const int lane = lid % MV_LANES;
    const int warp = lid / MV_LANES;
    const int kv_head = h / (n_heads / n_kv_heads);
    const int kv_dim = n_kv_heads * head_dim;
    const int length = pos[t] + 1;
    const int first = c * span;
    global float* out = partial + (((ulong) t * live + c) * n_heads + h) * (head_dim + 2);
    if (first >= length) {
        // a chunk past this token's position contributes nothing (the whole work-group returns: no barrier waits)
        if (lid == 0) {
            out[0] = -INFINITY;
            out[1] = 0.0f;
        }
        for (int d = lid; d < head_dim; d += AT_ITEMS) out[2 + d] = 0.0f;
        return;
    }
    const int end = min(first + span, length);
    // this lane's dimensions d = lane + 32 i of the query, in registers
    float qr[AT_LANE_DIMS];
    float acc[AT_LANE_DIMS];
    global const float* qh = q + (ulong) t * q_stride + h * head_dim;
    AT_UNROLL for (int i = 0; i < lane_dims; i++) {
        const int d = lane + i * MV_LANES;
        qr[i] = d < head_dim ? qh[d] * scale : 0.0f;
        acc[i] = 0.0f;
    }
    global const float* kb = k_cache + (ulong) slot[t] * ctx * kv_dim + kv_head * head_dim;
    global const float* vb = v_cache + (ulong) slot[t] * ctx * kv_dim + kv_head * head_dim;
    float m = -INFINITY;
    float l = 0.0f;
    for (int p0 = first; p0 < first + span; p0 += AT_ITEMS / MV_LANES * AT_BATCH) {
        const int base = p0 + warp * AT_BATCH;
#ifdef WEBLLM_PTX
        if (base >= end) break; // warp-uniform: the rest of this warp's positions are past the chunk or the token
#endif
        float s[AT_BATCH];
        AT_UNROLL for (int j = 0; j < AT_BATCH; j++) {
            s[j] = 0.0f;
            if (base + j < end) {
                global const float* kp = kb + (ulong) (base + j) * kv_dim;
                AT_UNROLL for (int i = 0; i < lane_dims; i++) {
                    const int d = lane + i * MV_LANES;
                    if (d < head_dim) s[j] += qr[i] * kp[d];
                }
            }
        }
        float batch_max = -INFINITY;
        AT_UNROLL for (int j = 0; j < AT_BATCH; j++) {
            const float sum = lane_sum(s[j], red);
            s[j] = base + j < end ? sum : -INFINITY;
            batch_max = fmax(batch_max, s[j]);
        }
        const float next = fmax(m, batch_max);
        if (next > -INFINITY) {
            // exp(-inf) = 0 for the old sums before any score, and for positions past the end
            const float rescale = exp(m - next);
            l *= rescale;
            AT_UNROLL for (int i = 0; i < lane_dims; i++) acc[i] *= rescale;
            AT_UNROLL for (int j = 0; j < AT_BATCH; j++) {
                if (base + j < end) {
                    const float w = exp(s[j] - next);
                    l += w;
                    global const float* vp = vb + (ulong) (base + j) * kv_dim;
                    AT_UNROLL for (int i = 0; i < lane_dims; i++) {
                        const int d = lane + i * MV_LANES;
                        if (d < head_dim) acc[i] += w * vp[d];
                    }
                }
            }
            m = next;
        }
    }
    // merge the warps' softmax states: the chunk's max, and every warp's sums rescaled to it
    if (lane == 0) {
        warp_m[warp] = m;
        warp_l[warp] = l;
    }
    AT_UNROLL for (int i = 0; i < lane_dims; i++) {
        const int d = lane + i * MV_LANES;
        if (d < head_dim) warp_acc[warp * AT_MAX_HEAD + d] = acc[i];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    float chunk_m = -INFINITY;
    for (int w = 0; w < AT_WARPS; w++) chunk_m = fmax(chunk_m, warp_m[w]);
    float factor[AT_WARPS];
    float chunk_l = 0.0f;
    for (int w = 0; w < AT_WARPS; w++) {
        factor[w] = exp(warp_m[w] - chunk_m); // 0 for a warp that had no position
        chunk_l += warp_l[w] * factor[w];
    }
    for (int d = lid; d < head_dim; d += AT_ITEMS) {
        float sum = 0.0f;
        for (int w = 0; w < AT_WARPS; w++) sum += warp_acc[w * AT_MAX_HEAD + d] * factor[w];
        warp_acc[d] = sum; // row 0 now holds the chunk's sums: each d is read and written by one work-item
        if (live > 1) out[2 + d] = sum;
    }
    // no return here for live > 1: PoCL's work-group loops crashed on a return between two barriers
    if (live > 1 && lid == 0) {
        out[0] = chunk_m;
        out[1] = chunk_l;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    if (live == 1) emit_head(warp_acc, chunk_l, result, t, h, n_heads, head_dim, quantize, xq, xd, red);
}

// kernel_attention_split_<largest head_dim>, the host picks the smallest that fits.
// Launch: global (n_heads * live * AT_ITEMS, ntok), local (AT_ITEMS, 1).
#define DEFINE_ATTENTION_SPLIT(MAX_HEAD)                                                                          \
kernel void kernel_attention_split_##MAX_HEAD(global const float* q, int q_stride, global const float* k_cache,  \
        global const float* v_cache, global float* partial, global const int* pos, global const int* slot,       \
        int n_heads, int n_kv_heads, int head_dim, int ctx, float scale, int span, int live,                      \
        global float* result, global char* xq, global float2* xd, int quantize) {                                 \
    local float red[AT_ITEMS];                                                                                    \
    local float warp_m[AT_WARPS];                                                                                 \
    local float warp_l[AT_WARPS];                                                                                 \
    local float warp_acc[AT_WARPS * AT_MAX_HEAD];                                                                 \
    attention_split(q, q_stride, k_cache, v_cache, partial, pos, slot, n_heads, n_kv_heads, head_dim, ctx,        \
            scale, span, live, result, xq, xd, quantize, MAX_HEAD / MV_LANES, red, warp_m, warp_l, warp_acc);     \
}

DEFINE_ATTENTION_SPLIT(64)
DEFINE_ATTENTION_SPLIT(128)
DEFINE_ATTENTION_SPLIT(256)

// Launch: global (n_heads * AT_ITEMS, ntok), local (AT_ITEMS, 1).
kernel void kernel_attention_combine(global const float* partial, global float* result, int n_heads, int head_dim,
        int live, global char* xq, global float2* xd, int quantize) {
    local float red[AT_ITEMS];
    local float values[AT_MAX_HEAD];
    const int h = get_group_id(0);
    const int t = get_group_id(1);
    const int lid = get_local_id(0);
    const ulong part_stride = (ulong) n_heads * (head_dim + 2);
    global const float* parts = partial + ((ulong) t * live * n_heads + h) * (head_dim + 2);
    float m = -INFINITY;
    for (int c = 0; c < live; c++) m = fmax(m, parts[c * part_stride]);
    float l = 0.0f;
    for (int c = 0; c < live; c++) {
        global const float* part = parts + c * part_stride;
        l += part[1] * exp(part[0] - m);
    }
    for (int d = lid; d < head_dim; d += AT_ITEMS) {
        float acc = 0.0f;
        for (int c = 0; c < live; c++) {
            global const float* part = parts + c * part_stride;
            acc += part[2 + d] * exp(part[0] - m);
        }
        values[d] = acc;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    emit_head(values, l, result, t, h, n_heads, head_dim, quantize, xq, xd, red);
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
