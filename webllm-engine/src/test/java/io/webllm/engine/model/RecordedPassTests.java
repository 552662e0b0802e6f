package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.opencl.ClCommandBuffer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.testing.TestDevices;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passes replayed from recorded command buffers (cl_khr_command_buffer) compute exactly what the same launches
 * enqueued one by one compute: the recorded arguments are the ones the pass needs, across the changes of attention
 * split that a decode meets every 32 positions, for prompts, single decode tokens and batches of several sequences.
 * On a device that refuses recording, asking for it runs the same launches one by one, with the same results.
 */
class RecordedPassTests {

    @TempDir
    Path temp;

    @Test
    void recordedPassesGiveTheLogitsOfLaunchesEnqueuedOneByOne() {
        Path model = temp.resolve("qwen2.gguf");
        new SyntheticModelWriter(ModelShape.TINY_QWEN2, io.webllm.engine.tensor.GgmlType.Q8_0, 5).write(model);
        float[][] recorded = run(model, ClCommandBuffer.Use.ON);
        float[][] enqueued = run(model, ClCommandBuffer.Use.OFF);
        assertThat(recorded.length).isEqualTo(enqueued.length);
        for (int i = 0; i < recorded.length; i++) {
            assertThat(recorded[i]).as("pass %d", i).isEqualTo(enqueued[i]);
        }
    }

    /**
     * More distinct passes than are kept recorded (prompts of 1 to 70 tokens, each its own recording, so the least
     * recently used are released along the way): every pass still computes what its launches enqueued one by one do.
     */
    @Test
    void passesBeyondTheRecordedLimitStayCorrect() {
        Path model = temp.resolve("llama.gguf");
        new SyntheticModelWriter(ModelShape.TINY_LLAMA3, io.webllm.engine.tensor.GgmlType.Q4_0, 6).write(model);
        float[][] recorded = prompts(model, ClCommandBuffer.Use.ON);
        float[][] enqueued = prompts(model, ClCommandBuffer.Use.OFF);
        for (int i = 0; i < recorded.length; i++) {
            assertThat(recorded[i]).as("prompt of %d tokens", i + 1).isEqualTo(enqueued[i]);
        }
    }

    private static float[][] prompts(Path model, ClCommandBuffer.Use recorded) {
        try (GgufFile file = GgufFile.open(model);
             ClContext cl = TestDevices.open();
             Transformer transformer = Transformer.load(file, cl, new Transformer.Options(80, 1, 80).withRecordedPasses(recorded),
                     LoadListener.NONE)) {
            int[] tokens = new java.util.SplittableRandom(8).ints(70, 3, 512).toArray();
            float[][] logits = new float[70][];
            for (int n = 1; n <= 70; n++) {
                logits[n - 1] = transformer.forward(Batch.sequence(java.util.Arrays.copyOf(tokens, n), 0, 0));
            }
            return logits;
        }
    }

    /** A 40-token prompt in slot 0, 60 decode steps of it (positions 40 .. 99), then a step of two sequences. */
    private static float[][] run(Path model, ClCommandBuffer.Use recorded) {
        try (GgufFile file = GgufFile.open(model);
             ClContext cl = TestDevices.open();
             Transformer transformer = Transformer.load(file, cl, new Transformer.Options(128, 2, 64).withRecordedPasses(recorded),
                     LoadListener.NONE)) {
            // PoCL (CI) records command buffers, so the recorded path really runs there; a driver that refuses
            // them (NVIDIA's offers no cl_khr_command_buffer) runs the launches one by one, and must say why
            String refusal = ClCommandBuffer.refusal(cl);
            if (cl.device().platformName().contains("Portable Computing Language")) {
                assertThat(refusal).isNull();
            }
            assertThat(ClCommandBuffer.supported(cl, recorded)).isEqualTo(recorded == ClCommandBuffer.Use.ON && refusal == null);
            int[] prompt = new java.util.SplittableRandom(3).ints(40, 3, 512).toArray();
            float[][] logits = new float[62][];
            logits[0] = transformer.forward(Batch.sequence(prompt, 0, 0));
            transformer.forward(Batch.sequence(prompt, 0, 1));
            int token = StoriesGreedyTests.argmax(logits[0]);
            for (int i = 1; i <= 60; i++) {
                logits[i] = transformer.forward(Batch.sequence(new int[] {token}, prompt.length + i - 1, 0));
                token = StoriesGreedyTests.argmax(logits[i]);
            }
            logits[61] = transformer.forward(new Batch(new int[] {token, 7}, new int[] {100, 40}, new int[] {0, 1}, new int[] {0, 1}));
            return logits;
        }
    }
}
