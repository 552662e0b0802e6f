// Copies chosen rows (by batch index) into a compact buffer: the rows whose logits are wanted.
// Global size: (n, nrows).
kernel void kernel_gather_rows(global const float* x, global const int* rows, global float* out, int n) {
    const int e = get_global_id(0);
    const int r = get_global_id(1);
    out[(ulong) r * n + e] = x[(ulong) rows[r] * n + e];
}
