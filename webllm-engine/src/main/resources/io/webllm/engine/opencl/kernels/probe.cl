// Diagnostic kernels for `webllm kernel-bench`: the packed Q4_0 matvec's memory pattern with parts of its work
// removed, to tell which part limits it. Same launch shape as mul_mv_packed.cl (PK_ROWS rows per warp).

// Weights only: the same 16-byte quant and 2-byte scale loads per row and group, folded with integer ops.
kernel void probe_weights_q4_0(global const uchar* W, int ncols, int nrows, global float* y) {
    const int lane = get_local_id(0) % MV_LANES;
    const int row0 = (get_group_id(0) * PK_WARPS + get_local_id(0) / MV_LANES) * PK_ROWS;
    const int groups = ncols / GROUP;
    const ulong nblocks = (ulong) nrows * groups;
    global const uint4* qs = (global const uint4*) W;
    global const ushort* ds = (global const ushort*) (W + nblocks * 16);
    uint acc = 0;
    for (int s = lane; s < groups; s += MV_LANES) {
        for (int r = 0; r < PK_ROWS; r++) {
            const ulong block = (ulong) min(row0 + r, nrows - 1) * groups + s;
            const uint4 q = qs[block];
            acc ^= q.x ^ q.y ^ q.z ^ q.w ^ ds[block];
        }
    }
    if (acc == 0x12345678u) y[row0] = 1.0f; // keeps the loads alive, practically never writes
}

// Activations only: the same x loads and sums per group, no weights.
kernel void probe_x(global const float* x, int ncols, int nrows, global float* y) {
    const int lane = get_local_id(0) % MV_LANES;
    const int row0 = (get_group_id(0) * PK_WARPS + get_local_id(0) / MV_LANES) * PK_ROWS;
    const int groups = ncols / GROUP;
    float acc = 0.0f;
    for (int s = lane; s < groups; s += MV_LANES) {
        const xgroup xg = load_x(x + s * GROUP);
        acc += xg.sum;
    }
    if (acc == 1234.5f) y[row0] = acc;
}
