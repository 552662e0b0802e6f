package io.webllm.engine.opencl;

/**
 * One OpenCL device as discovered, with the properties device choice and buffer sizing need.
 *
 * @param index position in the list of all devices of all platforms, as {@code --device N} counts
 */
public record ClDevice(
        int index,
        long platformHandle,
        long deviceHandle,
        String platformName,
        String name,
        String vendor,
        String version,
        Type type,
        long globalMemoryBytes,
        long maxAllocationBytes,
        long localMemoryBytes,
        long maxWorkGroupSize,
        int computeUnits) {

    public enum Type {
        GPU, CPU, ACCELERATOR, OTHER
    }

    /** A one-line description for logs: {@code NVIDIA H200 (GPU, NVIDIA CUDA, 139.8 GiB)}. */
    public String describe() {
        return "%s (%s, %s, %.1f GiB)".formatted(name, type, platformName, globalMemoryBytes / (1024.0 * 1024 * 1024));
    }
}
