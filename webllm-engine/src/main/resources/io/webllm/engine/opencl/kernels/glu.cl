// SwiGLU: gate = silu(gate) * up, elementwise over ntok * n_ff values.
kernel void kernel_swiglu(global float* gate, global const float* up) {
    const ulong i = get_global_id(0);
    const float g = gate[i];
    gate[i] = g / (1.0f + exp(-g)) * up[i];
}

// Copies chosen rows (by batch index) into a compact buffer, e.g. the rows whose logits are wanted.
// Global size: (n, nrows).
kernel void kernel_gather_rows(global const float* x, global const int* rows, global float* out, int n) {
    const int e = get_global_id(0);
    const int r = get_global_id(1);
    out[(ulong) r * n + e] = x[(ulong) rows[r] * n + e];
}
