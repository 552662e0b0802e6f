// KV cache and causal attention. The cache of one layer is [slot][position][kv_dim] floats; each token of a batch
// names its sequence slot and position, so tokens of different sequences can share one forward pass.

// One work-group per (head, token): scores against every cached position up to the token's own, softmax, and the
// weighted sum of values. Heads share KV heads in groups (GQA). `att` is scratch of ntok * n_heads * ctx floats.
kernel void kernel_attention(global const float* q, int q_stride, global const float* k_cache, global const float* v_cache,
        global float* out, global float* att, global const int* pos, global const int* slot,
        int n_heads, int n_kv_heads, int head_dim, int ctx, float scale, local float* scratch) {
    const int h = get_group_id(0);
    const int t = get_group_id(1);
    const int lid = get_local_id(0);
    const int lsz = get_local_size(0);
    const int kv_head = h / (n_heads / n_kv_heads);
    const int kv_dim = n_kv_heads * head_dim;
    const int length = pos[t] + 1;
    global const float* qh = q + (ulong) t * q_stride + h * head_dim;
    global const float* kb = k_cache + (ulong) slot[t] * ctx * kv_dim + kv_head * head_dim;
    global const float* vb = v_cache + (ulong) slot[t] * ctx * kv_dim + kv_head * head_dim;
    global float* a = att + ((ulong) t * n_heads + h) * ctx;

    float max_score = -INFINITY;
    for (int p = lid; p < length; p += lsz) {
        global const float* kp = kb + (ulong) p * kv_dim;
        float s = 0.0f;
        for (int d = 0; d < head_dim; d++) s += qh[d] * kp[d];
        s *= scale;
        a[p] = s;
        max_score = fmax(max_score, s);
    }
    scratch[lid] = max_score;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = lsz / 2; stride > 0; stride >>= 1) {
        if (lid < stride) scratch[lid] = fmax(scratch[lid], scratch[lid + stride]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    max_score = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);

    float sum = 0.0f;
    for (int p = lid; p < length; p += lsz) {
        float e = exp(a[p] - max_score);
        a[p] = e;
        sum += e;
    }
    scratch[lid] = sum;
    barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
    for (int stride = lsz / 2; stride > 0; stride >>= 1) {
        if (lid < stride) scratch[lid] += scratch[lid + stride];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float inv_sum = 1.0f / scratch[0];

    global float* o = out + ((ulong) t * n_heads + h) * head_dim;
    for (int d = lid; d < head_dim; d += lsz) {
        float acc = 0.0f;
        for (int p = 0; p < length; p++) acc += a[p] * vb[(ulong) p * kv_dim + d];
        o[d] = acc * inv_sum;
    }
}
