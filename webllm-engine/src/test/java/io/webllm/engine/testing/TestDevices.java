package io.webllm.engine.testing;

import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.DeviceSelector;

/**
 * The OpenCL device tests run on: {@code -Dwebllm.test.device=...} if set, otherwise the automatic choice (PoCL's
 * CPU device in CI). Tests never skip when OpenCL is missing: they fail, because CI installs PoCL.
 */
public final class TestDevices {

    private TestDevices() {
    }

    public static ClContext open() {
        return ClContext.open(DeviceSelector.of(System.getProperty("webllm.test.device", "auto")));
    }
}
