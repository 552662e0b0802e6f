// Warming L2 with the weights the next products read (-Dwebllm.warm.*MB, opencl/Tuning; model/L2Warmup.java plans the
// ranges).
//
// A decode token alternates bandwidth-bound products with latency-bound kernels (the norm launches, attention) during
// which DRAM idles: ~13 us of attention and ~6 us a norm, tens of megabytes' worth at an H100's 3 TB/s. The host
// appends warming work-groups to such a launch, after the ones that do its work: they ask L2 for their share of up to
// WARM_REGIONS byte ranges of the weights that the products after it read first, 128-byte line by line, and return
// (PTX prefetch.global.L2: no register waits for the line). They run on compute units the kernel's own work leaves
// idle, so its warps issue nothing more, and the product that follows finds its first rows in L2 or on their way.
// Elsewhere (PoCL) there is no such hint that pays: the warming work-groups return at once.

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

// Whether this work-group is one of the warming ones, appended after the first `working` work-groups of dimension 0
// (in every row of dimension 1): then it has warmed its share of the ranges, a line every so many, and the kernel
// returns (the whole work-group, before any barrier).
inline int warming_group(int working, WARM_PARAMS) {
    if ((int) get_group_id(0) < working) return 0;
#ifdef WEBLLM_PTX
    const ulong per_row = (ulong) (get_num_groups(0) - working) * get_local_size(0);
    const ulong worker = (get_group_id(0) - working) * get_local_size(0) + get_local_id(0) + per_row * get_group_id(1);
    const ulong workers = per_row * get_num_groups(1);
    warm_range(warm0, warm0_start, warm0_end, worker, workers);
    warm_range(warm1, warm1_start, warm1_end, worker, workers);
    warm_range(warm2, warm2_start, warm2_end, worker, workers);
    warm_range(warm3, warm3_start, warm3_end, worker, workers);
#endif
    return 1;
}
