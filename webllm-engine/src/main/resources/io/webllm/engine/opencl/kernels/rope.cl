// Rotary position embedding, in place, for n_heads heads of head_dim values per token.
// Global size: (head_dim / 2 * n_heads, ntok). Pair i of a head rotates by pos * freq_scale * base^(-2i/head_dim),
// divided by freq_factors[i] when the model has them (Llama 3's rope_freqs). neox = 0 rotates adjacent values
// (2i, 2i+1) as GGUF's permuted Llama weights expect; neox = 1 rotates (i, i + head_dim/2) as Qwen does.
kernel void kernel_rope(global float* x, int row_stride, int n_heads, int head_dim, global const int* pos,
        float theta_base, float freq_scale, global const float* freq_factors, int has_freq_factors, int neox) {
    const int half_dim = head_dim / 2;
    const int gid = get_global_id(0);
    const int t = get_global_id(1);
    const int head = gid / half_dim;
    const int i = gid % half_dim;
    float theta = (float) pos[t] * freq_scale * pow(theta_base, -2.0f * i / head_dim);
    if (has_freq_factors) theta /= freq_factors[i];
    const float c = cos(theta);
    const float s = sin(theta);
    global float* h = x + (ulong) t * row_stride + head * head_dim;
    const int a = neox ? i : 2 * i;
    const int b = neox ? i + half_dim : 2 * i + 1;
    const float x0 = h[a];
    const float x1 = h[b];
    h[a] = x0 * c - x1 * s;
    h[b] = x0 * s + x1 * c;
}
