// Sums and maxima across the MV_LANES work-items that share one row. On NVIDIA (built with -DWEBLLM_PTX) a row is
// exactly one warp and the reductions use warp shuffles through inline PTX: no local memory, no barriers. Elsewhere
// they go through local memory; then every work-item of the group must call them the same number of times (they
// have barriers).

// Work-items cooperating on one row: one NVIDIA warp.
#define MV_LANES 32

// Orders this work-item's global writes before its later global accesses for the whole device (CUDA's
// __threadfence): what a work-group writes before counting itself in with an atomic, the last work-group to arrive
// reads (attention.cl, mul_mv_q8.cl).
#ifdef WEBLLM_PTX
inline void device_fence(void) {
    asm volatile("membar.gl;" ::: "memory");
}
#else
inline void device_fence(void) {
    mem_fence(CLK_GLOBAL_MEM_FENCE);
}
#endif

// NVIDIA's global nanosecond timer, for the phase stamps of measurement builds (attention.cl AT_TIMING, mul_mv_q8.cl
// CH_TIMING); 0 elsewhere.
#ifdef WEBLLM_PTX
inline ulong global_nanos(void) {
    ulong t;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    return t;
}
#else
inline ulong global_nanos(void) {
    return 0;
}
#endif

// A float another compute unit wrote in this launch (read after device_fence and an atomic count: attention.cl,
// mul_mv_q8.cl): from L2 on NVIDIA (ld.global.cg), never a stale L1 line. Unlike a volatile load it leaves the
// compiler free to batch the loads of a loop.
#ifdef WEBLLM_PTX
inline float load_shared_l2(global const float* p) {
    float v;
    asm volatile("ld.global.cg.f32 %0, [%1];" : "=f"(v) : "l"(p));
    return v;
}

// Two such floats at p (8-byte aligned) in one load.
inline float2 load2_shared_l2(global const float* p) {
    float2 v;
    asm volatile("ld.global.cg.v2.f32 {%0, %1}, [%2];" : "=f"(v.x), "=f"(v.y) : "l"(p));
    return v;
}

// Four such floats at p (16-byte aligned) in one load.
inline float4 load4_shared_l2(global const float* p) {
    float4 v;
    asm volatile("ld.global.cg.v4.f32 {%0, %1, %2, %3}, [%4];" : "=f"(v.x), "=f"(v.y), "=f"(v.z), "=f"(v.w) : "l"(p));
    return v;
}
#else
inline float load_shared_l2(global const float* p) {
    return *p;
}

inline float2 load2_shared_l2(global const float* p) {
    return vload2(0, p);
}

inline float4 load4_shared_l2(global const float* p) {
    return vload4(0, p);
}
#endif

#ifdef WEBLLM_PTX
// v of the lane whose index differs from this one's in the bits of `offset`.
inline float lane_xor(float v, int offset) {
    float other;
    asm volatile("shfl.sync.bfly.b32 %0, %1, %2, 0x1f, 0xffffffff;" : "=f"(other) : "f"(v), "r"(offset));
    return other;
}

#define DEFINE_LANE_REDUCTION(NAME, COMBINE)                                                                    \
inline float NAME(float v, local float* red) {                                                                  \
    for (int offset = MV_LANES / 2; offset > 0; offset >>= 1) v = COMBINE(v, lane_xor(v, offset));              \
    return v;                                                                                                   \
}
#else
#define DEFINE_LANE_REDUCTION(NAME, COMBINE)                                                                    \
inline float NAME(float v, local float* red) {                                                                  \
    const int lid = get_local_id(0);                                                                            \
    const int lane = lid % MV_LANES;                                                                            \
    red[lid] = v;                                                                                               \
    barrier(CLK_LOCAL_MEM_FENCE);                                                                               \
    for (int offset = MV_LANES / 2; offset > 0; offset >>= 1) {                                                 \
        if (lane < offset) red[lid] = COMBINE(red[lid], red[lid + offset]);                                     \
        barrier(CLK_LOCAL_MEM_FENCE);                                                                           \
    }                                                                                                           \
    const float result = red[lid - lane];                                                                       \
    barrier(CLK_LOCAL_MEM_FENCE);                                                                               \
    return result;                                                                                              \
}
#endif

inline float add_floats(float a, float b) {
    return a + b;
}

DEFINE_LANE_REDUCTION(lane_sum, add_floats)
DEFINE_LANE_REDUCTION(lane_max, fmax)

// The sum of v over the whole work-group (a multiple of MV_LANES work-items, at most MV_LANES warps), returned to
// every work-item; `red` holds a float per work-item. Every work-item must call it (barriers).
inline float group_sum(float v, local float* red) {
    const int lid = get_local_id(0);
    v = lane_sum(v, red);
    barrier(CLK_LOCAL_MEM_FENCE);
    if (lid % MV_LANES == 0) red[lid / MV_LANES] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    float total = 0.0f;
    for (int w = 0; w < (int) get_local_size(0) / MV_LANES; w++) total += red[w];
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

// Float4 loads a work-item of row_rms_scale issues before it adds any of them up.
#define NORM_LOADS 4

// 1 / sqrt(mean(x^2) + eps) of a row of n values, by the whole work-group (as group_sum) through `scratch`, one float
// per work-item. Rows of a multiple of 4 values (16-byte aligned) load as float4, NORM_LOADS of a work-item's at once
// (all of an 8B row's 4,096 values with 256 work-items) from clamped addresses, so that they are in flight together:
// as a plain loop, clang's PTX for NVIDIA had one load an iteration, each waited for by its sum, 4 trips to L2 in a
// row. The sums add in the plain loop's order. A norm launch is launch latency plus this chain of loads and
// reductions (~7 us an 8B decode norm on an H100, 64 a token). Shared by the norms (norm.cl, q8.cl).
inline float row_rms_scale(global const float* xr, int n, float eps, local float* scratch) {
    const int lid = get_local_id(0);
    const int lsz = get_local_size(0);
    float sum = 0.0f;
    if (n % 4 == 0) {
        global const float4* quads = (global const float4*) xr;
        const int count = n / 4;
        for (int q0 = lid; q0 < count; q0 += NORM_LOADS * lsz) {
            float4 v[NORM_LOADS];
            _Pragma("unroll") for (int k = 0; k < NORM_LOADS; k++) v[k] = quads[min(q0 + k * lsz, count - 1)];
            // a select, not a branch: LLVM sank a load used only under a condition into it, after the others' sums
            _Pragma("unroll") for (int k = 0; k < NORM_LOADS; k++) {
                const float squares = v[k].x * v[k].x + v[k].y * v[k].y + v[k].z * v[k].z + v[k].w * v[k].w;
                sum += q0 + k * lsz < count ? squares : 0.0f;
            }
        }
    } else {
        for (int i = lid; i < n; i += lsz) sum += xr[i] * xr[i];
    }
    return rsqrt(group_sum(sum, scratch) / n + eps);
}
