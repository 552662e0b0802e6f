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

// Quantizes one group held by a warp, value v in each lane: writes the lane's quant to q[lane] when `live` and
// returns the group's {d, d * sum(q)} to every lane. Every work-item of the work-group must call it (barriers
// off NVIDIA), so dead lanes pass live = 0 instead of skipping the call.
inline float2 quantize_lanes(float v, global char* q, int live, local float* red) {
    const float amax = lane_max(fabs(v), red);
    const float d = amax / Q8_MAX;
    const float id = d > 0.0f ? 1.0f / d : 0.0f;
    const float c = clamp(round(v * id), -Q8_MAX, Q8_MAX);
    if (live) q[get_local_id(0) % MV_LANES] = (char) c;
    return (float2) (d, d * lane_sum(c, red));
}

// Work-group `group` of a quantize pass over token t: a warp a 32-value group of x's row (row stride x_stride floats)
// into quants and scales of `groups` groups a token. kernel_quantize_q8 runs it, and mul_mv_q8.cl's chained launch
// of the large models for its single token.
inline void quantize_groups(int group, int t, global const float* x, int x_stride, global char* xq, global float2* xd,
        int groups, local float* red) {
    const int g = group * (int) (get_local_size(0) / MV_LANES) + (int) (get_local_id(0) / MV_LANES);
    const int lane = get_local_id(0) % MV_LANES;
    const int live = g < groups;
    const float v = live ? x[(ulong) t * x_stride + g * GROUP + lane] : 0.0f;
    const ulong k = (ulong) t * groups + min(g, groups - 1);
    const float2 scales = quantize_lanes(v, xq + k * GROUP, live, red);
    if (live && lane == 0) xd[k] = scales;
}

// Launch: global (ceil(groups * 32 / 256) * 256, n), local (256, 1).
kernel void kernel_quantize_q8(global const float* x, int x_stride, global char* xq, global float2* xd, int groups) {
    local float red[256];
    quantize_groups(get_group_id(0), get_global_id(1), x, x_stride, xq, xd, groups, red);
}

// One work-group's share of kernel_rms_norm_q8 (below): `slice` of row `row`'s groups, a group a warp. Also the norm
// stages of the large models' chain with its norms (mul_mv_q8.cl, kernel_chain_norms_glu_down_*), which pass one
// local buffer as `scratch` and `red`: the row's reduction is done with it (group_sum ends at a barrier) before the
// quantization uses it.
inline void rms_norm_q8_slice(int slice, int row, global const float* x, global float* out, global const float* w,
        int n, float eps, local float* scratch, global char* xq, global float2* xd, local float* red) {
    const int lid = get_local_id(0);
    const int lsz = get_local_size(0);
    global const float* xr = x + (ulong) row * n;
    const int groups = n / GROUP;
    const int g = slice * (lsz / MV_LANES) + lid / MV_LANES;
    const int lane = lid % MV_LANES;
    const int live = g < groups;
    const int i = min(g, groups - 1) * GROUP + lane;
    // the value and its norm weight loaded before the row's reduction, in flight with its loads: after it the
    // weight was a dependent trip to DRAM (~1 us of a ~7 us launch)
    const float xi = xr[i];
    const float wi = w[i];
    const float scale = row_rms_scale(xr, n, eps, scratch);
    const float v = live ? xi * scale * wi : 0.0f;
    if (live) out[(ulong) row * n + i] = v;
    const ulong k = (ulong) row * groups + min(g, groups - 1);
    const float2 scales = quantize_lanes(v, xq + k * GROUP, live, red);
    if (live && lane == 0) xd[k] = scales;
}

// rms_norm (norm.cl) that also writes the normalised row as Q8 activations, when n is a multiple of 32: the norm's
// pass over its row quantizes it too, which saves a launch before every matrix product that reads it.
// Launch: global (ceil(groups / warps) * 256, rows), local (256, 1): each work-group sums the squares of its whole
// row (16 KiB from cache for 4096 values) and then normalises and quantizes one group per warp. (One work-group per
// row, its warps looping over the groups, was a chain of 16 dependent reductions: 17 us a norm on an H100.)
// Not in place: other work-groups of the row still read it. Warming work-groups may follow (warm.cl).
kernel void kernel_rms_norm_q8(global const float* x, global float* out, global const float* w, int n, float eps,
        local float* scratch, global char* xq, global float2* xd, WARM_PARAMS) {
    local float red[256];
    const int groups = n / GROUP;
    const int lsz = get_local_size(0);
    if (warming_group((groups + lsz / MV_LANES - 1) / (lsz / MV_LANES), WARM_ARGS)) return;
    rms_norm_q8_slice(get_group_id(0), get_group_id(1), x, out, w, n, eps, scratch, xq, xd, red);
}
