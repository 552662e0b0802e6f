// RMS normalisation of rows: out = x / sqrt(mean(x^2) + eps) * w. One work-group per row (power-of-two size).
// In place is allowed (out == x): each work-item reads only the elements it later writes.
// Also serves Qwen3's per-head q/k norms, where a "row" is one head of head_dim values sharing one weight vector.
kernel void kernel_rms_norm(global const float* x, global float* out, global const float* w, int n, float eps,
        local float* scratch) {
    const int row = get_group_id(0);
    const int lid = get_local_id(0);
    const int lsz = get_local_size(0);
    global const float* xr = x + (ulong) row * n;
    const float scale = row_rms_scale(xr, n, eps, scratch);
    global float* o = out + (ulong) row * n;
    for (int i = lid; i < n; i += lsz) o[i] = xr[i] * scale * w[i];
}
