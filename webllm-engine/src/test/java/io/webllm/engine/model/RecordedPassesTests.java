package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.opencl.ClCommandBuffer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.testing.TestDevices;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The cache of recorded passes: a key is recorded once and replayed after, and a recording that fails turns
 * recording off for good (the caller then enqueues launches one by one) instead of failing the pass.
 */
class RecordedPassesTests {

    @Test
    void aPassIsRecordedOnceAndAFailedRecordingTurnsRecordingOff() {
        try (ClContext cl = TestDevices.open();
             RecordedPasses passes = RecordedPasses.on(cl, ClCommandBuffer.Use.ON)) {
            assertThat(passes).as("the test device records command buffers").isNotNull();
            AtomicInteger recordings = new AtomicInteger();
            RecordedPasses.Key key = new RecordedPasses.Key(1, new AttentionSplit(32, 1), 1);
            ClCommandBuffer first = passes.pass(key, buffer -> recordings.incrementAndGet());
            ClCommandBuffer again = passes.pass(key, buffer -> recordings.incrementAndGet());
            assertThat(first).isNotNull().isSameAs(again);
            assertThat(recordings).hasValue(1);

            RecordedPasses.Key other = new RecordedPasses.Key(2, new AttentionSplit(32, 1), 1);
            assertThat(passes.pass(other, buffer -> {
                throw new IllegalStateException("a driver refusing a command");
            })).isNull();
            // off for good, also for keys recorded before
            assertThat(passes.pass(key, buffer -> recordings.incrementAndGet())).isNull();
            assertThat(recordings).hasValue(1);
        }
    }
}
