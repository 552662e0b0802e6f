package io.webllm.engine.runtime;

import io.webllm.engine.chat.EngineBusyException;
import io.webllm.engine.chat.FinishReason;
import io.webllm.engine.model.Batch;
import io.webllm.engine.model.DeviceDecode;
import io.webllm.engine.model.DeviceDraw;
import io.webllm.engine.model.DrawOnHostException;
import io.webllm.engine.model.Transformer;
import io.webllm.engine.opencl.Tuning;
import io.webllm.engine.output.ToolCallFormat;
import io.webllm.engine.sampling.NoTokenSampleableException;
import io.webllm.engine.sampling.NonFiniteLogitsException;
import io.webllm.engine.tokenizer.Tokenizer;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The one thread that drives the model. Each step it admits waiting requests into free KV cache slots, then runs one
 * forward pass over every active sequence together: one token for each sequence that is decoding, and a chunk of
 * prompt for those still prefilling (continuous batching: the weights are read once per step for all of them).
 * Sequences that finish or are cancelled free their slot at once; the next waiting request takes it.
 */
final class Scheduler implements Runnable {

    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());

    private final Transformer model;
    /** The last pass's logits, whose array the next pass reuses where they fit (Transformer.forward). */
    private float @Nullable [] logitsBuffer;
    private final Tokenizer tokenizer;
    private final SlotTable slots;
    /** Requests handed over by callers; with {@link #pending} bounded, so a full engine refuses work instead of queueing without end. */
    private final BlockingQueue<RequestState> queue;
    /** Requests taken from the queue, in arrival order, waiting for free slots (scheduler thread only). */
    private final java.util.ArrayDeque<RequestState> waiting = new java.util.ArrayDeque<>();
    private final List<Sequence> active = new ArrayList<>();
    private final int stepTokens;
    private final int maskWords;
    private final @Nullable ToolCallFormat toolFormat;
    private final boolean reasoningModel;
    private final int maxQueued;
    /** Requests submitted but not yet admitted into slots, wherever they wait. */
    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean running = true;
    private volatile long devicePickedTokens;
    private volatile long deviceDeclinedDraws;
    // whether top-k, top-p and penalties are drawn on the device too (Tuning.DEVICE_SAMPLING_ALL; tests switch it)
    private volatile boolean deviceSamplingAll = Tuning.DEVICE_SAMPLING_ALL;

    Scheduler(Transformer model, Tokenizer tokenizer, int maxQueued, int stepTokens, int maskWords,
            @Nullable ToolCallFormat toolFormat, boolean reasoningModel) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.slots = new SlotTable(model.slots());
        this.queue = new java.util.concurrent.LinkedBlockingQueue<>();
        this.maxQueued = maxQueued;
        this.stepTokens = stepTokens;
        this.maskWords = maskWords;
        this.toolFormat = toolFormat;
        this.reasoningModel = reasoningModel;
    }

    void submit(RequestState request) {
        if (!running) {
            throw new IllegalStateException("the engine is closed");
        }
        if (pending.incrementAndGet() > maxQueued) {
            pending.decrementAndGet();
            throw new EngineBusyException("the engine is busy: %d requests are already waiting for a free sequence slot; try again later"
                    .formatted(maxQueued));
        }
        queue.add(request);
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        try {
            while (running) {
                dropCancelled();
                queue.drainTo(waiting);
                admit();
                if (active.isEmpty()) {
                    RequestState next = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (next != null) {
                        waiting.add(next);
                    }
                    continue;
                }
                step();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "the scheduler stopped on an error; failing all requests", e);
            failAll(e);
            running = false;
            return;
        }
        abortAll();
    }

    private void admit() {
        while (!waiting.isEmpty()) {
            RequestState head = waiting.peek();
            if (head.publisher.isCancelled()) {
                waiting.poll();
                pending.decrementAndGet();
                continue;
            }
            if (slots.free() < head.request.n()) {
                return;
            }
            waiting.poll();
            pending.decrementAndGet();
            head.prefillStartNanos = System.nanoTime();
            for (int i = 0; i < head.request.n(); i++) {
                SlotTable.Lease lease = slots.acquire(head.prompt);
                head.cachedPromptTokens += lease.reused();
                active.add(new Sequence(head, i, lease, tokenizer, model.contextLength(), model.config().vocabularySize(),
                        maskWords, toolFormat, reasoningModel));
            }
        }
    }

    private void step() {
        if (decodesOnDevice() && decodeOnDevice()) {
            retireFinished();
            return;
        }
        int budget = stepTokens;
        List<int[]> inputs = new ArrayList<>();
        List<Sequence> fedSequences = new ArrayList<>();
        // decoding sequences first (one token each) so prefill of new prompts never stalls ongoing streams
        for (int pass = 0; pass < 2; pass++) {
            for (Sequence sequence : active) {
                if ((pass == 0) != sequence.decoding() || budget == 0) {
                    continue;
                }
                int[] input = sequence.pendingInput(budget);
                if (input.length > 0) {
                    inputs.add(input);
                    fedSequences.add(sequence);
                    budget -= input.length;
                }
            }
        }
        int total = inputs.stream().mapToInt(a -> a.length).sum();
        int[] tokens = new int[total];
        int[] positions = new int[total];
        int[] slotIds = new int[total];
        List<Integer> rows = new ArrayList<>();
        List<Sequence> sampled = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Sequence sequence = fedSequences.get(i);
            int[] input = inputs.get(i);
            for (int j = 0; j < input.length; j++) {
                tokens[at] = input[j];
                positions[at] = sequence.nextPosition() + j;
                slotIds[at] = sequence.slot;
                at++;
            }
            if (sequence.completesInput(input.length)) {
                rows.add(at - 1);
                sampled.add(sequence);
            }
        }
        // each sequence copies its row before the next pass (Sequence.pick), so one array serves every pass
        float[] logits = model.forward(new Batch(tokens, positions, slotIds, rows.stream().mapToInt(Integer::intValue).toArray()),
                logitsBuffer);
        logitsBuffer = logits;
        for (int i = 0; i < inputs.size(); i++) {
            fedSequences.get(i).fed(inputs.get(i).length);
        }
        takeNextTokens(sampled, logits);
        retireFinished();
    }

    /** Tokens a sequence draws on the host after the device declined one of its draws (DrawOnHostException). */
    private static final int HOST_DRAWS_AFTER_DECLINE = 16;

    /**
     * Whether this step can be a decode on the device: every active sequence's tokens can be picked there
     * (Sequence.picksOnDevice: greedy, or drawn with temperature and min-p, and top-k, top-p and penalties where
     * Tuning.DEVICE_SAMPLING_ALL allows, on a device that can draw), they fit one pass, and nothing waits that a free
     * slot could take.
     */
    private boolean decodesOnDevice() {
        if (active.isEmpty() || active.size() > stepTokens || !queue.isEmpty()
                || (!waiting.isEmpty() && slots.free() >= waiting.peek().request.n())) {
            return false;
        }
        for (Sequence sequence : active) {
            if (!sequence.picksOnDevice(deviceSamplingAll) || (sequence.needsDrawKernel() && !model.drawsOnDevice())) {
                return false;
            }
        }
        return true;
    }

    /**
     * The active sequences decode with their tokens picked on the device, passes enqueued ahead of the host
     * (Transformer.deviceDecode: the draws are the ones the host would make, so a sequence may go on on either side),
     * until one of them finishes or is cancelled, a request arrives, the device leaves a draw to the host, or the
     * engine stops: the run ends after the tokens in hand, and the passes still in flight are dropped (the next step
     * feeds each sequence's last token again at its position). Returns whether it took any tokens.
     */
    private boolean decodeOnDevice() {
        int k = active.size();
        int[] tokens = new int[k];
        int[] positions = new int[k];
        int[] slotIds = new int[k];
        DeviceDraw[] draws = new DeviceDraw[k];
        int allowed = Integer.MAX_VALUE;
        int pickable = Integer.MAX_VALUE;
        for (int i = 0; i < k; i++) {
            Sequence sequence = active.get(i);
            tokens[i] = sequence.lastToken();
            positions[i] = sequence.nextPosition();
            slotIds[i] = sequence.slot;
            draws[i] = sequence.deviceDraw();
            allowed = Math.min(allowed, sequence.tokensAllowed());
            pickable = Math.min(pickable, sequence.pickableTokens());
        }
        try (DeviceDecode decode = model.deviceDecode(tokens, positions, slotIds, draws, pickable, allowed, Tuning.DECODE_LOOKAHEAD)) {
            while (decode.hasNext() && running && queue.isEmpty() && allLive()) {
                int[] picked;
                try {
                    picked = decode.next();
                } catch (NonFiniteLogitsException e) {
                    // an ordinary step redoes the pass and fails only the sequence whose logits hold the NaN
                    break;
                } catch (DrawOnHostException e) {
                    // an ordinary step redoes the pass and draws on the host, as it will for this sequence a while
                    active.get(e.sequence()).drawOnHost(HOST_DRAWS_AFTER_DECLINE);
                    deviceDeclinedDraws++;
                    break;
                }
                for (int i = 0; i < k; i++) {
                    active.get(i).fed(1);
                    active.get(i).takePicked(picked[i]);
                }
                devicePickedTokens += k;
            }
            // none taken (nothing allowed, or a request came in meanwhile): the ordinary step goes on
            return decode.taken() > 0;
        }
    }

    /** Whether no active sequence has finished or been cancelled. */
    private boolean allLive() {
        for (Sequence sequence : active) {
            if (sequence.finished() || sequence.request.publisher.isCancelled()) {
                return false;
            }
        }
        return true;
    }

    /** Tokens the device picked (decodeOnDevice) since the engine started: how often that path served. */
    long devicePickedTokens() {
        return devicePickedTokens;
    }

    /** Draws the device left to the host (DrawOnHostException) since the engine started. */
    long deviceDeclinedDraws() {
        return deviceDeclinedDraws;
    }

    /** Whether top-k, top-p and penalties may be drawn on the device (Tuning.DEVICE_SAMPLING_ALL until set). */
    void deviceSamplingAll(boolean enabled) {
        deviceSamplingAll = enabled;
    }

    /**
     * Gives each sequence of {@code sampled} its next token from its row of {@code logits}. Several sequences draw
     * theirs at once on the common fork-join pool (each draw touches only its own sequence: a draw with top-p or a
     * grammar over a 150k vocabulary takes ~0.3-1.5 ms, 16 of them one after another would hold a decode step back
     * by more than the GPU's pass), then publish them one by one on this thread, in batch order.
     */
    private void takeNextTokens(List<Sequence> sampled, float[] logits) {
        List<Integer> live = new ArrayList<>();
        for (int r = 0; r < sampled.size(); r++) {
            if (!sampled.get(r).request.publisher.isCancelled()) {
                live.add(r);
            }
        }
        Sequence.Pick[] picks = new Sequence.Pick[live.size()];
        RuntimeException[] errors = new RuntimeException[live.size()];
        java.util.stream.IntStream.range(0, live.size()).parallel().forEach(i -> {
            try {
                picks[i] = sampled.get(live.get(i)).pick(logits, live.get(i));
            } catch (NonFiniteLogitsException | NoTokenSampleableException e) {
                errors[i] = e; // this sequence's own: its request fails, the others go on
            }
        });
        for (int i = 0; i < picks.length; i++) {
            Sequence sequence = sampled.get(live.get(i));
            if (errors[i] != null) {
                failRequest(sequence.request, errors[i]);
            } else if (!sequence.finished()) {
                sequence.take(picks[i]);
            }
        }
    }

    /**
     * Ends a request that failed on its own (its logits hold a NaN, or its settings leave no token to draw): its
     * stream ends with the error, its sequences stop and free their slots, and every other request goes on.
     */
    private void failRequest(RequestState request, RuntimeException error) {
        if (request.failed) {
            return;
        }
        request.failed = true;
        LOG.log(Level.WARNING, "request {0} failed: {1}", request.id, error.getMessage());
        request.publisher.fail(error);
        for (Sequence sequence : active) {
            if (sequence.request == request) {
                sequence.abandon();
            }
        }
    }

    private void retireFinished() {
        long now = System.nanoTime();
        for (Iterator<Sequence> it = active.iterator(); it.hasNext(); ) {
            Sequence sequence = it.next();
            if (sequence.finished()) {
                it.remove();
                slots.release(sequence.slot, sequence.cachedTokens(), sequence.cachedLength());
                if (--sequence.request.unfinished == 0 && !sequence.request.failed) {
                    sequence.request.finishStream(now);
                }
            }
        }
    }

    private void dropCancelled() {
        for (Iterator<Sequence> it = active.iterator(); it.hasNext(); ) {
            Sequence sequence = it.next();
            if (sequence.request.publisher.isCancelled()) {
                it.remove();
                slots.release(sequence.slot, sequence.cachedTokens(), sequence.cachedLength());
            }
        }
    }

    private void abortAll() {
        for (Sequence sequence : active) {
            sequence.finishWith(FinishReason.ABORT, null);
        }
        retireFinished();
        queue.drainTo(waiting);
        for (RequestState request : waiting) {
            request.publisher.fail(new IllegalStateException("the engine was closed before the request started"));
        }
        waiting.clear();
    }

    private void failAll(Throwable error) {
        for (Sequence sequence : active) {
            sequence.request.publisher.fail(error);
        }
        active.clear();
        queue.drainTo(waiting);
        for (RequestState request : waiting) {
            request.publisher.fail(error);
        }
        waiting.clear();
    }
}
