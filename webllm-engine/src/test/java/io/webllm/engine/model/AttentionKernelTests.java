package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClKernel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The split attention kernels (attention.cl) against a plain-Java softmax attention, for each way a pass can split
 * its positions: one chunk that writes the result itself, several chunks whose last to finish combines them, chunks
 * that lie past a token's position, and with the output also written as Q8 activations; and for each way query heads share a KV
 * head: groups of 4 (one set a work-group), 7 (a full set and one of 3), 8 (two sets) and 1 (plain multi-head).
 * The cache holds half floats: the keys and values here are halves already, so both sides see the same numbers.
 *
 * <p>Tolerance: 1e-5 relative to the largest value. The kernel sums in float32 in another order than the double sums
 * here; a wrong position, head, scale or softmax weight moves outputs by whole percent.
 */
class AttentionKernelTests extends OnTestDevice {

    private static final int CONTEXT = 300;
    private static final int SLOTS = 2;

    /**
     * Tokens at the given positions (in slot 0 and 1 alternately) attend over a cache of random keys and values, split
     * in {@code live} chunks of {@code span} positions.
     */
    @ParameterizedTest(name = "head_dim {0}, positions {1}, span {2} x {3}, quantize {4}, heads {5}/{6}")
    @CsvSource({
            "64, 5, 32, 1, false, 8, 2",
            "64, 5, 32, 1, true, 8, 2",
            "128, 200, 224, 1, true, 8, 2",
            "64, 100, 32, 4, false, 8, 2",
            "128, 250 31 7, 96, 3, true, 8, 2",
            "64, 299 40, 64, 5, true, 14, 2",
            "256, 70 3, 32, 3, false, 8, 1",
            "96, 77 12, 32, 3, true, 4, 4",
            "128, 9 290, 64, 5, false, 14, 2",
            "64, 33, 32, 2, true, 3, 3",
            // 19 chunks: rounds of the combine's loads (AT_COMBINE_UNROLL) with a partial last one
            "128, 299 150, 32, 19, true, 8, 2",
            // chunks shorter than a work-group's round of 32 positions (-Dwebllm.attention.minSpan): idle warps
            "128, 299 150, 16, 19, true, 8, 2",
            "64, 100, 8, 13, false, 14, 2"})
    void splitAttentionMatchesSoftmaxAttention(int headDim, String positionList, int span, int live, boolean quantize,
            int heads, int kvHeads) {
        int[] positions = java.util.Arrays.stream(positionList.split(" ")).mapToInt(Integer::parseInt).toArray();
        int tokens = positions.length;
        int kvDim = kvHeads * headDim;
        int qDim = heads * headDim;
        float[] q = DeviceArrays.randomFloats(tokens * qDim, 1);
        float[] keys = ReferenceTransformer.toHalfAndBack(DeviceArrays.randomFloats(SLOTS * CONTEXT * kvDim, 2));
        float[] values = ReferenceTransformer.toHalfAndBack(DeviceArrays.randomFloats(SLOTS * CONTEXT * kvDim, 3));
        int[] slots = new int[tokens];
        for (int t = 0; t < tokens; t++) {
            slots[t] = t % SLOTS;
        }
        float scale = (float) (1 / Math.sqrt(headDim));
        List<ClBuffer> buffers = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            ClBuffer qBuffer = track(buffers, DeviceArrays.upload(cl, arena, "q", q));
            ClBuffer kCache = track(buffers, DeviceArrays.uploadHalves(cl, arena, "k", keys));
            ClBuffer vCache = track(buffers, DeviceArrays.uploadHalves(cl, arena, "v", values));
            ClBuffer posBuffer = track(buffers, ints(arena, "positions", positions));
            ClBuffer slotBuffer = track(buffers, ints(arena, "slots", slots));
            ClBuffer partial = track(buffers, cl.allocate("partial", 4L * tokens * live * heads * (headDim + 2)));
            ClBuffer result = track(buffers, cl.allocate("result", 4L * tokens * qDim));
            ClBuffer xq = track(buffers, cl.allocate("xq", (long) tokens * qDim));
            ClBuffer xd = track(buffers, cl.allocate("xd", 8L * tokens * qDim / 32));
            int sets = AttentionSplit.groupsPerToken(heads, kvHeads);
            ClBuffer arrivals = track(buffers, ints(arena, "arrivals", new int[tokens * sets]));
            ClKernel split = cl.kernels().create(AttentionSplit.kernelName(headDim))
                    .arg(0, qBuffer).arg(1, qDim).arg(2, kCache).arg(3, vCache).arg(4, partial).arg(5, arrivals)
                    .arg(6, posBuffer).arg(7, slotBuffer).arg(8, heads).arg(9, kvHeads).arg(10, headDim)
                    .arg(11, CONTEXT).arg(12, scale).arg(13, span).arg(14, live).arg(15, result)
                    .arg(16, xq).arg(17, xd).arg(18, quantize ? 1 : 0).arg(19, arrivals);
            // with warming work-groups after its own, asking L2 for the caches (a hint: the same result, the same counts)
            L2Warmup.set(split, 20, List.of(new L2Warmup.Range(kCache, 0, kCache.size()), new L2Warmup.Range(vCache, 128, vCache.size())), arrivals);
            split.run((long) sets * live * 128 + L2Warmup.WORK_ITEMS, tokens, 128, 1);
            // the last chunk of each (token, head set) reset its count, ready for the next launch
            assertThat(DeviceArrays.ints(cl, arena, arrivals, tokens * sets)).as("arrival counts after the pass").containsOnly(0);
            float[] actual = DeviceArrays.floats(cl, arena, result, tokens * qDim);
            float[] expected = attention(q, keys, values, positions, slots, heads, kvHeads, headDim, scale);
            double largest = 0;
            for (float v : expected) {
                largest = Math.max(largest, Math.abs(v));
            }
            for (int i = 0; i < expected.length; i++) {
                assertThat((double) actual[i]).as("output %d (token %d)", i, i / qDim)
                        .isCloseTo(expected[i], org.assertj.core.api.Assertions.offset(1e-5 * largest + 1e-6));
            }
            if (quantize) {
                byte[] quants = DeviceArrays.bytes(cl, arena, xq, tokens * qDim);
                float[] scales = DeviceArrays.floats(cl, arena, xd, 2 * tokens * qDim / 32);
                float[] roundTrip = ReferenceTransformer.q8RoundTrip(actual);
                for (int i = 0; i < actual.length; i++) {
                    float d = scales[2 * (i / 32)];
                    // the kernel quantized exactly what it wrote as floats, as q8.cl's quantize kernel would
                    assertThat(d * quants[i]).as("dequantized output %d", i).isCloseTo(roundTrip[i], org.assertj.core.api.Assertions.offset(1e-6f * (1 + Math.abs(roundTrip[i]))));
                }
            }
        } finally {
            buffers.forEach(ClBuffer::close);
        }
    }

    private static ClBuffer track(List<ClBuffer> buffers, ClBuffer buffer) {
        buffers.add(buffer);
        return buffer;
    }

    private static ClBuffer ints(Arena arena, String name, int[] values) {
        ClBuffer buffer = cl.allocate(name, 4L * values.length);
        MemorySegment host = arena.allocateFrom(ValueLayout.JAVA_INT, values);
        cl.write(buffer, 0, host);
        return buffer;
    }

    /** softmax(q . k / sqrt(head_dim)) v over positions 0 .. pos of each token's slot, per head, in doubles. */
    private static float[] attention(float[] q, float[] keys, float[] values, int[] positions, int[] slots, int heads, int kvHeads,
            int headDim, float scale) {
        int kvDim = kvHeads * headDim;
        int qDim = heads * headDim;
        float[] out = new float[positions.length * qDim];
        for (int t = 0; t < positions.length; t++) {
            for (int h = 0; h < heads; h++) {
                int kvHead = h / (heads / kvHeads);
                double[] scores = new double[positions[t] + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int p = 0; p <= positions[t]; p++) {
                    double s = 0;
                    int at = (slots[t] * CONTEXT + p) * kvDim + kvHead * headDim;
                    for (int d = 0; d < headDim; d++) {
                        s += (double) q[t * qDim + h * headDim + d] * keys[at + d];
                    }
                    scores[p] = s * scale;
                    max = Math.max(max, scores[p]);
                }
                double sum = 0;
                for (int p = 0; p <= positions[t]; p++) {
                    scores[p] = Math.exp(scores[p] - max);
                    sum += scores[p];
                }
                for (int d = 0; d < headDim; d++) {
                    double acc = 0;
                    for (int p = 0; p <= positions[t]; p++) {
                        acc += scores[p] * values[(slots[t] * CONTEXT + p) * kvDim + kvHead * headDim + d];
                    }
                    out[t * qDim + h * headDim + d] = (float) (acc / sum);
                }
            }
        }
        return out;
    }
}
