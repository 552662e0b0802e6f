package io.webllm.engine.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;

/** Lists the OpenCL devices of every platform the ICD loader knows. */
public final class ClPlatforms {

    private ClPlatforms() {
    }

    public static List<ClDevice> devices() {
        OpenClLibrary.configure();
        List<ClDevice> devices = new ArrayList<>();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            int error;
            try {
                error = clGetPlatformIDs(null, count);
            } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
                throw new ClException("No OpenCL runtime could be loaded (" + e.getMessage() + "). Install your GPU's "
                        + "OpenCL driver, or PoCL to run on the CPU: apt-get install pocl-opencl-icd ocl-icd-libopencl1");
            }
            if (error == -1001 || count.get(0) == 0) {
                return devices;
            }
            ClException.check(error, "clGetPlatformIDs");
            PointerBuffer platforms = stack.mallocPointer(count.get(0));
            ClException.check(clGetPlatformIDs(platforms, (IntBuffer) null), "clGetPlatformIDs");
            for (int p = 0; p < platforms.capacity(); p++) {
                long platform = platforms.get(p);
                String platformName = platformString(platform, CL_PLATFORM_NAME);
                IntBuffer deviceCount = stack.mallocInt(1);
                int status = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, null, deviceCount);
                if (status == -1 /* CL_DEVICE_NOT_FOUND */ || deviceCount.get(0) == 0) {
                    continue;
                }
                ClException.check(status, "clGetDeviceIDs");
                PointerBuffer ids = stack.mallocPointer(deviceCount.get(0));
                ClException.check(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, ids, (IntBuffer) null), "clGetDeviceIDs");
                for (int d = 0; d < ids.capacity(); d++) {
                    devices.add(describe(devices.size(), platform, platformName, ids.get(d)));
                }
            }
        }
        return devices;
    }

    private static ClDevice describe(int index, long platform, String platformName, long device) {
        long type = deviceLong(device, CL_DEVICE_TYPE);
        ClDevice.Type kind = (type & CL_DEVICE_TYPE_GPU) != 0 ? ClDevice.Type.GPU
                : (type & CL_DEVICE_TYPE_CPU) != 0 ? ClDevice.Type.CPU
                : (type & CL_DEVICE_TYPE_ACCELERATOR) != 0 ? ClDevice.Type.ACCELERATOR : ClDevice.Type.OTHER;
        return new ClDevice(index, platform, device, platformName,
                deviceString(device, CL_DEVICE_NAME).trim(), deviceString(device, CL_DEVICE_VENDOR).trim(),
                deviceString(device, CL_DEVICE_VERSION).trim(), kind,
                deviceLong(device, CL_DEVICE_GLOBAL_MEM_SIZE), deviceLong(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                deviceLong(device, CL_DEVICE_LOCAL_MEM_SIZE), devicePointer(device, CL_DEVICE_MAX_WORK_GROUP_SIZE),
                deviceInt(device, CL_DEVICE_MAX_COMPUTE_UNITS));
    }

    /** The device's extension names, as it reports them (CL_DEVICE_EXTENSIONS). */
    public static java.util.List<String> extensions(ClDevice device) {
        return java.util.Arrays.stream(deviceString(device.deviceHandle(), CL_DEVICE_EXTENSIONS).trim().split("\\s+"))
                .filter(name -> !name.isEmpty()).sorted().toList();
    }

    static String platformString(long platform, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            ClException.check(clGetPlatformInfo(platform, param, (ByteBuffer) null, size), "clGetPlatformInfo");
            ByteBuffer value = stack.malloc((int) size.get(0));
            ClException.check(clGetPlatformInfo(platform, param, value, null), "clGetPlatformInfo");
            return decode(value);
        }
    }

    static String deviceString(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            ClException.check(clGetDeviceInfo(device, param, (ByteBuffer) null, size), "clGetDeviceInfo");
            ByteBuffer value = stack.malloc((int) size.get(0));
            ClException.check(clGetDeviceInfo(device, param, value, null), "clGetDeviceInfo");
            return decode(value);
        }
    }

    static long deviceLong(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            LongBuffer value = stack.mallocLong(1);
            ClException.check(clGetDeviceInfo(device, param, value, null), "clGetDeviceInfo");
            return value.get(0);
        }
    }

    static int deviceInt(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer value = stack.mallocInt(1);
            ClException.check(clGetDeviceInfo(device, param, value, null), "clGetDeviceInfo");
            return value.get(0);
        }
    }

    static long devicePointer(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer value = stack.mallocPointer(1);
            ClException.check(clGetDeviceInfo(device, param, value, null), "clGetDeviceInfo");
            return value.get(0);
        }
    }

    private static String decode(ByteBuffer value) {
        byte[] bytes = new byte[Math.max(0, value.remaining() - 1)]; // drop the trailing NUL
        value.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
