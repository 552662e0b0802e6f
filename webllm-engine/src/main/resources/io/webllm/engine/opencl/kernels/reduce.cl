// Sums across the MV_LANES work-items that share one row. On NVIDIA (built with -DWEBLLM_PTX) a row is exactly one
// warp and the sum uses warp shuffles through inline PTX: no local memory, no barriers. Elsewhere it goes through
// local memory; then every work-item of the group must call it the same number of times (it has barriers).

// Work-items cooperating on one row: one NVIDIA warp.
#define MV_LANES 32

#ifdef WEBLLM_PTX
inline float lane_sum(float v, local float* red) {
    for (int offset = MV_LANES / 2; offset > 0; offset >>= 1) {
        float other;
        asm volatile("shfl.sync.bfly.b32 %0, %1, %2, 0x1f, 0xffffffff;" : "=f"(other) : "f"(v), "r"(offset));
        v += other;
    }
    return v;
}
#else
inline float lane_sum(float v, local float* red) {
    const int lid = get_local_id(0);
    const int lane = lid % MV_LANES;
    red[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int offset = MV_LANES / 2; offset > 0; offset >>= 1) {
        if (lane < offset) red[lid] += red[lid + offset];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float sum = red[lid - lane];
    barrier(CLK_LOCAL_MEM_FENCE);
    return sum;
}
#endif
