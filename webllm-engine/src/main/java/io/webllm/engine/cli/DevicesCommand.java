package io.webllm.engine.cli;

import io.webllm.engine.opencl.ClDevice;
import io.webllm.engine.opencl.ClPlatforms;
import io.webllm.engine.opencl.DeviceSelector;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class DevicesCommand implements Command {

    @Override
    public String name() {
        return "devices";
    }

    @Override
    public String usage() {
        return "[--json] [--kernels-to FILE [--device D]]  list OpenCL devices; the one 'auto' picks is marked; optionally save the compiled kernels";
    }

    @Override
    public void run(Args args, PrintStream out) {
        boolean json = args.flag("json");
        String kernelsTo = args.option("kernels-to", "", null);
        DeviceSelector selector = DeviceSelector.of(args.option("device", "d", "auto"));
        args.checkAllUsed();
        if (kernelsTo != null) {
            try (io.webllm.engine.opencl.ClContext cl = io.webllm.engine.opencl.ClContext.open(selector)) {
                java.nio.file.Files.write(java.nio.file.Path.of(kernelsTo), cl.kernels().binary());
                System.err.println("webllm: kernels for " + cl.device().describe() + " written to " + kernelsTo);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        List<ClDevice> devices = ClPlatforms.devices();
        ClDevice chosen = devices.isEmpty() ? null : DeviceSelector.AUTO.choose(devices);
        if (json) {
            Json.print(out, Map.of("devices", devices.stream().map(d -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("index", d.index());
                m.put("name", d.name());
                m.put("platform", d.platformName());
                m.put("type", d.type().name());
                m.put("globalMemoryBytes", d.globalMemoryBytes());
                m.put("maxAllocationBytes", d.maxAllocationBytes());
                m.put("computeUnits", d.computeUnits());
                m.put("version", d.version());
                m.put("auto", d == chosen);
                m.put("commandBuffers", commandBuffers(io.webllm.engine.opencl.CommandBufferSupport.of(d)));
                m.put("extensions", ClPlatforms.extensions(d));
                return m;
            }).toList()));
            return;
        }
        if (devices.isEmpty()) {
            out.println("no OpenCL devices (install a GPU driver's OpenCL ICD, or PoCL: apt-get install pocl-opencl-icd)");
        }
        for (ClDevice d : devices) {
            out.printf("%s %d: %s [%s]%n", d == chosen ? "*" : " ", d.index(), d.describe(), d.version());
        }
    }

    /** The device's answers about recording command buffers, and whether the engine records passes on it. */
    private static Map<String, Object> commandBuffers(io.webllm.engine.opencl.CommandBufferSupport support) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("offered", support.offered());
        m.put("version", support.version());
        m.put("capabilities", support.capabilities());
        m.put("requiredQueueProperties", support.requiredQueueProperties());
        m.put("supportedQueueProperties", support.supportedQueueProperties());
        String refusal = support.refusal(0);
        m.put("recordsPasses", refusal == null);
        if (refusal != null) {
            m.put("refusal", refusal);
        }
        return m;
    }
}
