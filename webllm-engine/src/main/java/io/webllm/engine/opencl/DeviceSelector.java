package io.webllm.engine.opencl;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the OpenCL device to run on: {@code auto} (a GPU first, then an accelerator, then a CPU; among equals the
 * one with the most memory), {@code gpu}, {@code cpu}, a device index as {@code ./webllm devices} lists them, or a
 * part of the device's name, vendor, platform or version ({@code nvidia}, {@code pocl}).
 */
public record DeviceSelector(String spec) {

    public static final DeviceSelector AUTO = new DeviceSelector("auto");

    public static DeviceSelector of(String spec) {
        return spec == null || spec.isBlank() ? AUTO : new DeviceSelector(spec.trim());
    }

    public ClDevice choose(List<ClDevice> devices) {
        if (devices.isEmpty()) {
            throw new ClException("No OpenCL device found. Install your GPU's OpenCL driver (NVIDIA: the driver's "
                    + "OpenCL ICD; AMD: ROCm or Mesa rusticl; Intel: intel-opencl-icd), or PoCL to run on the CPU: "
                    + "apt-get install pocl-opencl-icd ocl-icd-libopencl1");
        }
        String wanted = spec.toLowerCase(Locale.ROOT);
        return switch (wanted) {
            case "auto" -> devices.stream().min(Comparator.comparingInt((ClDevice d) -> rank(d.type()))
                    .thenComparing(Comparator.comparingLong(ClDevice::globalMemoryBytes).reversed())).orElseThrow();
            case "gpu", "cpu", "accelerator" -> devices.stream()
                    .filter(d -> d.type().name().equalsIgnoreCase(wanted))
                    .max(Comparator.comparingLong(ClDevice::globalMemoryBytes))
                    .orElseThrow(() -> notFound("no " + wanted.toUpperCase(Locale.ROOT) + " device", devices));
            default -> wanted.chars().allMatch(Character::isDigit) ? byIndex(Integer.parseInt(wanted), devices)
                    : devices.stream()
                            .filter(d -> (d.name() + " " + d.vendor() + " " + d.platformName() + " " + d.version()).toLowerCase(Locale.ROOT).contains(wanted))
                            .findFirst()
                            .orElseThrow(() -> notFound("no device whose name contains '" + spec + "'", devices));
        };
    }

    private static ClDevice byIndex(int index, List<ClDevice> devices) {
        if (index >= devices.size()) {
            throw notFound("no device with index " + index, devices);
        }
        return devices.get(index);
    }

    private static int rank(ClDevice.Type type) {
        return switch (type) {
            case GPU -> 0;
            case ACCELERATOR -> 1;
            case CPU -> 2;
            case OTHER -> 3;
        };
    }

    private static ClException notFound(String what, List<ClDevice> devices) {
        StringBuilder message = new StringBuilder(what).append("; devices found:");
        devices.forEach(d -> message.append("\n  ").append(d.index()).append(": ").append(d.describe()));
        return new ClException(message.toString());
    }
}
