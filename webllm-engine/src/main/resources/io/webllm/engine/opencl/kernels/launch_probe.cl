// Diagnostic kernels for `webllm kernel-bench`, built on their own (they need nothing of the engine's sources).
// Launch cost: kernels that do nothing (one work-item of the first work-group writes, never reached), with one
// buffer argument and with twelve, as a fused matvec has: whether the host's enqueue time grows with the buffers a
// launch names (the driver tracks each for residency) or is fixed.
kernel void probe_launch_1(global float* a, int never) {
    if (get_global_id(0) == never) a[0] = 0.0f;
}

kernel void probe_launch_12(global float* a, global float* b, global float* c, global float* d, global float* e,
        global float* f, global float* g, global float* h, global float* i, global float* j, global float* k,
        global float* l, int never) {
    if (get_global_id(0) == never) a[0] = b[0] + c[0] + d[0] + e[0] + f[0] + g[0] + h[0] + i[0] + j[0] + k[0] + l[0];
}
