// Activations quantized to 8 bits ("Q8 activations"), the input of the integer matrix kernels (mul_mv_q8.cl).
//
// Multiplying 4-bit or 8-bit weights with float activations costs a conversion and an FMA per weight; with the
// activations quantized per 32-value group as well, four weights take one integer dot-product instruction (dp4a on
// NVIDIA), and the weight group's scale is applied once per group. llama.cpp's GPU and CPU backends compute
// quantized matrix products the same way. Quantization error: each value moves by at most d / 2 (d = the group's
// largest magnitude / 127), so a dot product moves by at most sum over groups of d_g / 2 * sum |w| of that group.
//
// Layout, for n tokens of a row of `groups` groups: quants, n * groups * 32 signed bytes, token after token; and
// scales, n * groups float2 {d, d * sum(q)} in their own buffer (the sum lets Q4_0 remove its offset of 8 once per
// group). 32-byte quant groups keep every lane's load aligned.

#define Q8_MAX 127.0f

// a . b over four signed bytes, plus acc.
#ifdef WEBLLM_PTX
inline int dot4(int a, int b, int acc) {
    int r;
    asm("dp4a.s32.s32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}
#else
inline int dot4(int a, int b, int acc) {
    const char4 va = as_char4(a);
    const char4 vb = as_char4(b);
    return acc + va.x * vb.x + va.y * vb.y + va.z * vb.z + va.w * vb.w;
}
#endif

// Quantizes the 32 values v (already scaled) of one group into q and returns {d, d * sum(q)}.
inline float2 quantize_group(const float* v, global char* q) {
    float amax = 0.0f;
    for (int i = 0; i < GROUP; i++) amax = fmax(amax, fabs(v[i]));
    const float d = amax / Q8_MAX;
    const float id = d > 0.0f ? 1.0f / d : 0.0f;
    int sum = 0;
    for (int i = 0; i < GROUP; i++) {
        const char c = (char) clamp(round(v[i] * id), -Q8_MAX, Q8_MAX);
        q[i] = c;
        sum += c;
    }
    return (float2) (d, d * (float) sum);
}

// One work-item per (group, token): x (row stride x_stride floats) into quants and scales of `groups` groups a token.
kernel void kernel_quantize_q8(global const float* x, int x_stride, global char* xq, global float2* xd, int groups) {
    const int g = get_global_id(0);
    const int t = get_global_id(1);
    if (g >= groups) return;
    float v[GROUP];
    global const float* src = x + (ulong) t * x_stride + g * GROUP;
    for (int i = 0; i < GROUP; i++) v[i] = src[i];
    xd[(ulong) t * groups + g] = quantize_group(v, xq + ((ulong) t * groups + g) * GROUP);
}

// rms_norm (norm.cl) that also writes the normalised row as Q8 activations, when n is a multiple of 32: the norm's
// one extra pass over its row saves a launch before every matrix product that reads it.
kernel void kernel_rms_norm_q8(global const float* x, global float* out, global const float* w, int n, float eps,
        local float* scratch, global char* xq, global float2* xd) {
    const int row = get_group_id(0);
    const int lid = get_local_id(0);
    const int lsz = get_local_size(0);
    global const float* xr = x + (ulong) row * n;
    float sum = 0.0f;
    for (int i = lid; i < n; i += lsz) sum += xr[i] * xr[i];
    scratch[lid] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = lsz / 2; stride > 0; stride >>= 1) {
        if (lid < stride) scratch[lid] += scratch[lid + stride];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float scale = rsqrt(scratch[0] / n + eps);
    // each work-item quantizes whole groups from x itself: no work-item reads what another one wrote
    const int groups = n / GROUP;
    for (int g = lid; g < groups; g += lsz) {
        float v[GROUP];
        for (int i = 0; i < GROUP; i++) v[i] = xr[g * GROUP + i] * scale * w[g * GROUP + i];
        xd[(ulong) row * groups + g] = quantize_group(v, xq + ((ulong) row * groups + g) * GROUP);
    }
    barrier(CLK_GLOBAL_MEM_FENCE); // in place (out == x): every group is read before any value is overwritten
    global float* o = out + (ulong) row * n;
    for (int i = lid; i < n; i += lsz) o[i] = xr[i] * scale * w[i];
}
