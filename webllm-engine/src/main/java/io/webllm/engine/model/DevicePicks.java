package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.ClException;
import io.webllm.engine.opencl.ClKernel;
import io.webllm.engine.opencl.KernelLibrary;
import io.webllm.engine.opencl.PinnedMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What picks a {@link DeviceDecode}'s next tokens after each pass: greedy.cl's argmax and sample.cl's two draw kernels
 * with their arguments set, the draw settings of each sequence they read ({@link DeviceDraw}, written once a decode
 * starts), and the ring of places on the host that their reports (a token and a NaN flag a row) are read into, one
 * for each pass in flight. The Transformer launches {@link #launches()} after each pass of an open decode.
 */
final class DevicePicks implements AutoCloseable {

    /** Work-items of greedy.cl's and sample.cl's work-group of a row. */
    private static final int ROW_WIDTH = 256;
    /** Bytes of sample.cl's sample_row. */
    static final int SAMPLE_ROW_BYTES = 56;
    /** The longest logits row sample.cl draws from: ROW_WIDTH blocks of its SAMPLE_MAX_BLOCK (1,024) ids. */
    private static final int SAMPLE_MAX_VOCABULARY = ROW_WIDTH * 1024;
    private static final System.Logger LOG = System.getLogger(DevicePicks.class.getName());

    private final ClContext cl;
    private final int maxBatch;
    private final int slots;
    private final int vocabulary;
    /**
     * The penalties' inputs on the device, a region per cache slot (sample.cl's seen bits and counts), allocated by
     * the first decode with penalties; null before.
     */
    private @Nullable ClBuffer penaltySeen;
    private @Nullable ClBuffer penaltyCounts;
    private final ClBuffer status;
    private final ClBuffer sampleRows;
    private final Arena hostArena = Arena.ofShared();
    private final MemorySegment hostSampleRows;
    /** Where the reports of the passes in flight land: {@link DeviceDecode#MAX_LOOKAHEAD} places of maxBatch rows. */
    private final MemorySegment hostStatus;
    private final @Nullable PinnedMemory pinnedStatus;
    private final Launch greedy;
    /** Null where the device has no double precision (cl_khr_fp64), which the host's draws are computed in. */
    private final @Nullable Launch sampled;
    private final @Nullable Launch truncated;
    private List<Launch> launches = List.of();

    /**
     * @param logits        the pass's logits rows, {@code vocabulary} floats each
     * @param tokenIds      where the next pass reads its tokens (the picks write them)
     * @param positions     the pass's positions (the picks advance them)
     */
    DevicePicks(ClContext cl, KernelLibrary kernels, ClBuffer logits, int vocabulary, ClBuffer tokenIds, ClBuffer positions,
            int maxBatch, int slots) {
        this.cl = cl;
        this.maxBatch = maxBatch;
        this.slots = slots;
        this.vocabulary = vocabulary;
        status = cl.allocate("device decode status", 8L * maxBatch);
        sampleRows = cl.allocate("sampled decode rows", (long) SAMPLE_ROW_BYTES * maxBatch);
        hostSampleRows = hostArena.allocate((long) SAMPLE_ROW_BYTES * maxBatch, 8);
        long statusBytes = 8L * maxBatch * DeviceDecode.MAX_LOOKAHEAD;
        pinnedStatus = cl.allocatePinnedOrNull("device decode status on the host", statusBytes);
        hostStatus = pinnedStatus != null ? pinnedStatus.segment() : hostArena.allocate(statusBytes, 4);
        greedy = pickLaunch(kernels.create("kernel_greedy_next"), logits, vocabulary, tokenIds, positions);
        sampled = sampleLaunch(kernels, "kernel_sample_next", logits, vocabulary, tokenIds, positions);
        truncated = sampled == null ? null : sampleLaunch(kernels, "kernel_sample_truncated_next", logits, vocabulary, tokenIds, positions);
    }

    private Launch pickLaunch(ClKernel kernel, ClBuffer logits, int vocabulary, ClBuffer tokenIds, ClBuffer positions) {
        kernel.arg(0, logits).arg(1, vocabulary).arg(2, vocabulary).arg(3, tokenIds).arg(4, positions).arg(5, status);
        return new Launch(kernel, -1, rows -> (long) rows * ROW_WIDTH, null, ROW_WIDTH, 0);
    }

    /** A sample.cl kernel with its arguments set, or null where the device or the vocabulary rules it out. */
    private @Nullable Launch sampleLaunch(KernelLibrary kernels, String name, ClBuffer logits, int vocabulary, ClBuffer tokenIds,
            ClBuffer positions) {
        if (vocabulary > SAMPLE_MAX_VOCABULARY) {
            LOG.log(System.Logger.Level.INFO, "sampled requests pick their tokens on the host: {0} tokens are more than the device draw takes",
                    vocabulary);
            return null;
        }
        ClKernel kernel;
        try {
            kernel = kernels.create(name);
        } catch (ClException e) {
            LOG.log(System.Logger.Level.INFO, "sampled requests pick their tokens on the host: no double precision on {0}", cl.device().name());
            return null;
        }
        Launch launch = pickLaunch(kernel, logits, vocabulary, tokenIds, positions);
        // no penalties' inputs until a decode has penalties (a row without them reads none)
        kernel.arg(6, sampleRows).arg(7, sampleRows).arg(8, sampleRows).arg(9, seenWords()).arg(10, vocabulary);
        return launch;
    }

    /** Whether sampled draws can be made here ({@link DeviceDraw} with a temperature). */
    boolean draws() {
        return sampled != null;
    }

    /** 32-bit words of seen bits a slot holds. */
    private int seenWords() {
        return (vocabulary + 31) / 32;
    }

    /**
     * Readies the picks for a decode of these sequences (in cache slots {@code slotIds}) from their first
     * {@code vocabularyLimit} logits: the argmax alone where every draw is greedy, else the draw kernels (each leaves
     * the other's rows alone) with the draws' settings, and their penalties' inputs, written to the device.
     */
    void prepare(DeviceDraw[] draws, int[] slotIds, int vocabularyLimit) {
        if (Arrays.stream(draws).allMatch(DeviceDraw::greedy)) {
            greedy.kernel().arg(1, vocabularyLimit);
            launches = List.of(greedy);
            return;
        }
        if (sampled == null) {
            throw new IllegalStateException("expected a device that draws sampled tokens but " + cl.device().name()
                    + " has no double precision (cl_khr_fp64) or the vocabulary is over " + SAMPLE_MAX_VOCABULARY
                    + " tokens: draw them on the host (Transformer.drawsOnDevice says which)");
        }
        writeSampleRows(draws, slotIds);
        writePenalties(draws, slotIds);
        sampled.kernel().arg(1, vocabularyLimit);
        launches = List.of(sampled);
        if (Arrays.stream(draws).anyMatch(DeviceDraw::truncates)) {
            java.util.Objects.requireNonNull(truncated).kernel().arg(1, vocabularyLimit);
            launches = List.of(sampled, truncated);
        }
    }

    /**
     * sample.cl's sample_row for each draw: ln(min-p), top-p, seed, draw index, temperature, top-k, the repetition,
     * frequency and presence penalties, and the sequence's slot.
     */
    private void writeSampleRows(DeviceDraw[] draws, int[] slotIds) {
        for (int i = 0; i < draws.length; i++) {
            writeSampleRow(hostSampleRows, i, draws[i], slotIds[i]);
        }
        cl.write(sampleRows, 0, hostSampleRows.asSlice(0, (long) SAMPLE_ROW_BYTES * draws.length));
    }

    /** sample.cl's sample_row {@code index} of {@code rows}: {@code draw}'s settings, for the sequence in {@code slot}. */
    static void writeSampleRow(MemorySegment rows, int index, DeviceDraw draw, int slot) {
        long at = (long) SAMPLE_ROW_BYTES * index;
        rows.set(ValueLayout.JAVA_DOUBLE, at, draw.minP() > 0 ? Math.log(draw.minP()) : Double.NEGATIVE_INFINITY);
        rows.set(ValueLayout.JAVA_DOUBLE, at + 8, draw.topP());
        rows.set(ValueLayout.JAVA_LONG, at + 16, draw.seed());
        rows.set(ValueLayout.JAVA_LONG, at + 24, draw.firstDraw());
        rows.set(ValueLayout.JAVA_FLOAT, at + 32, draw.temperature());
        rows.set(ValueLayout.JAVA_INT, at + 36, draw.topK());
        rows.set(ValueLayout.JAVA_FLOAT, at + 40, draw.penalties().repetition());
        rows.set(ValueLayout.JAVA_FLOAT, at + 44, draw.penalties().frequency());
        rows.set(ValueLayout.JAVA_FLOAT, at + 48, draw.penalties().presence());
        rows.set(ValueLayout.JAVA_INT, at + 52, slot);
    }

    /** Where sample.cl's kernels advance a row's draw index, in sample_row {@code index} of {@code rows}. */
    static long drawIndex(MemorySegment rows, int index) {
        return rows.get(ValueLayout.JAVA_LONG, (long) SAMPLE_ROW_BYTES * index + 24);
    }

    /** Each penalized draw's seen bits and counts, into its slot's regions (the kernels keep them up to date after). */
    private void writePenalties(DeviceDraw[] draws, int[] slotIds) {
        if (java.util.Arrays.stream(draws).noneMatch(draw -> draw.penalties().on())) {
            return;
        }
        long seenBytes = 4L * seenWords();
        long countBytes = 4L * vocabulary;
        if (penaltySeen == null) {
            penaltySeen = cl.allocate("penalties' seen tokens", seenBytes * slots);
            penaltyCounts = cl.allocate("penalties' token counts", countBytes * slots);
            for (Launch launch : java.util.Arrays.asList(sampled, truncated)) {
                java.util.Objects.requireNonNull(launch).kernel().arg(7, penaltySeen).arg(8, penaltyCounts);
            }
        }
        try (Arena staging = Arena.ofConfined()) {
            MemorySegment seen = staging.allocate(seenBytes, 8);
            MemorySegment counts = staging.allocate(countBytes, 4);
            for (int i = 0; i < draws.length; i++) {
                DeviceDraw.Penalties penalties = draws[i].penalties();
                if (!penalties.on()) {
                    continue;
                }
                // the host's 64-bit words, little-endian, are the kernel's 32-bit words in order
                MemorySegment.copy(MemorySegment.ofArray(penalties.seen()), 0, seen, 0, Math.min(seenBytes, 8L * penalties.seen().length));
                MemorySegment.copy(MemorySegment.ofArray(penalties.counts()), 0, counts, 0, countBytes);
                cl.write(penaltySeen, seenBytes * slotIds[i], seen);
                cl.write(java.util.Objects.requireNonNull(penaltyCounts), countBytes * slotIds[i], counts);
            }
        }
    }

    /** The kernels to launch after each pass of the prepared decode. */
    List<Launch> launches() {
        return launches;
    }

    /** Enqueues the read of the picks' reports for {@code rows} rows into ring place {@code place}; returns its event. */
    long readAsync(int place, int rows) {
        return cl.readAsync(status, 0, hostStatus.asSlice(8L * maxBatch * place, 8L * rows));
    }

    /** The token reported for row {@code row} in ring place {@code place} (-1: every logit -inf; -2: the host's draw). */
    int token(int place, int row) {
        return hostStatus.getAtIndex(ValueLayout.JAVA_INT, 2L * (maxBatch * place + row));
    }

    /** Whether row {@code row}'s logits in ring place {@code place} held a NaN. */
    boolean sawNaN(int place, int row) {
        return hostStatus.getAtIndex(ValueLayout.JAVA_INT, 2L * (maxBatch * place + row) + 1) != 0;
    }

    @Override
    public void close() {
        if (pinnedStatus != null) {
            pinnedStatus.close();
        }
        status.close();
        sampleRows.close();
        if (penaltySeen != null) {
            penaltySeen.close();
        }
        if (penaltyCounts != null) {
            penaltyCounts.close();
        }
        hostArena.close();
    }
}
