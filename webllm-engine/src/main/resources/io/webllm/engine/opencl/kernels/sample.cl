// The next tokens of a decode, drawn on the device as sampling.LogitSampler draws them on the host, so that sampled
// requests, like greedy ones (greedy.cl), run passes ahead of the host (model/DeviceDecode.java). Logits row r is
// batch token r's; its draw becomes the token id the next pass embeds at place r, one position on.
//
// What it draws from, per row (sample_row, written by the host once a decode starts): temperature T (0: the argmax,
// lowest id on ties), min-p (a floor of max + ln(min_p) on the temperature-scaled logits; ln_min_p -inf: off), and
// the repetition, frequency and presence penalties (penalized_logit). Rows with top-k or top-p, which need their
// candidates sorted, are kernel_sample_truncated_next's (below); each kernel leaves the other's rows alone.
// The draw is the host's, bit for bit: the same float weights (exp_nonpositive is sampling.NonPositiveExp's double
// polynomial, contraction off), the same uniform number (sampling.CounterUniform: a SplitMix64 output of the seed
// and the draw's index, which advances here), and the same walk in id order to the first token whose cumulative
// weight passes u x total. Only the order of the double sums differs (blocks of ids, then the blocks), so a draw
// could differ from the host's only where u x total falls within ~1e-16 of a token's boundary.
//
// A work-group of SAMPLE_WIDTH work-items a row, three passes over it: the maximum (and the argmax, NaN), the weight
// sums of SAMPLE_WIDTH blocks of consecutive ids (a work-item's block read four logits a load), then the one block
// where the draw falls: its weights computed by the whole work-group into local memory, walked there by its owner.
// Rows of up to SAMPLE_WIDTH x SAMPLE_MAX_BLOCK ids (model/DevicePicks.java checks the vocabulary).
// status[2r]: the token (-1 where every logit is -inf), status[2r + 1]: 1 where a logit is NaN, as greedy.cl.
#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#pragma OPENCL FP_CONTRACT OFF

#define SAMPLE_WIDTH 256
#define SAMPLE_MAX_BLOCK 1024

typedef struct {
    double ln_min_p; // ln(min_p), or -inf for no floor
    double top_p;    // 1: none
    ulong seed;
    ulong draw;      // the index of this row's next draw; the kernel advances it
    float temperature;
    int top_k;       // 0: none
    float repetition; // 1: none
    float frequency;  // 0: none
    float presence;   // 0: none
    int slot;         // the sequence's cache slot: its place in the penalties' seen bits and counts
} sample_row;

// The penalties' inputs of one row (sampling.RepetitionPenaltyProcessor, FrequencyPresencePenaltyProcessor): a bit
// per token seen in the prompt or output, and how often each token was generated; the kernels update both after each
// draw, as SamplingState.accept does on the host.
typedef struct {
    global uint* seen;
    global int* counts;
    float repetition;
    float frequency;
    float presence;
    int on;
} penalties;

inline penalties row_penalties(sample_row params, global uint* seen, global int* counts, int seen_words, int count_stride) {
    penalties p;
    p.seen = seen + (ulong) params.slot * seen_words;
    p.counts = counts + (ulong) params.slot * count_stride;
    p.repetition = params.repetition;
    p.frequency = params.frequency;
    p.presence = params.presence;
    p.on = params.repetition != 1.0f || params.frequency != 0.0f || params.presence != 0.0f;
    return p;
}

// A logit as the host's processors leave it: a seen token's divided by the repetition penalty where positive (the
// division in double, rounded: the correctly rounded float quotient) and multiplied where not, then a generated one's
// lowered by count x frequency + presence, in the host's float operations and order.
inline float penalized_logit(float v, int token, penalties p) {
    // a -inf logit stays -inf under both penalties (and padding past the row reads no bits)
    if (!p.on || v == -INFINITY || !((p.seen[token >> 5] >> (token & 31)) & 1u)) {
        return v;
    }
    if (p.repetition != 1.0f) {
        v = v > 0.0f ? (float) ((double) v / (double) p.repetition) : v * p.repetition;
    }
    const int count = p.counts[token];
    if (count > 0 && (p.frequency != 0.0f || p.presence != 0.0f)) {
        v -= (float) count * p.frequency + p.presence;
    }
    return v;
}

