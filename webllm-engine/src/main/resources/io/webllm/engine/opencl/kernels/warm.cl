// Warming L2 with the weights the next products read (-Dwebllm.warm.l2MB; model/L2Warmup.java plans the ranges).
//
// A decode token alternates bandwidth-bound products with latency-bound kernels (the norm launches, attention) during
// which DRAM idles: ~20 us of attention and ~7 us a norm, tens of megabytes' worth at an H100's 3 TB/s. The latency-
// bound kernels take up to WARM_REGIONS byte ranges of the weights that the products after them read first, and
// every work-item asks L2 for its share of the ranges' 128-byte lines at entry, without waiting for them (PTX
// prefetch.global.L2: no register receives the line, so the kernel's own loads are not held back by it). The product
// that follows then finds its first rows in L2 or on their way.
// Elsewhere (PoCL) there is no such hint that pays, and the ranges are ignored.

#define WARM_REGIONS 4
#define WARM_LINE 128

// The kernel arguments of the ranges: base buffer, first and end byte of each (end <= start for an unused one).
#define WARM_PARAMS global const uchar* warm0, ulong warm0_start, ulong warm0_end,                                  \
        global const uchar* warm1, ulong warm1_start, ulong warm1_end,                                              \
        global const uchar* warm2, ulong warm2_start, ulong warm2_end,                                              \
        global const uchar* warm3, ulong warm3_start, ulong warm3_end
#define WARM_ARGS warm0, warm0_start, warm0_end, warm1, warm1_start, warm1_end, warm2, warm2_start, warm2_end,      \
        warm3, warm3_start, warm3_end

#ifdef WEBLLM_PTX
inline void warm_range(global const uchar* base, ulong start, ulong end, ulong worker, ulong workers) {
    for (ulong at = start + worker * WARM_LINE; at < end; at += workers * WARM_LINE) {
        asm volatile("prefetch.global.L2 [%0];" :: "l"(base + at));
    }
}
#endif

// Every work-item of the launch takes every (global size)-th line of each range.
inline void warm_l2(WARM_PARAMS) {
#ifdef WEBLLM_PTX
    const ulong worker = get_global_id(0) + (ulong) get_global_size(0) * get_global_id(1);
    const ulong workers = (ulong) get_global_size(0) * get_global_size(1);
    warm_range(warm0, warm0_start, warm0_end, worker, workers);
    warm_range(warm1, warm1_start, warm1_end, worker, workers);
    warm_range(warm2, warm2_start, warm2_end, worker, workers);
    warm_range(warm3, warm3_start, warm3_end, worker, workers);
#endif
}
