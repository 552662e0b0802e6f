// Dequantization of one 32-weight group ("sub-block") of a row, for every weight type the engine runs.
//
// Every kernel works in units of 32 weights, whatever the type's block size: a K-quant block of 256 weights is
// 8 groups. `row` points at the row's first byte and `sub` counts groups from the row's start. Block structs are
// restated exactly as GGUF lays them out (little-endian, fp16 scales); bytes are read one by one where a field is
// not naturally aligned inside its block.

#define GROUP 32

inline float load_half(global const uchar* p) {
    return vload_half(0, (global const half*) p);
}

// F32: plain floats.
inline void deq_f32(global const uchar* row, int sub, float* v) {
    global const float* f = (global const float*) row + sub * GROUP;
    for (int i = 0; i < GROUP; i++) v[i] = f[i];
}

// F16: IEEE half.
inline void deq_f16(global const uchar* row, int sub, float* v) {
    global const half* h = (global const half*) row + sub * GROUP;
    for (int i = 0; i < GROUP; i++) v[i] = vload_half(i, h);
}

// BF16: the upper 16 bits of an f32.
inline void deq_bf16(global const uchar* row, int sub, float* v) {
    global const ushort* h = (global const ushort*) row + sub * GROUP;
    for (int i = 0; i < GROUP; i++) v[i] = as_float(((uint) h[i]) << 16);
}

// Single weights, for the tail of rows of the plain types whose length is not a multiple of 32 (stories260K's
// feed-forward length is 172). Quantized rows are always whole blocks, so their loaders are never reached.
inline float load_f32(global const uchar* row, int i) { return ((global const float*) row)[i]; }
inline float load_f16(global const uchar* row, int i) { return vload_half(i, (global const half*) row); }
inline float load_bf16(global const uchar* row, int i) { return as_float(((uint) ((global const ushort*) row)[i]) << 16); }
#define NO_SINGLE_LOAD(TYPE) inline float load_##TYPE(global const uchar* row, int i) { return 0.0f; }
NO_SINGLE_LOAD(q8_0)
NO_SINGLE_LOAD(q4_0)
NO_SINGLE_LOAD(q4_1)
NO_SINGLE_LOAD(q5_0)
NO_SINGLE_LOAD(q5_1)
NO_SINGLE_LOAD(q4_k)
NO_SINGLE_LOAD(q5_k)
NO_SINGLE_LOAD(q6_k)