// Records a row's drawn token for its penalties (by one work-item).
inline void penalties_accept(penalties p, int token) {
    if (p.on && token >= 0) {
        p.seen[token >> 5] |= 1u << (token & 31);
        p.counts[token] += 1;
    }
}

// Whether a row's draw truncates to the most likely tokens first (top-k, top-p): kernel_sample_truncated_next draws
// those rows, kernel_sample_next the others; each launch leaves the other kernel's rows alone.
inline int truncates(sample_row params) {
    return params.temperature != 0.0f && (params.top_k > 0 || params.top_p < 1.0);
}

// exp(x) for x <= 0 as sampling.NonPositiveExp computes it (its comments say how): the same double operations in the
// same order, so the same float.
inline float exp_nonpositive(float x) {
    if (!(x >= -87.3f)) {
        return 0.0f;
    }
    const double t = (double) x * 1.4426950408889634;
    const double shifted = t + 0x1.8p52;
    const long bits = as_long(shifted);
    const double g = (t - (shifted - 0x1.8p52)) * 0.6931471805599453;
    const double g2 = g * g;
    const double p = (1.0 + g + g2 * (1.0 / 2 + g * (1.0 / 6)))
            + g2 * g2 * ((1.0 / 24 + g * (1.0 / 120)) + g2 * (1.0 / 720 + g * (1.0 / 5040)));
    return (float) (p * as_double((bits + 1023) << 52));
}

// sampling.CounterUniform.at: a double in [0, 1) from the seed and the draw's index.
inline double counter_uniform(ulong seed, ulong index) {
    ulong z = seed + (index + 1) * 0x9E3779B97F4A7C15UL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    z ^= z >> 31;
    return (double) (z >> 11) * 0x1.0p-53;
}

// A logit divided by the temperature as the host's float division does: the double quotient of two floats, rounded
// to float, is the correctly rounded float quotient (OpenCL's own float division may be 2.5 ulp off).
inline float scaled_logit(float v, float temperature) {
    return temperature == 1.0f ? v : (float) ((double) v / (double) temperature);
}

// Token i's logit as the host draws from it: penalized, then divided by the temperature.
inline float drawn_logit(float raw, int i, float temperature, penalties p) {
    return scaled_logit(penalized_logit(raw, i, p), temperature);
}

// A draw's first pass (strided: coalesced): the largest scaled logit into values[0] and its lowest id into ids[0]
// (argmax_across), NaN into not_a_number; returns how many finite logits this work-item saw. By the whole work-group.
// Inlined: as a call (clang's choice for a body both draw kernels use) its loads' array went to the stack.
__attribute__((always_inline)) inline int scan_top(global const float* logits, int limit, float temperature,
        penalties pen, local float* values, local int* ids, local int* not_a_number) {
    float best = -INFINITY;
    int best_id = INT_MAX;
    int nan_seen = 0;
    int finite_seen = 0;
    // loaded as kernel_greedy_next loads them (load_logits: ids past the row come back -inf, which stays -inf here)
    for (int i0 = get_local_id(0); i0 < limit; i0 += GREEDY_LOADS * SAMPLE_WIDTH) {
        float raw[GREEDY_LOADS];
        load_logits(logits, i0, SAMPLE_WIDTH, limit, raw);
        _Pragma("unroll") for (int k = 0; k < GREEDY_LOADS; k++) {
            const int i = min(i0 + k * SAMPLE_WIDTH, limit - 1);
            const float v = drawn_logit(raw[k], i, temperature, pen);
            if (v > best) {
                best = v;
                best_id = i;
            }
            nan_seen |= isnan(v);
            finite_seen += v > -INFINITY;
        }
    }
    argmax_across(best, best_id, nan_seen, values, ids, not_a_number, SAMPLE_WIDTH);
    return finite_seen;
}

