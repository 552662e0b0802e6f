// The next token of a greedy decode, picked on the device so that the host can enqueue the next pass before it has
// seen this one's token (model/GreedyDecode.java): the argmax of the pass's first logits row over its first `limit`
// entries, lowest id on ties as LogitSampler.argmax, becomes the token id the next pass embeds, at the next position.
// status[0] reports the token, or -1 where every logit is -inf; status[1] is 1 where a logit is NaN (the host then
// fails the decode as its own argmax would). One work-group of GREEDY_WIDTH work-items: a 150k vocabulary is ~600
// loads a work-item, coalesced across the group.
#define GREEDY_WIDTH 256

kernel __attribute__((reqd_work_group_size(GREEDY_WIDTH, 1, 1)))
void kernel_greedy_next(global const float* logits, int limit, global int* token_ids, global int* positions,
                        global int* status) {
    local float values[GREEDY_WIDTH];
    local int ids[GREEDY_WIDTH];
    local int not_a_number;
    const int lid = get_local_id(0);
    if (lid == 0) {
        not_a_number = 0;
    }
    float best = -INFINITY;
    int best_id = INT_MAX;
    int nan_seen = 0;
    // a work-item's ids ascend, so a strict > keeps its lowest id of equal logits
    for (int i = lid; i < limit; i += GREEDY_WIDTH) {
        const float v = logits[i];
        if (v > best) {
            best = v;
            best_id = i;
        }
        nan_seen |= isnan(v);
    }
    values[lid] = best;
    ids[lid] = best_id;
    barrier(CLK_LOCAL_MEM_FENCE);
    if (nan_seen) {
        not_a_number = 1;
    }
    for (int span = GREEDY_WIDTH / 2; span > 0; span >>= 1) {
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
    if (lid == 0) {
        const int token = ids[0] == INT_MAX ? -1 : ids[0];
        // a pass after a failed pick still needs a valid token id; the host discards what it computes
        token_ids[0] = max(token, 0);
        positions[0] += 1;
        status[0] = token;
        status[1] = not_a_number;
    }
}
