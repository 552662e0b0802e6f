package io.webllm.engine.model;

import io.webllm.engine.opencl.ClCommandBuffer;
import io.webllm.engine.opencl.ClContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Forward passes recorded as command buffers (cl_khr_command_buffer), by what varies between passes: a decode step
 * replays with one enqueue instead of a few hundred. Kernel arguments are captured when a launch is recorded, so a
 * pass needs a recording per token count, attention split and logit-row count (everything else is set once at
 * load). The least recently used recording goes when more than {@link #KEPT} are held: at short contexts a decode's
 * attention split changes every 32 positions.
 */
final class RecordedPasses implements AutoCloseable {

    /** Recordings held at most. */
    static final int KEPT = 64;

    private static final System.Logger LOG = System.getLogger(RecordedPasses.class.getName());

    private final ClContext cl;
    private final LinkedHashMap<Key, ClCommandBuffer> recordings = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, ClCommandBuffer> eldest) {
            if (size() <= KEPT) {
                return false;
            }
            cl.finish(); // it may still be running
            eldest.getValue().close();
            return true;
        }
    };
    private boolean failed;

    private RecordedPasses(ClContext cl) {
        this.cl = cl;
    }

    /** Recorded passes on {@code cl}, or null where {@code use} or the device rules them out (ClCommandBuffer#supported). */
    static @Nullable RecordedPasses on(ClContext cl, ClCommandBuffer.Use use) {
        if (ClCommandBuffer.supported(cl, use)) {
            return new RecordedPasses(cl);
        }
        if (use == ClCommandBuffer.Use.ON) {
            LOG.log(System.Logger.Level.WARNING, "recorded passes were asked for, but {0}: launching kernels one by one",
                    ClCommandBuffer.refusal(cl));
        }
        return null;
    }

    /** What a recorded pass depends on beyond the arguments set at load. */
    record Key(int tokens, AttentionSplit split, int logitRows) {
    }

    /**
     * The recording of the pass {@code key} names, made by {@code recorder} on first use. Null once a recording has
     * failed: every pass then enqueues its launches one by one, as without the extension.
     */
    @Nullable ClCommandBuffer pass(Key key, Consumer<ClCommandBuffer> recorder) {
        if (failed) {
            return null;
        }
        ClCommandBuffer recorded = recordings.get(key);
        if (recorded != null) {
            return recorded;
        }
        ClCommandBuffer buffer = null;
        try {
            buffer = ClCommandBuffer.create(cl);
            recorder.accept(buffer);
            buffer.finish();
        } catch (RuntimeException e) {
            if (buffer != null) {
                buffer.close();
            }
            LOG.log(System.Logger.Level.WARNING, "recording a forward pass into a command buffer failed; "
                    + "launching kernels one by one from now on", e);
            failed = true;
            close();
            return null;
        }
        recordings.put(key, buffer);
        return buffer;
    }

    @Override
    public void close() {
        if (!recordings.isEmpty()) {
            cl.finish(); // a recorded pass may still be running
            recordings.values().forEach(ClCommandBuffer::close);
            recordings.clear();
        }
    }
}
