package io.webllm.engine.model;

import io.webllm.engine.opencl.ClBuffer;
import io.webllm.engine.opencl.ClContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Host arrays to and from device buffers, and seeded inputs, for the kernel tests. */
final class DeviceArrays {

    private DeviceArrays() {
    }

    static ClBuffer upload(ClContext cl, Arena arena, String name, byte[] bytes) {
        ClBuffer buffer = cl.allocate(name, bytes.length);
        cl.write(buffer, 0, arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes));
        return buffer;
    }

    static ClBuffer upload(ClContext cl, Arena arena, String name, float[] values) {
        ClBuffer buffer = cl.allocate(name, 4L * values.length);
        cl.write(buffer, 0, arena.allocateFrom(ValueLayout.JAVA_FLOAT, values));
        return buffer;
    }

    static ClBuffer upload(ClContext cl, Arena arena, String name, int[] values) {
        ClBuffer buffer = cl.allocate(name, 4L * values.length);
        cl.write(buffer, 0, arena.allocateFrom(ValueLayout.JAVA_INT, values));
        return buffer;
    }

    /** values as half floats (each already a half, or rounded to nearest even). */
    static ClBuffer uploadHalves(ClContext cl, Arena arena, String name, float[] values) {
        short[] halves = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            halves[i] = Float.floatToFloat16(values[i]);
        }
        ClBuffer buffer = cl.allocate(name, 2L * values.length);
        cl.write(buffer, 0, arena.allocateFrom(ValueLayout.JAVA_SHORT, halves));
        return buffer;
    }

    static float[] floats(ClContext cl, Arena arena, ClBuffer buffer, int count) {
        MemorySegment host = arena.allocate(4L * count, 4);
        cl.read(buffer, 0, host);
        cl.finish();
        return host.toArray(ValueLayout.JAVA_FLOAT);
    }

    static int[] ints(ClContext cl, Arena arena, ClBuffer buffer, int count) {
        MemorySegment host = arena.allocate(4L * count, 4);
        cl.read(buffer, 0, host);
        cl.finish();
        return host.toArray(ValueLayout.JAVA_INT);
    }

    static byte[] bytes(ClContext cl, Arena arena, ClBuffer buffer, int count) {
        MemorySegment host = arena.allocate(count);
        cl.read(buffer, 0, host);
        cl.finish();
        return host.toArray(ValueLayout.JAVA_BYTE);
    }

    /** n values uniform in [-2, 2). */
    static float[] randomFloats(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextDouble(-2, 2);
        }
        return values;
    }
}
