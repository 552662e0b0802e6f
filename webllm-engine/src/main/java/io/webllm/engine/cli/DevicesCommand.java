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
        return "[--json]  list OpenCL devices; the one 'auto' picks is marked";
    }

    @Override
    public void run(Args args, PrintStream out) {
        boolean json = args.flag("json");
        args.checkAllUsed();
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
}
