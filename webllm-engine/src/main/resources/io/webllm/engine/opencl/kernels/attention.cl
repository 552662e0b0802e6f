// Causal attention over the KV cache, split along positions ("flash decoding") so that a decode step, which has
// only n_kv_heads KV heads to read, still spreads over the whole GPU, and long contexts cost parallel work rather
// than a longer serial loop.
//
// The cache of one layer is [slot][position][kv_dim] half floats (rope.cl writes it); each token of a batch names its
// sequence slot and position and attends to positions 0 .. pos. Heads share KV heads in groups (GQA).
//
// kernel_attention_split_<largest head_dim>: one work-group per (set of up to AT_HEADS query heads of one KV head x
// chunk of `span` positions, token), AT_WARPS warps. A decode step's attention reads the whole cache once, so the heads that
// share a KV head share its key and value loads: each cached row is read once for AT_HEADS heads (one query head a
// work-group read it 4 times for Llama 3's groups of 4, and at 4,000 positions took 72 us a layer on an H100).
// The warps walk the chunk independently, AT_BATCH positions at a time each: lanes split the head's dimensions in
// pairs (a position's key and value rows are read as coalesced half2 loads), each lane forms partial dot products
// for AT_HEADS x AT_BATCH = 32 scores, and one transposing exchange through local memory leaves score L's total in
// lane L (32 stores and 32 loads a lane instead of 32 five-step reductions). The lanes of a head then keep that
// head's online softmax: max m, sum l of exp(score - m); every lane keeps acc[head][d] = sum exp(score - m) v[d]
// for its dimensions. No work-group barrier runs until the warps merge at the end (warp_sync is one warp's).
// The host picks `span` and the `live` chunk count per pass (AttentionChunking.cover): enough chunks that a
// decode step fills the GPU, few enough that a chunk has work. A token whose positions fit one chunk has that chunk
// write the final result itself; otherwise each of its chunks writes {m, l, acc} per head to `partial` and counts
// itself in `arrivals`, and the last chunk of a (token, head set) to arrive rescales all of them to their common max
// and writes the result. The combine thus costs no second launch (one a layer was ~11 us of an 8B decode token on an
// H100, ~8% of it), and no work-group waits for another: the last one simply finds the others' results written.
// Whichever chunk writes the result can also write it as Q8 activations (q8.cl) for the output projection, when
// `quantize` is set: head_dim is then a multiple of 32, so a head's values are whole groups.

// Chunks the combine loads in one round, and whether a batch's value rows load with its keys (Tuning: build
// defines -DAT_COMBINE_UNROLL, -DAT_PREFETCH_V).
#ifndef AT_COMBINE_UNROLL
#define AT_COMBINE_UNROLL 8
#endif
#ifndef AT_PREFETCH_V
#define AT_PREFETCH_V 0
#endif
#ifndef AT_TIMING
#define AT_TIMING 0
#endif

// Phase clock of -Dwebllm.attention.timing (AT_TIMING): NVIDIA's global nanosecond timer; 0 elsewhere and otherwise.
// With it the split kernel writes when chunk 0 of head set 0, token 0, entered, finished its positions, merged its
// warps and wrote its result, counted itself in and ended (timing[0..4]), and the same for the work-group that
// combined that token's chunks (timing[8..12]); Transformer.attentionPhaseMicros reads them after a pass.
inline ulong at_clock(void) {
    return AT_TIMING ? global_nanos() : 0;
}

// Warps per work-group.
#define AT_WARPS 4
#define AT_ITEMS (AT_WARPS * MV_LANES)
// Positions a warp scores at once, and query heads a work-group serves: one score per lane.
#define AT_BATCH 8
#define AT_HEADS 4
#define AT_SCORES (AT_HEADS * AT_BATCH)
// Largest head_dim.
#define AT_MAX_HEAD 256
// Row stride of the score exchange: one float of padding keeps a lane's column reads on distinct banks.
#define AT_EXCHANGE (MV_LANES + 1)
// On NVIDIA the batch is unrolled; elsewhere warp_sync is a work-group barrier, and PoCL's compile time grows with
// every barrier an unrolled loop copies.
#ifdef WEBLLM_PTX
#define AT_UNROLL _Pragma("unroll")
// Orders one warp's local-memory writes before its lanes read each other's (CUDA's __syncwarp).
inline void warp_sync(void) {
    asm volatile("bar.warp.sync 0xffffffff;" ::: "memory");
}
#else
#define AT_UNROLL _Pragma("unroll 1")
// Elsewhere the whole work-group: every work-item runs the same number of batches there (no early break).
inline void warp_sync(void) {
    barrier(CLK_LOCAL_MEM_FENCE);
}
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

