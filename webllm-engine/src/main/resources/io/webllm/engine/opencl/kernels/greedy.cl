// The next tokens of a greedy decode, picked on the device so that the host can enqueue the next pass before it has
// seen this one's tokens (model/DeviceDecode.java). A pass feeds one token of each sequence, and logits row r is
// batch token r's: the argmax of row r over its first `limit` entries, lowest id on ties as LogitSampler.argmax,
// becomes the token id the next pass embeds at place r, one position on. status[2r] reports the token, or -1 where
// every logit is -inf; status[2r + 1] is 1 where a logit is NaN (the host then fails the decode as its own argmax
// would). A work-group of GREEDY_WIDTH work-items a row: a 150k vocabulary is ~600 loads a work-item, coalesced
// across the group.
#define GREEDY_WIDTH 256
// Logits a work-item loads before it compares any of them.
#define GREEDY_LOADS 8

// GREEDY_LOADS logits of a row for the work-item at id i0, `width` ids apart, all loaded before any is used: ids past
// `limit` read its last logit and come back -inf through a select (LLVM sinks a load used only under a condition into
// that branch, where it waits before the next is issued). As a loop of one load an iteration, each waited for by its
// compare, a pick was ~600 dependent trips to L2 a row for a 150k vocabulary (clang's PTX for NVIDIA). Shared by the
// argmax here and sample.cl's first pass.
__attribute__((always_inline)) inline void load_logits(global const float* logits, int i0, int width, int limit, float* v) {
    _Pragma("unroll") for (int k = 0; k < GREEDY_LOADS; k++) {
        const int i = i0 + k * width;
        const float x = logits[min(i, limit - 1)];
        v[k] = i < limit ? x : -INFINITY;
    }
}

// The largest of the work-items' (best, best_id) pairs, the lowest id on ties, into values[0] and ids[0] (width
// work-items, a power of two; values and ids hold one each), and not_a_number set where any work-item saw a NaN
// (lid 0 zeroed it before the call). By the whole work-group (barriers). sample.cl's draws take the argmax the same way.
inline void argmax_across(float best, int best_id, int nan_seen, local float* values, local int* ids,
        local int* not_a_number, int width) {
    const int lid = get_local_id(0);
    values[lid] = best;
    ids[lid] = best_id;
    barrier(CLK_LOCAL_MEM_FENCE);
    if (nan_seen) {
        *not_a_number = 1;
    }
    for (int span = width / 2; span > 0; span >>= 1) {
        if (lid < span) {
            const float other = values[lid + span];
            const int other_id = ids[lid + span];
            if (other > values[lid] || (other == values[lid] && other_id < ids[lid])) {
                values[lid] = other;
                ids[lid] = other_id;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

kernel __attribute__((reqd_work_group_size(GREEDY_WIDTH, 1, 1)))
void kernel_greedy_next(global const float* logits, int limit, int row_stride, global int* token_ids,
                        global int* positions, global int* status) {
    local float values[GREEDY_WIDTH];
    local int ids[GREEDY_WIDTH];
    local int not_a_number;
    const int lid = get_local_id(0);
    const int row = get_group_id(0);
    logits += (ulong) row * row_stride;
    if (lid == 0) {
        not_a_number = 0;
    }
    float best = -INFINITY;
    int best_id = INT_MAX;
    int nan_seen = 0;
    // a work-item's ids ascend, so a strict > keeps its lowest id of equal logits
    for (int i0 = lid; i0 < limit; i0 += GREEDY_LOADS * GREEDY_WIDTH) {
        float v[GREEDY_LOADS];
        load_logits(logits, i0, GREEDY_WIDTH, limit, v);
        _Pragma("unroll") for (int k = 0; k < GREEDY_LOADS; k++) {
            if (v[k] > best) {
                best = v[k];
                best_id = i0 + k * GREEDY_WIDTH;
            }
            nan_seen |= isnan(v[k]);
        }
    }
    argmax_across(best, best_id, nan_seen, values, ids, &not_a_number, GREEDY_WIDTH);
    if (lid == 0) {
        const int token = ids[0] == INT_MAX ? -1 : ids[0];
        // a pass after a failed pick still needs a valid token id; the host discards what it computes
        token_ids[row] = max(token, 0);
        positions[row] += 1;
        status[2 * row] = token;
        status[2 * row + 1] = not_a_number;
    }
}