kernel __attribute__((reqd_work_group_size(SAMPLE_WIDTH, 1, 1)))
void kernel_sample_next(global const float* logits, int limit, int row_stride, global int* token_ids,
                        global int* positions, global int* status, global sample_row* rows, global uint* seen,
                        global int* counts, int seen_words, int count_stride) {
    local float values[SAMPLE_WIDTH];
    local int ids[SAMPLE_WIDTH];
    local double sums[SAMPLE_WIDTH];
    local float block_weights[SAMPLE_MAX_BLOCK];
    local int not_a_number;
    local int chosen;
    local int owner;
    const int lid = get_local_id(0);
    const int row = get_group_id(0);
    logits += (ulong) row * row_stride;
    const sample_row params = rows[row];
    if (truncates(params)) {
        return; // the whole work-group: kernel_sample_truncated_next's row
    }
    const int greedy = params.temperature == 0.0f;
    // greedy rows take the argmax of the logits as they are; their weights below are computed and ignored
    const float temperature = greedy ? 1.0f : params.temperature;
    if (lid == 0) {
        not_a_number = 0;
        chosen = -1;
        owner = -1;
    }

    // pass 1: the largest scaled logit and its lowest id, and NaN
    const penalties pen = row_penalties(params, seen, counts, seen_words, count_stride);
    scan_top(logits, limit, temperature, pen, values, ids, &not_a_number);
    const float top = values[0];
    const int argmax = ids[0] == INT_MAX ? -1 : ids[0];
    // min-p keeps logits >= max + ln(min_p), compared in double as the host compares them; without it every finite
    // logit is kept (a -inf one weighs 0)
    const int floored = params.ln_min_p > -INFINITY;
    const double floor = (double) top + params.ln_min_p;

    // pass 2: the weight of each block of consecutive ids, summed in id order (blocks of a multiple of 4 ids, read a
    // float4 at a time: a work-item's loads are its own cache lines, not its warp's)
    const int block = ((limit + SAMPLE_WIDTH - 1) / SAMPLE_WIDTH + 3) & ~3;
    const int first = min(limit, lid * block);
    const int end = min(limit, first + block);
    double sum = 0.0;
    for (int i = first; i < end; i += 4) {
        float4 v4;
        if (i + 4 <= end) {
            v4 = vload4(0, logits + i);
        } else {
            v4 = (float4) (logits[i], i + 1 < end ? logits[i + 1] : -INFINITY, i + 2 < end ? logits[i + 2] : -INFINITY,
                    -INFINITY);
        }
        const float v[4] = {v4.x, v4.y, v4.z, v4.w};
        for (int k = 0; k < 4; k++) {
            const float scaled = drawn_logit(v[k], i + k, temperature, pen);
            if (!floored || (double) scaled >= floor) {
                sum += exp_nonpositive(scaled - top);
            }
        }
    }
    sums[lid] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    // inclusive prefix sums of the blocks (Hillis-Steele): sums[b] = blocks 0 .. b
    for (int offset = 1; offset < SAMPLE_WIDTH; offset <<= 1) {
        const double add = lid >= offset ? sums[lid - offset] : 0.0;
        barrier(CLK_LOCAL_MEM_FENCE);
        sums[lid] += add;
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const double total = sums[SAMPLE_WIDTH - 1];
    const double target = counter_uniform(params.seed, params.draw) * total;
    const double before = lid == 0 ? 0.0 : sums[lid - 1];

    // pass 3: the block the draw falls in (at most one: before <= target < its inclusive sum); the whole work-group
    // computes its weights into local memory (0 where not kept), and its owner walks them to the token
    if (!greedy && argmax >= 0 && before <= target && target < sums[lid]) {
        owner = lid;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    const int walker = owner;
    const int walk_first = min(limit, max(walker, 0) * block);
    const int walk_end = min(limit, walk_first + block);
    for (int i = walk_first + lid; i < walk_end; i += SAMPLE_WIDTH) {
        const float v = drawn_logit(logits[i], i, temperature, pen);
        block_weights[i - walk_first] = !floored || (double) v >= floor ? exp_nonpositive(v - top) : 0.0f;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    if (lid == walker) {
        double cumulative = before;
        for (int i = 0; i < walk_end - walk_first; i++) {
            const float w = block_weights[i];
            if (w > 0.0f) {
                cumulative += w;
                if (target < cumulative) {
                    chosen = walk_first + i;
                    break;
                }
            }
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    if (lid == 0) {
        int token = argmax;
        if (!greedy && argmax >= 0) {
            token = chosen;
            if (token < 0) {
                // rounding left the draw at or past the last boundary: the host then takes the last token it kept
                // (the last with a positive weight; with min-p, the last at or above the floor)
                for (int i = limit - 1; i >= 0; i--) {
                    const float v = drawn_logit(logits[i], i, temperature, pen);
                    if (floored ? (double) v >= floor : exp_nonpositive(v - top) > 0.0f) {
                        token = i;
                        break;
                    }
                }
            }
            rows[row].draw = params.draw + 1;
        }
        // a pass after a failed pick still needs a valid token id; the host discards what it computes
        penalties_accept(pen, token);
        token_ids[row] = max(token, 0);
        positions[row] += 1;
        status[2 * row] = token;
        status[2 * row + 1] = not_a_number;
    }
}

// Top-k and top-p on the device, as LogitSampler.truncate and drawTruncated do them: the candidates that can make the
// cut, sorted most likely first (lowest id on ties: CandidateKeys' order), then the host's sequential sums and walk
// over them by one work-item, in the same order as the host's, so the same cut and the same token. The candidates
// are the tokens within delta of the largest scaled logit, delta the smallest of TRUNCATE_LEVELS that holds the top
// k (or, top-p alone, mass enough for the nucleus) in at most TRUNCATE_CAP tokens, or bisected between two levels
// when one holds too few and the next too many. Where none does (a nucleus wider than the cap, k past it) the row
// reports -2: the host draws that token itself (the decode ends there; nothing is lost, the draw index has not
// advanced). Fewer than k tokens within the widest distance are the cut themselves: the rest weigh too little
// (under e^-64 of the top's 1) to change any of the host's double sums or ever be drawn.
#define TRUNCATE_CAP 1024
#define TRUNCATE_LEVELS 13
#define TRUNCATE_BISECTIONS 16

// CandidateKeys.key: the high word the logit's order reversed, the low word the id; ascending signed order is most
// likely first, lowest id on ties.
inline long candidate_key(float logit, int token) {
    const int bits = as_int(logit);
    const int ascending = bits ^ ((bits >> 31) & 0x7fffffff);
    return ((long) ~ascending << 32) | (long) (uint) token;
}

inline float candidate_logit(long key) {
    const int ascending = ~(int) (key >> 32);
    return as_float(ascending ^ ((ascending >> 31) & 0x7fffffff));
}

inline int candidate_token(long key) {
    return (int) (key & 0xffffffffL);
}

// Whether the tokens within a distance of the top (count of them, their weight) hold the cut: the top k, or the mass
// the nucleus needs (with a margin against the float sums' rounding: a distance too wide costs only a longer sort).
inline int holds_cut(int count, float mass, int topk_on, sample_row params, double z) {
    return topk_on ? count >= params.top_k : (double) mass >= params.top_p * z * (1.0 + 1e-4);
}

kernel __attribute__((reqd_work_group_size(SAMPLE_WIDTH, 1, 1)))
void kernel_sample_truncated_next(global const float* logits, int limit, int row_stride, global int* token_ids,
                                  global int* positions, global int* status, global sample_row* rows, global uint* seen,
                                  global int* counts, int seen_words, int count_stride) {
    local float values[SAMPLE_WIDTH];
    local int ids[SAMPLE_WIDTH];
    local float level_mass[TRUNCATE_LEVELS * SAMPLE_WIDTH]; // only picks a level, with a margin: float will do
    local int level_count[TRUNCATE_LEVELS * SAMPLE_WIDTH];
    local long keys[TRUNCATE_CAP];
    local int not_a_number;
    local int finite;
    local int candidates;
    local float delta;
    local float bisect_narrow;
    local float bisect_wide;
    local double row_total;
    const int lid = get_local_id(0);
    const int row = get_group_id(0);
    logits += (ulong) row * row_stride;
    const sample_row params = rows[row];
    if (!truncates(params)) {
        return; // the whole work-group: kernel_sample_next's row
    }
    const float temperature = params.temperature;
    if (lid == 0) {
        not_a_number = 0;
        finite = 0;
        candidates = 0;
    }

    // pass 1: the largest scaled logit, NaN, and how many logits are finite
    const penalties pen = row_penalties(params, seen, counts, seen_words, count_stride);
    atomic_add(&finite, scan_top(logits, limit, temperature, pen, values, ids, &not_a_number));
    const float top = values[0];

    // pass 2: for each level delta, the tokens within delta of the top and their weight (and the weight of all)
    // from 1/1024 up: a random model's logits lie close together, a trained one's far apart
    const float deltas[TRUNCATE_LEVELS] = {0x1p-10f, 0x1p-8f, 0x1p-6f, 0x1p-4f, 0.25f, 0.5f, 1.0f, 2.0f, 4.0f, 8.0f,
            16.0f, 32.0f, 64.0f};
    int count[TRUNCATE_LEVELS];
    double mass[TRUNCATE_LEVELS];
    for (int j = 0; j < TRUNCATE_LEVELS; j++) {
        count[j] = 0;
        mass[j] = 0.0;
    }
    double all = 0.0;
    for (int i = lid; i < limit; i += SAMPLE_WIDTH) {
        const float v = drawn_logit(logits[i], i, temperature, pen);
        const float w = exp_nonpositive(v - top);
        all += w;
        for (int j = 0; j < TRUNCATE_LEVELS; j++) {
            if (v > -INFINITY && top - v <= deltas[j]) {
                count[j]++;
                mass[j] += w;
            }
        }
    }
    for (int j = 0; j < TRUNCATE_LEVELS; j++) {
        level_count[j * SAMPLE_WIDTH + lid] = count[j];
        level_mass[j * SAMPLE_WIDTH + lid] = (float) mass[j];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    if (lid < TRUNCATE_LEVELS) {
        int c = 0;
        double m = 0.0;
        for (int i = 0; i < SAMPLE_WIDTH; i++) {
            c += level_count[lid * SAMPLE_WIDTH + i];
            m += level_mass[lid * SAMPLE_WIDTH + i];
        }
        level_count[lid * SAMPLE_WIDTH] = c;
        level_mass[lid * SAMPLE_WIDTH] = (float) m;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    // the row's total weight (top-p alone cuts at top_p times it), summed over the work-items' partial sums in
    // work-item order: another order than the host's, so the cut could differ only within ~1e-16 of a boundary
    local double* totals = (local double*) keys; // free until the candidates are gathered
    totals[lid] = all;
    barrier(CLK_LOCAL_MEM_FENCE);
    const int topk_on = params.top_k > 0 && params.top_k < finite;
    const int topp_on = params.top_p < 1.0 && (topk_on ? params.top_k : finite) > 1;
    if (lid == 0) {
        double z = 0.0;
        for (int i = 0; i < SAMPLE_WIDTH; i++) {
            z += totals[i];
        }
        // the narrowest level that holds the cut in at most TRUNCATE_CAP candidates; where one level holds too little
        // and the next too many, the distance between them is bisected below
        float chosen_delta = -1.0f;
        float narrow = 0.0f;
        float wide = -1.0f;
        for (int j = 0; j < TRUNCATE_LEVELS; j++) {
            const int c = level_count[j * SAMPLE_WIDTH];
            if (c > TRUNCATE_CAP) {
                wide = deltas[j];
                break;
            }
            if (holds_cut(c, level_mass[j * SAMPLE_WIDTH], topk_on, params, z)) {
                chosen_delta = deltas[j];
                break;
            }
            narrow = deltas[j];
        }
        if (topk_on && chosen_delta < 0.0f && wide < 0.0f) {
            // fewer than k tokens lie within the widest distance: the rest weigh under e^-64 of the top's 1, too
            // little to change any of the host's double sums (or ever be drawn), so the cut over these is the same
            chosen_delta = deltas[TRUNCATE_LEVELS - 1];
        }
        const int drawable = finite > 0 && !not_a_number && (topk_on || topp_on);
        delta = drawable ? chosen_delta : -1.0f;
        bisect_narrow = narrow;
        bisect_wide = drawable && chosen_delta < 0.0f ? wide : -1.0f;
        row_total = z;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    const double z = row_total;
    // bisection between a level too narrow and the next too wide (each step a pass counting the tokens within the
    // middle distance); every work-item runs it while the bracket is open (uniform: read after barriers)
    for (int step = 0; step < TRUNCATE_BISECTIONS; step++) {
        const float wide_now = bisect_wide;
        if (wide_now < 0.0f) {
            break;
        }
        const float middle = 0.5f * (bisect_narrow + wide_now);
        int c = 0;
        double m = 0.0;
        for (int i = lid; i < limit; i += SAMPLE_WIDTH) {
            const float v = drawn_logit(logits[i], i, temperature, pen);
            if (v > -INFINITY && top - v <= middle) {
                c++;
                m += exp_nonpositive(v - top);
            }
        }
        level_count[lid] = c;
        level_mass[lid] = (float) m;
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid == 0) {
            int count = 0;
            double sum = 0.0;
            for (int i = 0; i < SAMPLE_WIDTH; i++) {
                count += level_count[i];
                sum += level_mass[i];
            }
            if (count > TRUNCATE_CAP) {
                bisect_wide = middle;
            } else if (holds_cut(count, (float) sum, topk_on, params, z)) {
                delta = middle;
                bisect_wide = -1.0f;
            } else {
                bisect_narrow = middle;
            }
            if (step == TRUNCATE_BISECTIONS - 1) {
                bisect_wide = -1.0f;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float chosen = delta;

    // pass 3: the candidates within the chosen level's delta, gathered (in any order) and sorted
    if (chosen >= 0.0f) {
        for (int i = lid; i < limit; i += SAMPLE_WIDTH) {
            const float v = drawn_logit(logits[i], i, temperature, pen);
            if (v > -INFINITY && top - v <= chosen) {
                keys[atomic_inc(&candidates)] = candidate_key(v, i);
            }
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    const int n = chosen >= 0.0f ? candidates : 0;
    int padded = 1;
    while (padded < n) {
        padded <<= 1;
    }
    for (int i = n + lid; i < padded; i += SAMPLE_WIDTH) {
        keys[i] = LONG_MAX;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    // bitonic sort, ascending (every work-item runs every stage: the loops' bounds are uniform)
    for (int size = 2; size <= padded; size <<= 1) {
        for (int stride = size >> 1; stride > 0; stride >>= 1) {
            for (int i = lid; i < padded / 2; i += SAMPLE_WIDTH) {
                const int a = 2 * i - (i & (stride - 1));
                const int b = a + stride;
                const int ascending = (a & size) == 0;
                const long ka = keys[a];
                const long kb = keys[b];
                if ((ka > kb) == ascending) {
                    keys[a] = kb;
                    keys[b] = ka;
                }
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
    }

    // the host's cut and walk, in its order, by one work-item
    if (lid == 0) {
        int token = -1;
        if (finite == 0) {
            token = -1;
        } else if (not_a_number) {
            token = 0; // reported as NaN; the host fails the draw
        } else if (chosen < 0.0f) {
            token = -2; // the host draws it
        } else {
            int size = topk_on ? min(params.top_k, n) : n;
            if (topp_on) {
                double threshold;
                if (topk_on) {
                    double kept_mass = 0.0;
                    for (int i = 0; i < size; i++) {
                        kept_mass += exp_nonpositive(candidate_logit(keys[i]) - top);
                    }
                    threshold = params.top_p * kept_mass;
                } else {
                    threshold = params.top_p * z;
                }
                double cumulative = 0.0;
                int kept = 0;
                for (int i = 0; i < size; i++) {
                    cumulative += exp_nonpositive(candidate_logit(keys[i]) - top);
                    if (cumulative >= threshold) {
                        kept = i + 1;
                        break;
                    }
                }
                if (kept > 0) {
                    size = kept;
                } else if (!topk_on) {
                    token = -2; // the host's nucleus then widens its buckets: let it
                }
            }
            if (token != -2 && params.ln_min_p > -INFINITY) {
                const double floor = (double) top + params.ln_min_p;
                int kept = 0;
                for (int i = 0; i < size; i++) {
                    if ((double) candidate_logit(keys[i]) >= floor) {
                        keys[kept++] = keys[i];
                    }
                }
                size = kept;
            }
            if (token != -2) {
                double total = 0.0;
                for (int i = 0; i < size; i++) {
                    total += exp_nonpositive(candidate_logit(keys[i]) - top);
                }
                const double target = counter_uniform(params.seed, params.draw) * total;
                double cumulative = 0.0;
                token = candidate_token(keys[size - 1]);
                for (int i = 0; i < size - 1; i++) {
                    cumulative += exp_nonpositive(candidate_logit(keys[i]) - top);
                    if (target < cumulative) {
                        token = candidate_token(keys[i]);
                        break;
                    }
                }
                rows[row].draw = params.draw + 1;
            }
        }
        penalties_accept(pen, token);
        token_ids[row] = max(token, 0);
        positions[row] += 1;
        status[2 * row] = token;
        status[2 * row + 1] = not_a_number;
    }
}

// OpenCL C's default again for the sources after this one
#pragma OPENCL FP_CONTRACT ON
#endif
