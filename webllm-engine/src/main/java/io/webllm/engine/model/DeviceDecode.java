package io.webllm.engine.model;

/**
 * A decode of one or more sequences whose passes run ahead of the host: each pass feeds a token of each sequence, and
 * their next tokens are picked on the device (the argmax of each logits row, greedy.cl, or a draw as the host's
 * sampler makes it, sample.cl: {@link DeviceDraw}) and written where the following pass reads its tokens, so the host
 * enqueues pass i + 1 while the device still runs pass i and reads back eight bytes a token instead of its logits
 * (600 KB for a 150k vocabulary).
 * Where the host's launches cost as much as the device's work (small models: ~125 launches a token at ~11 us each on
 * NVIDIA's driver), a decode that waits for each token before the next pass pays both one after the other; this one
 * pays the larger.
 *
 * <p>{@link #next()} returns the tokens in order. A caller that stops early (end of sequence, a stop string) closes
 * the decode: up to {@code lookahead - 1} passes already enqueued still run, and their tokens are dropped; their
 * keys and values lie past the sequence's end, where the next pass of that slot overwrites them. Not thread-safe:
 * one caller drives it, and the model runs no other pass until it is closed.
 */
public final class DeviceDecode implements AutoCloseable {

    /** A row's report where the device left its draw to the host (sample.cl, kernel_sample_truncated_next). */
    static final int DRAW_ON_HOST = -2;

    /** The most passes in flight: the host's status ring has a place for each. */
    public static final int MAX_LOOKAHEAD = 16;

    private final Transformer model;
    /** Each sequence's position in the first pass. */
    private final int[] firstPositions;
    private final int passes;
    private final int lookahead;
    /** The read event of each pass in flight, at its place in the status ring (pass number mod lookahead). */
    private final long[] events;
    private int enqueued;
    private int taken;
    private boolean closed;

    DeviceDecode(Transformer model, int[] firstPositions, int passes, int lookahead) {
        if (lookahead < 1) {
            throw new IllegalArgumentException("a device decode keeps at least one pass in flight, not " + lookahead);
        }
        this.model = model;
        this.firstPositions = firstPositions;
        this.passes = passes;
        this.lookahead = lookahead;
        this.events = new long[lookahead];
    }

    /** Whether another token can be taken: the passes given at the start, or the cache's end, are not used up. */
    public boolean hasNext() {
        return !closed && taken < passes;
    }

    /** How many passes {@link #next()} returned the tokens of: the tokens each sequence has fed. */
    public int taken() {
        return taken;
    }

    /**
     * The tokens the next pass picks, one for each sequence in the order given at the start: tops up the passes in
     * flight to the lookahead, then waits for the oldest. An OpenCL error of any pass surfaces here; a NaN among the
     * logits fails as the host's argmax would.
     *
     * @throws java.util.NoSuchElementException where {@link #hasNext()} is false
     */
    public int[] next() {
        if (!hasNext()) {
            throw new java.util.NoSuchElementException(closed ? "the device decode is closed"
                    : "the device decode's " + passes + " passes are all taken");
        }
        while (enqueued < passes && enqueued - taken < lookahead) {
            events[enqueued % lookahead] = model.enqueueDevicePass(firstPositions, enqueued, enqueued % lookahead);
            enqueued++;
        }
        int place = taken % lookahead;
        long event = events[place];
        events[place] = 0;
        model.context().await(event);
        int pass = taken++;
        int[] tokens = new int[firstPositions.length];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = model.pickedToken(place, i);
            if (model.pickSawNaN(place, i)) {
                throw new io.webllm.engine.sampling.NonFiniteLogitsException("expected finite logits but the pass at position "
                        + (firstPositions[i] + pass) + " produced NaN for sequence " + i + " of " + tokens.length);
            }
            if (tokens[i] == DRAW_ON_HOST) {
                throw new DrawOnHostException(i, "the device left the draw at position " + (firstPositions[i] + pass)
                        + " of sequence " + i + " to the host: its top-k or top-p cut needs more than the 1,024 candidates"
                        + " the device sorts, or a top-p it cannot tell from the whole row");
            }
            if (tokens[i] < 0) {
                throw new IllegalStateException("expected a finite logit among the vocabulary but every logit of the pass at position "
                        + (firstPositions[i] + pass) + " is -inf for sequence " + i + " of " + tokens.length);
            }
        }
        return tokens;
    }

    /** Waits for the passes still in flight, drops their tokens, and gives the model back to ordinary passes. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            model.endDeviceDecode(this);
        } finally {
            for (int i = 0; i < lookahead; i++) {
                if (events[i] != 0) {
                    model.context().release(events[i]);
                    events[i] = 0;
                }
            }
        }
    }
}
