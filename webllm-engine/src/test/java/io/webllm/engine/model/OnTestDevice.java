package io.webllm.engine.model;

import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.testing.TestDevices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Kernel and model tests on the test device (TestDevices: PoCL in CI, the GPU with -Dwebllm.test.device=gpu): one
 * context a test class, opened before its tests and closed after them. Test classes run one after another.
 */
abstract class OnTestDevice {

    static ClContext cl;

    @BeforeAll
    static void openDevice() {
        cl = TestDevices.open();
    }

    @AfterAll
    static void closeDevice() {
        cl.close();
    }
}
