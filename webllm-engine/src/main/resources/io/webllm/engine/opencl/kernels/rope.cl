// Positions, in one launch per layer: optional per-head RMS norm (Qwen3's q/k norms), rotary embedding of q in
// place, rotary embedding of k written into the KV cache, and v copied into the cache.
// The cache holds half floats (rounded to nearest even, as llama.cpp's default f16 cache): a long context's decode
// reads every cached key and value once a token, so half the bytes is nearly half the attention time, and twice the
// context fits in the same memory.
//
// The batch's q, k and v sit in one row per token, qkv_stride floats wide: q at 0, k at q_dim, v at q_dim + kv_dim
// (one fused projection writes them so). One work-group per (head, token) with head_dim / 2 work-items, each owning
// one rotation pair; heads 0 .. n_heads-1 are q heads, the next n_kv_heads are k heads (which also move v).
// Pair i rotates by pos * freq_scale * base^(-2i/head_dim), divided by freq_factors[i] when the model has them
// (Llama 3's rope_freqs). neox = 0 rotates adjacent values (2i, 2i+1) as GGUF's permuted Llama weights expect;
// neox = 1 rotates (i, i + head_dim/2) as Qwen does.
// Pair i (values x0, x1) of a head rotated for `position`. Shared with the stacked q/k/v product that applies the
// rope itself (mul_mv_q8.cl, rope_finished_heads).
inline float2 rope_rotate(float x0, float x1, int i, int head_dim, int position, float theta_base, float freq_scale,
        global const float* freq_factors, int has_freq_factors) {
    float theta = (float) position * freq_scale * pow(theta_base, -2.0f * i / head_dim);
    if (has_freq_factors) theta /= freq_factors[i];
    const float c = cos(theta);
    const float s = sin(theta);
    return (float2) (x0 * c - x1 * s, x0 * s + x1 * c);
}

kernel void kernel_rope_store(global float* qkv, int qkv_stride, int n_heads, int n_kv_heads, int head_dim,
        global const int* pos, global const int* slot, global half* k_cache, global half* v_cache, int ctx,
        float theta_base, float freq_scale, global const float* freq_factors, int has_freq_factors, int neox,
        global const float* q_norm, global const float* k_norm, int has_norm, float eps, local float* red) {
    const int h = get_group_id(0);
    const int t = get_group_id(1);
    const int i = get_local_id(0);
    const int half_dim = head_dim / 2;
    const int q_dim = n_heads * head_dim;
    const int kv_dim = n_kv_heads * head_dim;
    const bool is_q = h < n_heads;
    const int kv_head = h - n_heads;
    global float* head = qkv + (ulong) t * qkv_stride + (is_q ? h * head_dim : q_dim + kv_head * head_dim);
    const int a = neox ? i : 2 * i;
    const int b = neox ? i + half_dim : 2 * i + 1;
    float x0 = head[a];
    float x1 = head[b];
    if (has_norm) {
        red[i] = x0 * x0 + x1 * x1;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int stride = half_dim / 2; stride > 0; stride >>= 1) {
            if (i < stride) red[i] += red[i + stride];
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        const float scale = rsqrt(red[0] / head_dim + eps);
        global const float* w = is_q ? q_norm : k_norm;
        x0 = x0 * scale * w[a];
        x1 = x1 * scale * w[b];
    }
    const float2 r = rope_rotate(x0, x1, i, head_dim, pos[t], theta_base, freq_scale, freq_factors, has_freq_factors);
    if (is_q) {
        head[a] = r.x;
        head[b] = r.y;
    } else {
        const ulong at = ((ulong) slot[t] * ctx + pos[t]) * kv_dim + kv_head * head_dim;
        vstore_half_rte(r.x, at + a, k_cache);
        vstore_half_rte(r.y, at + b, k_cache);
        global const float* v = qkv + (ulong) t * qkv_stride + q_dim + kv_dim + kv_head * head_dim;
        vstore_half_rte(v[a], at + a, v_cache);
        vstore_half_rte(v[b], at + b, v_cache);
    }
}
