package io.webllm.engine.opencl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lwjgl.opencl.CL10.CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE;
import static org.lwjgl.opencl.CL10.CL_QUEUE_PROFILING_ENABLE;

import io.webllm.engine.testing.TestDevices;
import org.junit.jupiter.api.Test;

/** Which queues a device's answers about cl_khr_command_buffer let the engine record on, and why not. */
class CommandBufferSupportTests {

    @Test
    void aQueueMustHaveTheRequiredPropertiesAndNoUnsupportedOnes() {
        CommandBufferSupport profilingRequired = new CommandBufferSupport(true, "0.9.7", 0L, CL_QUEUE_PROFILING_ENABLE, CL_QUEUE_PROFILING_ENABLE);
        assertThat(profilingRequired.refusal(CL_QUEUE_PROFILING_ENABLE)).isNull();
        assertThat(profilingRequired.refusal(0)).isEqualTo("recording needs queue properties 0x2, the queue has 0x0");

        CommandBufferSupport plainOnly = new CommandBufferSupport(true, "0.9.7", 0L, 0L, 0L);
        assertThat(plainOnly.refusal(0)).isNull();
        assertThat(plainOnly.refusal(CL_QUEUE_PROFILING_ENABLE)).isEqualTo("recording takes queue properties 0x0 only, the queue has 0x2");

        CommandBufferSupport outOfOrderAllowed = new CommandBufferSupport(true, "0.9.7", 0L, 0L,
                CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE | CL_QUEUE_PROFILING_ENABLE);
        assertThat(outOfOrderAllowed.refusal(CL_QUEUE_PROFILING_ENABLE)).isNull();
    }

    @Test
    void unansweredQueriesMeanAPlainQueueOnly() {
        CommandBufferSupport silent = new CommandBufferSupport(true, null, null, null, null);
        assertThat(silent.refusal(0)).isNull();
        assertThat(silent.refusal(CL_QUEUE_PROFILING_ENABLE)).contains("takes queue properties 0x0 only");
        assertThat(new CommandBufferSupport(false, null, null, null, null).refusal(0))
                .isEqualTo("the device does not offer cl_khr_command_buffer");
    }

    /** PoCL 3.1, the CI's device, offers version 0.9.0 and requires nothing of the queue. */
    @Test
    void theTestDeviceReportsItsVersionAndRecordsOnThePlainQueue() {
        try (ClContext cl = TestDevices.open()) {
            CommandBufferSupport support = CommandBufferSupport.of(cl.device());
            assertThat(support.offered()).isTrue();
            assertThat(support.version()).matches("\\d+\\.\\d+\\.\\d+");
            assertThat(support.requiredQueueProperties()).isZero();
            assertThat(ClCommandBuffer.refusal(cl)).isNull();
        }
    }
}