// Most chunks a token's positions split into (AttentionSplit.MAX_CHUNKS): bounds the combine's weights.
#define AT_MAX_CHUNKS 128

// The last chunk of a (token, head set) to finish: rescales the `chunks` partial results of each of its heads to
// their common max and writes the head's output. Warp g finds head g's max and the chunks' weights (its lanes
// split the chunks), then every work-item sums its dimensions of every head over the chunks: independent loads,
// where one work-item walking the chunks head after head (a chain of dependent loads) took ~30 us a layer at 500
// positions on an H200. `weights`: AT_HEADS x AT_MAX_CHUNKS floats, `head_l`: AT_HEADS. By the whole work-group.
inline void combine_chunks(global const float* partial, int t, int live, int chunks, int h0, int heads,
        int n_heads, int head_dim, int max_head, global float* result, global char* xq, global float2* xd,
        int quantize, local float* values, local float* weights, local float* head_l, local float* red) {
    const int lid = get_local_id(0);
    const int lane = lid % MV_LANES;
    const int g = lid / MV_LANES; // AT_WARPS == AT_HEADS: a warp a head
    const ulong part_stride = (ulong) n_heads * (head_dim + 2);
    global const float* first = partial + ((ulong) t * live * n_heads + h0) * (head_dim + 2);
    {
        // every warp runs the reductions (barriers off NVIDIA); a warp past the set's heads reads head 0's. A lane's
        // chunks' {m, l} (adjacent floats) come in one load each and stay in registers for the weights.
        global const float* parts = first + (g < heads ? g : 0) * (head_dim + 2);
        float2 ml[AT_MAX_CHUNKS / MV_LANES];
        float m = -INFINITY;
        AT_UNROLL for (int i = 0; i < AT_MAX_CHUNKS / MV_LANES; i++) {
            const int k = lane + i * MV_LANES;
            ml[i] = k < chunks ? load2_shared_l2(parts + k * part_stride) : (float2) (-INFINITY, 0.0f);
            m = fmax(m, ml[i].x);
        }
        m = lane_max(m, red);
        float l = 0.0f;
        AT_UNROLL for (int i = 0; i < AT_MAX_CHUNKS / MV_LANES; i++) {
            const int k = lane + i * MV_LANES;
            if (k < chunks) {
                const float w = exp(ml[i].x - m);
                weights[g * AT_MAX_CHUNKS + k] = w;
                l += ml[i].y * w;
            }
        }
        l = lane_sum(l, red);
        if (lane == 0) head_l[g] = l;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int d = lid; d < head_dim; d += AT_ITEMS) {
        // AT_COMBINE_UNROLL chunks' loads for every head of the set in flight together, a round of dependent trips
        // to L2 for every AT_COMBINE_UNROLL chunks (the last round repeats the last chunk, weighing the copies 0; a
        // head set past `heads` repeats head 0, whose weights it then ignores). Sums in chunk order.
        float sum[AT_HEADS];
        AT_UNROLL for (int h = 0; h < AT_HEADS; h++) sum[h] = 0.0f;
        for (int k = 0; k < chunks; k += AT_COMBINE_UNROLL) {
            float a[AT_COMBINE_UNROLL][AT_HEADS];
            AT_UNROLL for (int i = 0; i < AT_COMBINE_UNROLL; i++)
                AT_UNROLL for (int h = 0; h < AT_HEADS; h++)
                    a[i][h] = load_shared_l2(first + (h < heads ? h : 0) * (head_dim + 2) + 2 + d
                            + min(k + i, chunks - 1) * part_stride);
            AT_UNROLL for (int i = 0; i < AT_COMBINE_UNROLL; i++) {
                if (k + i < chunks) {
                    AT_UNROLL for (int h = 0; h < AT_HEADS; h++) sum[h] += a[i][h] * weights[h * AT_MAX_CHUNKS + k + i];
                }
            }
        }
        AT_UNROLL for (int h = 0; h < AT_HEADS; h++) {
            if (h < heads) values[h * max_head + d] = sum[h];
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = 0; h < heads; h++) {
        emit_head(values + h * max_head, head_l[h], result, t, h0 + h, n_heads, head_dim, quantize, xq, xd, red);
    }
}

// Work-groups a KV head's query heads take at each chunk and token: AT_HEADS query heads a work-group (its head set).
inline int attention_head_sets(int n_heads, int n_kv_heads) {
    return (n_heads / n_kv_heads + AT_HEADS - 1) / AT_HEADS;
}

// The split pass for heads of at most lane_pairs * 64 dimensions (a constant at each call: the loops over a lane's
// dimension pairs unroll to that many, and registers are held for no more). Lane `lane` holds the pairs
// (2p, 2p + 1), p = lane + 32 i.
__attribute__((always_inline)) inline void attention_split(global const float* q, int q_stride, global const half* k_cache,
        global const half* v_cache, global float* partial, volatile global int* arrivals, global const int* pos,
        global const int* slot, int n_heads, int n_kv_heads, int head_dim, int ctx, float scale, int span, int live,
        global float* result, global char* xq, global float2* xd, int quantize, global ulong* timing,
        const int lane_pairs, const int max_head, local float* red, local float* exchange, local float* shared,
        local float* warp_m, local float* warp_l, local float* warp_acc, local int* last) {
    const ulong entered = at_clock();
    const int group_heads = n_heads / n_kv_heads;
    const int sets = attention_head_sets(n_heads, n_kv_heads);
    const int c = get_group_id(0) % live;
    const int set = get_group_id(0) / live;
    const int kv_head = set / sets;
    const int h0 = kv_head * group_heads + (set % sets) * AT_HEADS;
    const int heads = min(AT_HEADS, group_heads - (set % sets) * AT_HEADS);
    const int t = get_group_id(1);
    const int lid = get_local_id(0);
    const int lane = lid % MV_LANES;
    const int warp = lid / MV_LANES;
    const int kv_dim = n_kv_heads * head_dim;
    const int length = pos[t] + 1;
    const int first = c * span;
    // a chunk past this token's position contributes nothing and is not counted (the whole work-group returns: no
    // barrier waits); the token's chunks are the first `chunks`
    if (first >= length) return;
    const int chunks = min(live, (length + span - 1) / span);
    const int end = min(first + span, length);
    // the queries' pairs this lane holds, scaled, and its sums of weighted values
    float2 qr[AT_HEADS][AT_MAX_HEAD / 64];
    float2 acc[AT_HEADS][AT_MAX_HEAD / 64];
    AT_UNROLL for (int g = 0; g < AT_HEADS; g++) {
        global const float* qh = q + (ulong) t * q_stride + (h0 + min(g, heads - 1)) * head_dim;
        AT_UNROLL for (int i = 0; i < AT_MAX_HEAD / 64; i++) if (i < lane_pairs) {
            const int d = 2 * (lane + i * MV_LANES);
            // unconditional, from the head's last pair past its end (see the keys below), selected after
            const float2 v = vload2(0, qh + min(d, head_dim - 2));
            qr[g][i] = d < head_dim && g < heads ? v * scale : (float2) (0.0f);
            acc[g][i] = (float2) (0.0f);
        }
    }
    global const half* kb = k_cache + (ulong) slot[t] * ctx * kv_dim + kv_head * head_dim;
    global const half* vb = v_cache + (ulong) slot[t] * ctx * kv_dim + kv_head * head_dim;
    local float* lanes = exchange + warp * AT_SCORES * AT_EXCHANGE;
    local float* mine = shared + warp * 2 * MV_LANES;
    // this lane's score: head own_head, position own_j of each batch
    const int own_head = lane / AT_BATCH;
    const int own_j = lane % AT_BATCH;
    float m = -INFINITY; // own_head's running max (the same in its AT_BATCH lanes)
    float l = 0.0f;      // this lane's share of own_head's sum of weights
    for (int p0 = first; p0 < first + span; p0 += AT_WARPS * AT_BATCH) {
        const int base = p0 + warp * AT_BATCH;
#ifdef WEBLLM_PTX
        if (base >= end) break; // warp-uniform: the rest of this warp's positions are past the chunk or the token
#endif
#if AT_PREFETCH_V
        // the batch's value pairs, loaded with its keys: they do not depend on the scores
        float2 vr[AT_BATCH][AT_MAX_HEAD / 64];
        AT_UNROLL for (int j = 0; j < AT_BATCH; j++) {
            global const half* vp = vb + (ulong) min(base + j, end - 1) * kv_dim;
            AT_UNROLL for (int i = 0; i < AT_MAX_HEAD / 64; i++) if (i < lane_pairs) {
                const int p = lane + i * MV_LANES;
                const float2 v = vload_half2(min(p, head_dim / 2 - 1), vp);
                vr[j][i] = 2 * p < head_dim ? v : (float2) (0.0f);
            }
        }
#endif
        // Every key (and value, and above query) load of the batch is unconditional: positions past the chunk read its
        // last row (their scores are masked below), lanes past the head's pairs read its last pair (their queries are
        // zero), so that the loads can all be in flight together. A load under `base + j < end` or `2 * p < head_dim`
        // sits in a branch with the sums that use it: clang's PTX for NVIDIA then had 49 branches before the first warp
        // sync instead of 9, and on an H100 the 8B's attention took 0.609 ms a token at 16-80 positions against 0.430
        // (session 13, docs/performance.md step 58).
        float s[AT_HEADS][AT_BATCH];
        AT_UNROLL for (int j = 0; j < AT_BATCH; j++) {
            AT_UNROLL for (int g = 0; g < AT_HEADS; g++) s[g][j] = 0.0f;
            global const half* kp = kb + (ulong) min(base + j, end - 1) * kv_dim;
            AT_UNROLL for (int i = 0; i < AT_MAX_HEAD / 64; i++) if (i < lane_pairs) {
                const float2 k = vload_half2(min(lane + i * MV_LANES, head_dim / 2 - 1), kp);
                AT_UNROLL for (int g = 0; g < AT_HEADS; g++) s[g][j] += dot(qr[g][i], k);
            }
        }
        // transpose: row g * AT_BATCH + j holds every lane's part of score (g, j); lane L sums row L
        warp_sync(); // the previous batch's reads of `lanes` and `mine` are done
        AT_UNROLL for (int g = 0; g < AT_HEADS; g++)
            AT_UNROLL for (int j = 0; j < AT_BATCH; j++) lanes[(g * AT_BATCH + j) * AT_EXCHANGE + lane] = s[g][j];
        warp_sync();
        float own = 0.0f;
        AT_UNROLL for (int i = 0; i < MV_LANES; i++) own += lanes[lane * AT_EXCHANGE + i];
        own = base + own_j < end && own_head < heads ? own : -INFINITY;
        mine[lane] = own;
        warp_sync();
        float batch_max = -INFINITY;
        AT_UNROLL for (int j = 0; j < AT_BATCH; j++) batch_max = fmax(batch_max, mine[own_head * AT_BATCH + j]);
        const float next = fmax(m, batch_max);
        // next is -inf only while the head has had no score (a padding head): nothing to weigh or rescale
        const float rescale = next == -INFINITY ? 1.0f : exp(m - next);
        const float w = next == -INFINITY ? 0.0f : exp(own - next);
        l = l * rescale + w;
        m = next;
        warp_sync();
        // weights position-major (a position's AT_HEADS weights are one float4), then the heads' rescale factors
        mine[own_j * AT_HEADS + own_head] = w;
        if (own_j == 0) mine[MV_LANES + own_head] = rescale;
        warp_sync();
        AT_UNROLL for (int g = 0; g < AT_HEADS; g++) {
            const float r = mine[MV_LANES + g];
            AT_UNROLL for (int i = 0; i < AT_MAX_HEAD / 64; i++) if (i < lane_pairs) acc[g][i] *= r;
        }
        AT_UNROLL for (int j = 0; j < AT_BATCH; j++) {
            if (base + j < end) {
                const float4 wj = vload4(j, mine);
                const float wg[AT_HEADS] = {wj.x, wj.y, wj.z, wj.w};
                global const half* vp = vb + (ulong) (base + j) * kv_dim;
                AT_UNROLL for (int i = 0; i < AT_MAX_HEAD / 64; i++) if (i < lane_pairs) {
                    const int p = lane + i * MV_LANES;
                    if (2 * p < head_dim) {
#if AT_PREFETCH_V
                        const float2 v = vr[j][i];
#else
                        const float2 v = vload_half2(p, vp);
#endif
                        AT_UNROLL for (int g = 0; g < AT_HEADS; g++) acc[g][i] += wg[g] * v;
                    }
                }
            }
        }
    }
    const ulong scored = at_clock();
    // merge the warps' softmax states per head: the chunk's max, and every warp's sums rescaled to it
    warp_sync();
    mine[lane] = l;
    warp_sync();
    if (own_j == 0) {
        float sum = 0.0f;
        for (int j = 0; j < AT_BATCH; j++) sum += mine[own_head * AT_BATCH + j];
        warp_m[warp * AT_HEADS + own_head] = m;
        warp_l[warp * AT_HEADS + own_head] = sum;
    }
    AT_UNROLL for (int g = 0; g < AT_HEADS; g++) {
        AT_UNROLL for (int i = 0; i < AT_MAX_HEAD / 64; i++) if (i < lane_pairs) {
            const int d = 2 * (lane + i * MV_LANES);
            if (d < head_dim) vstore2(acc[g][i], 0, warp_acc + (warp * AT_HEADS + g) * max_head + d);
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int g = 0; g < heads; g++) {
        global float* out = partial + (((ulong) t * live + c) * n_heads + h0 + g) * (head_dim + 2);
        float chunk_m = -INFINITY;
        for (int w = 0; w < AT_WARPS; w++) chunk_m = fmax(chunk_m, warp_m[w * AT_HEADS + g]);
        float factor[AT_WARPS];
        float chunk_l = 0.0f;
        for (int w = 0; w < AT_WARPS; w++) {
            factor[w] = exp(warp_m[w * AT_HEADS + g] - chunk_m); // 0 for a warp that had no position
            chunk_l += warp_l[w * AT_HEADS + g] * factor[w];
        }
        // warp 0's row of head g ends up holding the chunk's sums: each d is read and written by one work-item
        local float* sums = warp_acc + g * max_head;
        for (int d = lid; d < head_dim; d += AT_ITEMS) {
            float sum = 0.0f;
            for (int w = 0; w < AT_WARPS; w++) sum += warp_acc[(w * AT_HEADS + g) * max_head + d] * factor[w];
            sums[d] = sum;
            if (chunks > 1) out[2 + d] = sum;
        }
        // no return here for several chunks: PoCL's work-group loops crashed on a return between two barriers
        if (chunks > 1 && lid == 0) {
            out[0] = chunk_m;
            out[1] = chunk_l;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        if (chunks == 1) emit_head(sums, chunk_l, result, t, h0 + g, n_heads, head_dim, quantize, xq, xd, red);
    }
    const ulong merged = at_clock();
    ulong counted = merged;
    int combined = 0;
    // no returns below: PoCL's work-group loops crashed on a return between two barriers
    if (chunks > 1) {
        // every work-item's partial writes reach global memory before this work-group counts itself in
        device_fence();
        barrier(CLK_LOCAL_MEM_FENCE);
        // (not get_num_groups: warming work-groups may follow)
        const int sets_per_token = n_kv_heads * sets;
        volatile global int* arrived = arrivals + (ulong) t * sets_per_token + set;
        if (lid == 0) {
            *last = atomic_inc(arrived) == chunks - 1;
            // the others have all counted: reset for the next pass (launches on the queue run one after another)
            if (*last) *arrived = 0;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        counted = at_clock();
        combined = *last;
        if (*last) {
            device_fence();
            combine_chunks(partial, t, live, chunks, h0, heads, n_heads, head_dim, max_head, result, xq, xd, quantize,
                    warp_acc, exchange, warp_m, red);
        }
    }
#if AT_TIMING
    if (lid == 0 && t == 0 && set == 0) {
        const ulong ended = at_clock();
        const ulong phases[5] = {entered, scored, merged, counted, ended};
        if (c == 0) for (int i = 0; i < 5; i++) timing[i] = phases[i];
        if (combined) for (int i = 0; i < 5; i++) timing[8 + i] = phases[i];
    }
#endif
}

// kernel_attention_split_<largest head_dim>, the host picks the smallest that fits.
// Launch: global (n_kv_heads * ceil(group / AT_HEADS) * live * AT_ITEMS, ntok), local (AT_ITEMS, 1), where
// group = n_heads / n_kv_heads. `arrivals`: one int per (token, head set), zero before the first launch (each
// launch leaves them zero again). `timing`: 16 ulongs written only with AT_TIMING (any buffer otherwise). Warming
// work-groups may follow in dimension 0 (warm.cl).
#define DEFINE_ATTENTION_SPLIT(MAX_HEAD)                                                                          \
kernel void kernel_attention_split_##MAX_HEAD(global const float* q, int q_stride, global const half* k_cache,  \
        global const half* v_cache, global float* partial, volatile global int* arrivals, global const int* pos,  \
        global const int* slot, int n_heads, int n_kv_heads, int head_dim, int ctx, float scale, int span,        \
        int live, global float* result, global char* xq, global float2* xd, int quantize, global ulong* timing,     \
        WARM_PARAMS) {                                                                                            \
    local float red[AT_ITEMS];                                                                                    \
    local float exchange[AT_WARPS * AT_SCORES * AT_EXCHANGE];                                                     \
    local float shared[AT_WARPS * 2 * MV_LANES];                                                                  \
    local float warp_m[AT_WARPS * AT_HEADS];                                                                      \
    local float warp_l[AT_WARPS * AT_HEADS];                                                                      \
    local float warp_acc[AT_WARPS * AT_HEADS * MAX_HEAD];                                                         \
    local int last;                                                                                               \
    const int sets_per_token = n_kv_heads * attention_head_sets(n_heads, n_kv_heads);                            \
    if (warming_group(sets_per_token * live, WARM_ARGS)) return;                                                  \
    attention_split(q, q_stride, k_cache, v_cache, partial, arrivals, pos, slot, n_heads, n_kv_heads, head_dim,   \
            ctx, scale, span, live, result, xq, xd, quantize, timing, MAX_HEAD / 64, MAX_HEAD, red, exchange,     \
            shared, warp_m, warp_l, warp_acc, &last);                                                             \
}

DEFINE_ATTENTION_SPLIT(64)
DEFINE_ATTENTION_SPLIT(128)
DEFINE_ATTENTION_SPLIT(256)

// CPU variant (KernelLibrary.Variant.CPU): one work-item per (head, token) walks positions 0 .. pos of its sequence
// once with an online softmax (running max m, sum l and weighted values acc, rescaled when the max grows) and writes
// the head's output directly. The chunked kernels above launch n_heads x ctx / AT_CHUNK work-groups of 128
// work-items with barriers for every step, most of them empty at short positions, and a CPU driver pays for each;
// here the cost follows the positions actually attended. The inner loops over head_dim vectorise.
// Launch: global (n_heads, ntok), local (1, 1).
kernel void kernel_attention_cpu(global const float* q, int q_stride, global const half* k_cache,
        global const half* v_cache, global float* out, global const int* pos, global const int* slot,
        int n_heads, int n_kv_heads, int head_dim, int ctx, float scale) {
    const int h = get_global_id(0);
    const int t = get_global_id(1);
    const int kv_head = h / (n_heads / n_kv_heads);
    const int kv_dim = n_kv_heads * head_dim;
    const int length = pos[t] + 1;
    global const float* qh = q + (ulong) t * q_stride + h * head_dim;
    global const half* kb = k_cache + (ulong) slot[t] * ctx * kv_dim + kv_head * head_dim;
    global const half* vb = v_cache + (ulong) slot[t] * ctx * kv_dim + kv_head * head_dim;
    float acc[256];
    for (int d = 0; d < head_dim; d++) acc[d] = 0.0f;
    float m = -INFINITY;
    float l = 0.0f;
    for (int p = 0; p < length; p++) {
        global const half* kp = kb + (ulong) p * kv_dim;
        float s = 0.0f;
        for (int d = 0; d < head_dim; d++) s += qh[d] * vload_half(d, kp);
        s *= scale;
        if (s > m) {
            const float rescale = exp(m - s);
            l *= rescale;
            for (int d = 0; d < head_dim; d++) acc[d] *= rescale;
            m = s;
        }
        const float w = exp(s - m);
        l += w;
        global const half* vp = vb + (ulong) p * kv_dim;
        for (int d = 0; d < head_dim; d++) acc[d] += w * vload_half(d, vp);
    }
    global float* o = out + ((ulong) t * n_heads + h) * head_dim;
    for (int d = 0; d < head_dim; d++) o[d] = acc[d] / l;
}
