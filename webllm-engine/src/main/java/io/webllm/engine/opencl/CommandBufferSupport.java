package io.webllm.engine.opencl;

import static org.lwjgl.opencl.CL30.CL_DEVICE_EXTENSIONS_WITH_VERSION;
import static org.lwjgl.opencl.KHRCommandBuffer.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;

/**
 * What a device says about recording command buffers (cl_khr_command_buffer): whether it offers the extension, in
 * which version (the extension is provisional and its queries changed between versions), and which command-queue
 * properties a recording queue must have and may have. {@code devices --json} prints it, so a device that records no
 * passes shows why.
 *
 * @param offered whether the device lists the extension
 * @param version the extension's version as major.minor.patch, or null where the device reports no versions
 * @param capabilities CL_DEVICE_COMMAND_BUFFER_CAPABILITIES_KHR, or null where the device does not answer
 * @param requiredQueueProperties properties a recording queue must have, or null where the device does not answer
 * @param supportedQueueProperties properties a recording queue may have, or null where the device does not answer
 *                                 (versions before 0.9.5 have no such query)
 */
public record CommandBufferSupport(boolean offered, @Nullable String version, @Nullable Long capabilities,
                                   @Nullable Long requiredQueueProperties, @Nullable Long supportedQueueProperties) {

    private static final String EXTENSION = "cl_khr_command_buffer";
    /** cl_name_version: a packed cl_version and a 64-byte name. */
    private static final int NAME_VERSION_BYTES = 4 + 64;

    /** Asks {@code device}. */
    public static CommandBufferSupport of(ClDevice device) {
        if (!ClPlatforms.extensions(device).contains(EXTENSION)) {
            return new CommandBufferSupport(false, null, null, null, null);
        }
        long handle = device.deviceHandle();
        return new CommandBufferSupport(true, version(handle), query(handle, CL_DEVICE_COMMAND_BUFFER_CAPABILITIES_KHR),
                query(handle, CL_DEVICE_COMMAND_BUFFER_REQUIRED_QUEUE_PROPERTIES_KHR),
                query(handle, CL_DEVICE_COMMAND_BUFFER_SUPPORTED_QUEUE_PROPERTIES_KHR));
    }

    /**
     * Null where a queue with {@code queueProperties} can record, else why not. A device that does not answer the
     * property queries (PoCL 3.1 has no "supported" one) is taken to record on a queue without properties only.
     */
    public @Nullable String refusal(long queueProperties) {
        if (!offered) {
            return "the device does not offer " + EXTENSION;
        }
        long required = requiredQueueProperties == null ? 0 : requiredQueueProperties;
        long supported = supportedQueueProperties == null ? 0 : supportedQueueProperties;
        if ((required & ~queueProperties) != 0) {
            return "recording needs queue properties 0x%x, the queue has 0x%x".formatted(required, queueProperties);
        }
        if ((queueProperties & ~supported) != 0) {
            return "recording takes queue properties 0x%x only, the queue has 0x%x".formatted(supported, queueProperties);
        }
        return null;
    }

    private static @Nullable Long query(long device, int param) {
        try {
            return ClPlatforms.deviceLong(device, param);
        } catch (ClException e) {
            return null;
        }
    }

    private static @Nullable String version(long device) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            if (org.lwjgl.opencl.CL10.clGetDeviceInfo(device, CL_DEVICE_EXTENSIONS_WITH_VERSION, (ByteBuffer) null, size) != 0) {
                return null;
            }
            ByteBuffer entries = org.lwjgl.BufferUtils.createByteBuffer((int) size.get(0)).order(java.nio.ByteOrder.nativeOrder());
            if (org.lwjgl.opencl.CL10.clGetDeviceInfo(device, CL_DEVICE_EXTENSIONS_WITH_VERSION, entries, null) != 0) {
                return null;
            }
            for (int at = 0; at + NAME_VERSION_BYTES <= entries.capacity(); at += NAME_VERSION_BYTES) {
                byte[] name = new byte[64];
                entries.get(at + 4, name);
                int length = 0;
                while (length < name.length && name[length] != 0) {
                    length++;
                }
                if (EXTENSION.equals(new String(name, 0, length, StandardCharsets.US_ASCII))) {
                    int packed = entries.getInt(at);
                    // CL_MAKE_VERSION: 10 bits major, 10 bits minor, 12 bits patch
                    return "%d.%d.%d".formatted(packed >>> 22, (packed >>> 12) & 0x3ff, packed & 0xfff);
                }
            }
            return null;
        }
    }
}
