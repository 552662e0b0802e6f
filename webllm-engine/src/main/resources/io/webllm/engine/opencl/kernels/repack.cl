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

// K-quants: one work-item per 256-weight superblock; `nblocks` counts superblocks (the matrix has 8 groups each).

// Q4_K file block: half d, half dmin, scales[12], qs[128] where groups 2c and 2c + 1 share qs[32c ..]: low nibbles
// for the even group, high for the odd. Each group's 32 nibbles become 16 bytes as Q4_0 packs them; d and dmin move
// as they are, the scales and mins into the three words of quants.cl's Q4_K header.
kernel void kernel_repack_q4_k(global const uchar* src, global uchar* W, ulong nblocks, ulong first) {
    const ulong i = get_global_id(0);
    global const uchar* b = src + i * 144;
    global uchar* q = W + (first + i) * 128;
    for (int j = 0; j < 8; j++) {
        global const uchar* qs = b + 16 + 32 * (j >> 1);
        const int shift = 4 * (j & 1);
        for (int l = 0; l < 16; l++) {
            q[16 * j + l] = ((qs[l] >> shift) & 15) | (((qs[l + 16] >> shift) & 15) << 4);
        }
    }
    global uchar* header = W + nblocks * 128 + (first + i) * 16;
    for (int l = 0; l < 4; l++) header[l] = b[l];
    uint low_scales = 0;
    uint low_mins = 0;
    uint tops = 0;
    for (int j = 0; j < 8; j++) {
        float scale, min;
        scale_min_k4(j, b + 4, &scale, &min);
        const uint s = (uint) scale;
        const uint m = (uint) min;
        low_scales |= (s & 15) << (4 * j);
        low_mins |= (m & 15) << (4 * j);
        tops |= ((s >> 4) | ((m >> 4) << 2)) << (4 * j);
    }
    global uint* words = (global uint*) (header + 4);
    words[0] = low_scales;
    words[1] = low_mins;
    words[2] = tops;
}

// Q6_K file block: ql[128], qh[64], scales[16], half d; group j = 4h + k takes the low (k < 2) or high nibbles of
// ql[64h + 32(k & 1) + l] and bits 2k..2k+1 of qh[32h + l] for its weight l, and scales 2j, 2j + 1 (one per 16
// weights). Written into the four arrays of quants.cl's Q6_K layout.
kernel void kernel_repack_q6_k(global const uchar* src, global uchar* W, ulong nblocks, ulong first) {
    const ulong i = get_global_id(0);
    const ulong groups = nblocks * 8;
    const ulong sb = first + i;
    global const uchar* b = src + i * 210;
    for (int j = 0; j < 8; j++) {
        const int h = j >> 2;
        const int k = j & 3;
        global const uchar* ql = b + 64 * h + 32 * (k & 1);
        global const uchar* qh = b + 128 + 32 * h;
        uchar low[16];
        uint high[2] = {0, 0};
        for (int l = 0; l < 16; l++) low[l] = 0;
        for (int l = 0; l < 32; l++) {
            const uint nibble = (ql[l] >> (4 * (k >> 1))) & 15;
            const uint top = (qh[l] >> (2 * k)) & 3;
            low[l & 15] |= nibble << (4 * (l >> 4));
            high[l >> 4] |= top << (8 * (l & 3) + 2 * ((l & 15) >> 2));
        }
        const ulong g = sb * 8 + j;
        global uchar* qlOut = W + g * 16;
        for (int l = 0; l < 16; l++) qlOut[l] = low[l];
        global uint* qhOut = (global uint*) (W + groups * 16 + g * 8);
        qhOut[0] = high[0];
        qhOut[1] = high[1];
    }
    global uchar* scales = W + groups * 24 + sb * 16;
    for (int l = 0; l < 16; l++) scales[l] = b[192 + l];
    global uchar* d = W + groups * 26 + sb * 2;
    d[0] = b[208];
    d[1] = b[209];
}