// The Q8 matvecs' weight loads (mul_mv_q8.cl: Q4_0's and Q8_0's 16-byte quant words and their half scales), through
// the PTX load that MV_WEIGHT_LOAD picks on NVIDIA (-Dwebllm.mv.weightLoad): 0 an ordinary load, 1 the read-only path
// (ld.global.nc), 2 the read-only path without an L1 line (.L1::no_allocate), 3 streaming (ld.global.cs, evict first),
// 4 no L1 line and a 256-byte L2 fetch (.L2::256B). Weights are read once a token and never written while a kernel
// runs, so each is the same value; what differs is how L1 and L2 hold the lines, which bounds the loads in flight.
// On H100s 4 decoded 8B Q4_0 3% faster than 0 in session 14 and no faster in session 15 (docs/performance.md step
// 67): 0 is the default.
#if defined(WEBLLM_PTX) && MV_WEIGHT_LOAD > 0
#if MV_WEIGHT_LOAD == 1
#define MV_LD "ld.global.nc"
#elif MV_WEIGHT_LOAD == 2
#define MV_LD "ld.global.nc.L1::no_allocate"
#elif MV_WEIGHT_LOAD == 3
#define MV_LD "ld.global.cs"
#else
#define MV_LD "ld.global.L1::no_allocate.L2::256B"
#endif
inline uint4 weight_words(global const uint4* p) {
    uint4 v;
    asm(MV_LD ".v4.u32 {%0, %1, %2, %3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    return v;
}
inline float weight_half(global const half* p) {
    float v;
    asm("{ .reg .b16 h; " MV_LD ".b16 h, [%1]; cvt.f32.f16 %0, h; }" : "=f"(v) : "l"(p));
    return v;
}
#else
inline uint4 weight_words(global const uint4* p) { return *p; }
inline float weight_half(global const half* p) { return vload_half(0, p); }
#endif

// Q8_0: struct { half d; int8 qs[32]; } = 34 bytes.
inline void deq_q8_0(global const uchar* row, int sub, float* v) {
    global const uchar* b = row + sub * 34;
    float d = load_half(b);
    global const char* qs = (global const char*) (b + 2);
    for (int i = 0; i < GROUP; i++) v[i] = d * qs[i];
}

// Q4_0: struct { half d; uint8 qs[16]; } = 18 bytes; low nibbles are weights 0..15, high nibbles 16..31, offset 8.
inline void deq_q4_0(global const uchar* row, int sub, float* v) {
    global const uchar* b = row + sub * 18;
    float d = load_half(b);
    for (int i = 0; i < 16; i++) {
        uchar q = b[2 + i];
        v[i] = d * ((int) (q & 15) - 8);
        v[i + 16] = d * ((int) (q >> 4) - 8);
    }
}

// Q4_1: struct { half d; half m; uint8 qs[16]; } = 20 bytes; weight = d * q + m.
inline void deq_q4_1(global const uchar* row, int sub, float* v) {
    global const uchar* b = row + sub * 20;
    float d = load_half(b);
    float m = load_half(b + 2);
    for (int i = 0; i < 16; i++) {
        uchar q = b[4 + i];
        v[i] = d * (q & 15) + m;
        v[i + 16] = d * (q >> 4) + m;
    }
}

// Q5_0: struct { half d; uint8 qh[4]; uint8 qs[16]; } = 22 bytes; bit j of qh is the fifth bit of weight j, offset 16.
inline void deq_q5_0(global const uchar* row, int sub, float* v) {
    global const uchar* b = row + sub * 22;
    float d = load_half(b);
    uint qh = (uint) b[2] | ((uint) b[3] << 8) | ((uint) b[4] << 16) | ((uint) b[5] << 24);
    for (int j = 0; j < 16; j++) {
        uchar q = b[6 + j];
        int x0 = (int) ((q & 15) | (((qh >> j) << 4) & 16)) - 16;
        int x1 = (int) ((q >> 4) | ((qh >> (j + 12)) & 16)) - 16;
        v[j] = d * x0;
        v[j + 16] = d * x1;
    }
}

// Q5_1: struct { half d; half m; uint8 qh[4]; uint8 qs[16]; } = 24 bytes; weight = d * q + m.
inline void deq_q5_1(global const uchar* row, int sub, float* v) {
    global const uchar* b = row + sub * 24;
    float d = load_half(b);
    float m = load_half(b + 2);
    uint qh = (uint) b[4] | ((uint) b[5] << 8) | ((uint) b[6] << 16) | ((uint) b[7] << 24);
    for (int j = 0; j < 16; j++) {
        uchar q = b[8 + j];
        v[j] = d * (float) ((q & 15) | (((qh >> j) << 4) & 16)) + m;
        v[j + 16] = d * (float) ((q >> 4) | ((qh >> (j + 12)) & 16)) + m;
    }
}

// The 6-bit scale and min of group j (0..7) of a Q4_K/Q5_K block, packed into 12 bytes.
inline void scale_min_k4(int j, global const uchar* s, float* scale, float* min) {
    if (j < 4) {
        *scale = s[j] & 63;
        *min = s[j + 4] & 63;
    } else {
        *scale = (s[j + 4] & 15) | ((s[j - 4] >> 6) << 4);
        *min = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

// Q5_K: struct { half d; half dmin; uint8 scales[12]; uint8 qh[32]; uint8 qs[128]; } = 176 bytes.
// As Q4_K, plus bit j of qh[l] is the fifth bit of weight l of group j.
inline void deq_q5_k(global const uchar* row, int sub, float* v) {
    global const uchar* b = row + (sub >> 3) * 176;
    int j = sub & 7;
    float d = load_half(b);
    float dmin = load_half(b + 2);
    float sc, mn;
    scale_min_k4(j, b + 4, &sc, &mn);
    global const uchar* qh = b + 16;
    global const uchar* qs = b + 48 + 32 * (j >> 1);
    int shift = (j & 1) * 4;
    float scale = d * sc;
    float min = dmin * mn;
    for (int l = 0; l < GROUP; l++) {
        v[l] = scale * (((qs[l] >> shift) & 15) + (((qh[l] >> j) & 1) << 4)) - min;
    }
}

// ---- Device layouts
// Q4_0, Q8_0, Q4_K and Q6_K matrices are repacked at load (repack.cl) into "structure of arrays" layouts: the quants
// of each 32-weight group contiguous, all groups' quants first, then their scales, so that each group's quants load
// as aligned 16-byte vectors and consecutive work-items read consecutive vectors, where the file's 18-, 34-, 144- and
// 210-byte blocks only allow byte loads. Bytes per weight stay the file's. Other types keep the file layout.
// group_<type> loads 32-weight group s of row r whichever the layout; `nblocks` counts 32-weight groups.
//
//   Q4_0  quants 16 bytes a group (byte j: weight j in the low nibble, j + 16 in the high one), then fp16 scales.
//   Q8_0  quants 32 signed bytes a group, then fp16 scales.
//   Q4_K  quants 16 bytes a group, nibbles as Q4_0's; then per 256-weight superblock (8 groups) a 16-byte header:
//         the file's half d and half dmin, then its 12 bytes of 6-bit scales and mins (scale_min_k4) rearranged
//         into three words: the low 4 bits of group j's scale in nibble j, of its min in nibble j of the next word,
//         and their top 2 bits at bits 4j and 4j + 2 of the last (q4_k_scale_min).
//   Q6_K  low nibbles 16 bytes a group, as Q4_0's; then the top two bits 8 bytes a group (word h covers weights
//         16h .. 16h + 15: byte b, bits 2k..2k+1 hold weight 16h + 4k + b); then 2 signed scales a group (weights
//         0..15 and 16..31); then an fp16 d per superblock.

inline void deq_q4_0_soa(global const uchar* W, ulong nblocks, ulong block, float* v) {
    const uint4 q = ((global const uint4*) W)[block];
    const float d = vload_half(block, (global const half*) (W + nblocks * 16));
    const uint words[4] = {q.x, q.y, q.z, q.w};
    for (int w = 0; w < 4; w++) {
        for (int b = 0; b < 4; b++) {
            const uint byte = (words[w] >> (8 * b)) & 0xff;
            v[4 * w + b] = d * ((int) (byte & 15) - 8);
            v[4 * w + b + 16] = d * ((int) (byte >> 4) - 8);
        }
    }
}

inline void deq_q8_0_soa(global const uchar* W, ulong nblocks, ulong block, float* v) {
    global const uint4* q = (global const uint4*) W + 2 * block;
    const float d = vload_half(block, (global const half*) (W + nblocks * 32));
    const uint4 lo = q[0];
    const uint4 hi = q[1];
    const uint words[8] = {lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w};
    for (int w = 0; w < 8; w++) {
        for (int b = 0; b < 4; b++) {
            v[4 * w + b] = d * (float) (char) ((words[w] >> (8 * b)) & 0xff);
        }
    }
}

// The two halves of a word as floats (low half first). On NVIDIA by conversion instructions on the register, which
// saves a second load of bytes already loaded; elsewhere a plain load of them.
#ifdef WEBLLM_PTX
inline float2 halves_of(uint word, global const half* at) {
    float lo, hi;
    asm("{ .reg .b16 l, h; mov.b32 {l, h}, %2; cvt.f32.f16 %0, l; cvt.f32.f16 %1, h; }" : "=f"(lo), "=f"(hi) : "r"(word));
    return (float2) (lo, hi);
}
#else
inline float2 halves_of(uint word, global const half* at) {
    return vload_half2(0, at);
}
#endif

// Group `block`'s {d * scale, dmin * min} from its superblock's header (see the layout above). A work-item decodes
// only its own group's 6-bit pair: keeping them once per 256 weights is what holds the layout at the file's 4.5 bits
// a weight. The header's arrangement makes that two bit-field extracts each, the same for every group: the file's
// differs for groups below and above 4, which the 8 lanes of a superblock hold side by side.
inline float2 q4_k_scale_min(global const uchar* W, ulong nblocks, ulong block) {
    global const uint4* headers = (global const uint4*) (W + nblocks * 16);
    const ulong sb = block >> 3;
    const uint4 h = headers[sb];
    const float2 dm = halves_of(h.x, (global const half*) (headers + sb));
    const int at = (block & 7) * 4;
    const uint scale = ((h.y >> at) & 15) | (((h.w >> at) & 3) << 4);
    const uint min = ((h.z >> at) & 15) | (((h.w >> (at + 2)) & 3) << 4);
    return (float2) (dm.x * (float) scale, dm.y * (float) min);
}

inline void deq_q4_k_soa(global const uchar* W, ulong nblocks, ulong block, float* v) {
    const uint4 q = ((global const uint4*) W)[block];
    const float2 sm = q4_k_scale_min(W, nblocks, block);
    const uint words[4] = {q.x, q.y, q.z, q.w};
    for (int w = 0; w < 4; w++) {
        for (int b = 0; b < 4; b++) {
            const uint byte = (words[w] >> (8 * b)) & 0xff;
            v[4 * w + b] = sm.x * (byte & 15) - sm.y;
            v[4 * w + b + 16] = sm.x * (byte >> 4) - sm.y;
        }
    }
}

// Where Q6_K's arrays start, for a matrix of nblocks groups.
#define Q6_K_HIGH(W, nblocks) ((W) + (nblocks) * 16)
#define Q6_K_SCALES(W, nblocks) ((global const char*) ((W) + (nblocks) * 24))
#define Q6_K_D(W, nblocks) ((global const half*) ((W) + (nblocks) * 26))

inline void deq_q6_k_soa(global const uchar* W, ulong nblocks, ulong block, float* v) {
    const uint4 ql = ((global const uint4*) W)[block];
    const uint2 qh = ((global const uint2*) Q6_K_HIGH(W, nblocks))[block];
    const char2 sc = vload2(block, Q6_K_SCALES(W, nblocks));
    const float d = vload_half(block >> 3, Q6_K_D(W, nblocks));
    const uint low[4] = {ql.x, ql.y, ql.z, ql.w};
    const uint high[2] = {qh.x, qh.y};
    const float scale[2] = {d * sc.x, d * sc.y};
    for (int h = 0; h < 2; h++) {
        for (int k = 0; k < 4; k++) {
            for (int b = 0; b < 4; b++) {
                const int q = ((low[k] >> (8 * b + 4 * h)) & 15) | (((high[h] >> (8 * b + 2 * k)) & 3) << 4);
                v[16 * h + 4 * k + b] = scale[h] * (q - 32);
            }
        }
    }
}

#define FILE_LAYOUT_GROUP(TYPE)                                                                                  \
inline void group_##TYPE(global const uchar* W, ulong row_bytes, ulong nblocks, int r, int groups, int s, float* v) { \
    deq_##TYPE(W + (ulong) r * row_bytes, s, v);                                                                 \
}
FILE_LAYOUT_GROUP(f32)
FILE_LAYOUT_GROUP(f16)
FILE_LAYOUT_GROUP(bf16)
FILE_LAYOUT_GROUP(q4_1)
FILE_LAYOUT_GROUP(q5_0)
FILE_LAYOUT_GROUP(q5_1)
FILE_LAYOUT_GROUP(q5_k)

#define DEVICE_LAYOUT_GROUP(TYPE)                                                                                \
inline void group_##TYPE(global const uchar* W, ulong row_bytes, ulong nblocks, int r, int groups, int s, float* v) { \
    deq_##TYPE##_soa(W, nblocks, (ulong) r * groups + s, v);                                                     \
}
DEVICE_LAYOUT_GROUP(q4_0)
DEVICE_LAYOUT_GROUP(q8_0)
DEVICE_LAYOUT_GROUP(q4_k)
DEVICE_LAYOUT_GROUP(q6_k)
