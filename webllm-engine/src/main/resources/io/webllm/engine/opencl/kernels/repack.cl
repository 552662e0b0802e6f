// Repacks file-layout Q4_0 / Q8_0 blocks (staged in `src`) into the device layout of quants.cl: quants of block i at
// i * QBYTES, scales after all nblocks quants. One work-item per block; `first` is the index of src's first block
// in the destination matrix.
kernel void kernel_repack_q4_0(global const uchar* src, global uchar* W, ulong nblocks, ulong first) {
    const ulong i = get_global_id(0);
    global const uchar* b = src + i * 18;
    global uchar* q = W + (first + i) * 16;
    for (int j = 0; j < 16; j++) q[j] = b[2 + j];
    global uchar* d = W + nblocks * 16 + (first + i) * 2;
    d[0] = b[0];
    d[1] = b[1];
}

kernel void kernel_repack_q8_0(global const uchar* src, global uchar* W, ulong nblocks, ulong first) {
    const ulong i = get_global_id(0);
    global const uchar* b = src + i * 34;
    global uchar* q = W + (first + i) * 32;
    for (int j = 0; j < 32; j++) q[j] = b[2 + j];
    global uchar* d = W + nblocks * 32 + (first + i) * 2;
    d[0] = b[0];
    d[1] = b[1];
}
