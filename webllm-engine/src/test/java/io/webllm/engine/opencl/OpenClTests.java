package io.webllm.engine.opencl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.webllm.engine.testing.TestDevices;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Device choice, error reporting and memory accounting of the OpenCL host layer, on the CI's real device. */
class OpenClTests {

    private static ClDevice device(int index, String name, String platform, ClDevice.Type type, long memory) {
        return new ClDevice(index, 0, 0, platform, name, "vendor", type == ClDevice.Type.CPU ? "OpenCL 3.0 PoCL" : "OpenCL 3.0", type, memory, memory / 4, 48 << 10, 1024, 8);
    }

    private static final List<ClDevice> DEVICES = List.of(
            device(0, "Xeon", "Portable Computing Language", ClDevice.Type.CPU, 32L << 30),
            device(1, "Small GPU", "Intel(R) OpenCL", ClDevice.Type.GPU, 8L << 30),
            device(2, "NVIDIA H200", "NVIDIA CUDA", ClDevice.Type.GPU, 140L << 30));

    @Test
    void automaticChoicePrefersTheLargestGpu() {
        assertThat(DeviceSelector.AUTO.choose(DEVICES).name()).isEqualTo("NVIDIA H200");
        assertThat(DeviceSelector.of("cpu").choose(DEVICES).name()).isEqualTo("Xeon");
        assertThat(DeviceSelector.of("1").choose(DEVICES).name()).isEqualTo("Small GPU");
        assertThat(DeviceSelector.of("pocl").choose(DEVICES).name()).isEqualTo("Xeon");
        assertThat(DeviceSelector.of("nvidia").choose(DEVICES).name()).isEqualTo("NVIDIA H200");
    }

    @Test
    void aDeviceThatIsNotThereIsExplainedWithTheList() {
        assertThatThrownBy(() -> DeviceSelector.of("amd").choose(DEVICES))
                .isInstanceOf(ClException.class)
                .hasMessageContaining("no device whose name contains 'amd'")
                .hasMessageContaining("2: NVIDIA H200 (GPU, NVIDIA CUDA, 140.0 GiB)");
        assertThatThrownBy(() -> DeviceSelector.of("7").choose(DEVICES)).hasMessageContaining("no device with index 7");
        assertThatThrownBy(() -> DeviceSelector.AUTO.choose(List.of()))
                .hasMessageContaining("No OpenCL device found").hasMessageContaining("pocl-opencl-icd");
    }

    @Test
    void theRealDeviceIsFound() {
        List<ClDevice> devices = ClPlatforms.devices();
        assertThat(devices).isNotEmpty();
        assertThat(devices).allSatisfy(d -> assertThat(d.globalMemoryBytes()).isPositive());
    }

    @Test
    void aFailedBuildShowsTheDriversLog() {
        try (ClContext cl = TestDevices.open()) {
            assertThatThrownBy(() -> cl.build("broken", "kernel void k(global float* x) { x[0] = undeclared_name; }", ""))
                    .isInstanceOf(ClException.class)
                    .hasMessageContaining("clBuildProgram: CL_BUILD_PROGRAM_FAILURE (-11)")
                    .hasMessageContaining("building broken for")
                    .hasMessageContaining("undeclared_name");
        }
    }

    @Test
    void buffersAreAccountedAndReleased() {
        try (ClContext cl = TestDevices.open()) {
            long before = cl.allocatedBytes();
            ClBuffer a = cl.allocate("a", 1 << 20);
            ClBuffer b = cl.allocate("b", 1 << 10);
            assertThat(cl.allocatedBytes()).isEqualTo(before + (1 << 20) + (1 << 10));
            a.close();
            a.close();
            assertThat(cl.allocatedBytes()).isEqualTo(before + (1 << 10));
            assertThatThrownBy(() -> cl.allocate("huge", cl.device().maxAllocationBytes() + 1))
                    .isInstanceOf(ClException.class).hasMessageContaining("huge needs");
            assertThatThrownBy(() -> cl.write(b, 1000, java.lang.foreign.MemorySegment.ofArray(new byte[100])))
                    .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("do not fit buffer b");
        }
    }

    /**
     * A kernel that runs another's work among its own (mul_mv_q8.cl's chained launches) takes that kernel's arguments
     * as they were set: buffers, ints, longs, floats and local sizes at their places, shifted by the first index.
     */
    @Test
    void argumentsCopyIntoAnotherKernelAtAnOffset() {
        String source = """
                kernel void one(global float* y, int i, long l, float f, local float* scratch) {
                    scratch[0] = f; barrier(CLK_LOCAL_MEM_FENCE);
                    y[0] = (float) i + (float) l + scratch[0];
                }
                kernel void two(global float* z, int k, global float* y, int i, long l, float f, local float* scratch) {
                    scratch[0] = f; barrier(CLK_LOCAL_MEM_FENCE);
                    y[0] = (float) i + (float) l + scratch[0];
                    z[0] = (float) k;
                }
                """;
        try (ClContext cl = TestDevices.open(); java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined();
             ClProgram program = cl.build("copied arguments", source, "");
             ClBuffer y = cl.allocate("y", 4);
             ClBuffer z = cl.allocate("z", 4);
             ClKernel one = program.kernel("one").arg(0, y).arg(1, 3).arg(2, 40L).arg(3, 0.5f).localArg(4, 4);
             ClKernel two = program.kernel("two").arg(0, z).arg(1, 7)) {
            assertThat(one.copyArgsTo(two, 2)).as("arguments the first kernel declares").isEqualTo(5);
            assertThat(two.declaredArgs()).isEqualTo(7);
            two.run(1, 1);
            java.lang.foreign.MemorySegment result = arena.allocate(4);
            cl.read(y, 0, result);
            assertThat(result.get(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0)).isEqualTo(43.5f);
            cl.read(z, 0, result);
            assertThat(result.get(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0)).isEqualTo(7f);
        }
    }

    /**
     * A region of a buffer is a buffer of its own for kernels and copies, holding no memory of its own: what one write
     * puts into the parent, the region reads at its offset, and a kernel writing the region writes the parent there.
     */
    @Test
    void regionsAreBuffersOverTheirParentsBytes() {
        try (ClContext cl = TestDevices.open(); java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined();
             ClProgram program = cl.build("regions", "kernel void inc(global int* v) { v[get_global_id(0)] += 1; }", "")) {
            long align = cl.regionAlignment();
            assertThat(align).isPositive();
            ClBuffer parent = cl.allocate("parent", 2 * align);
            long held = cl.allocatedBytes();
            ClBuffer second = cl.region(parent, "second", align, 16);
            assertThat(cl.allocatedBytes()).as("a region holds nothing of its own").isEqualTo(held);
            java.lang.foreign.MemorySegment values = arena.allocate(2 * align);
            for (int i = 0; i < 4; i++) {
                values.setAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, align / 4 + i, 10 * i);
            }
            cl.write(parent, 0, values);
            try (ClKernel inc = program.kernel("inc").arg(0, second)) {
                inc.run(4, 0);
            }
            java.lang.foreign.MemorySegment read = arena.allocate(16);
            cl.read(parent, align, read);
            assertThat(read.toArray(java.lang.foreign.ValueLayout.JAVA_INT)).containsExactly(1, 11, 21, 31);
            cl.read(second, 0, read);
            assertThat(read.toArray(java.lang.foreign.ValueLayout.JAVA_INT)).containsExactly(1, 11, 21, 31);
            if (align > 1) {
                assertThatThrownBy(() -> cl.region(parent, "misaligned", align / 2, 4))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiples of " + align);
            }
            assertThatThrownBy(() -> cl.region(parent, "too long", align, align + 4))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            second.close();
            assertThat(cl.allocatedBytes()).isEqualTo(held);
            parent.close();
        }
    }

    @Test
    void pinnedMemoryCarriesReadsAndWritesAndIsReleasedOnce() {
        try (ClContext cl = TestDevices.open(); java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            long before = cl.allocatedBytes();
            float[] values = {1.5f, -2f, 3.25f, 1e-7f, 42f, 0f};
            try (ClBuffer device = cl.allocate("device", 4L * values.length)) {
                cl.write(device, 0, arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, values));
                PinnedMemory pinned = cl.allocatePinned("pinned", 4L * values.length);
                assertThat(cl.allocatedBytes()).isEqualTo(before + 8L * values.length);
                // a read into it, then a write from it back into the device buffer at an offset
                cl.read(device, 4, pinned.segment().asSlice(0, 8));
                assertThat(pinned.segment().getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 1)).isEqualTo(3.25f);
                cl.write(device, 16, pinned.segment().asSlice(0, 8));
                java.lang.foreign.MemorySegment back = arena.allocate(4L * values.length);
                cl.read(device, 0, back);
                assertThat(back.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT)).containsExactly(1.5f, -2f, 3.25f, 1e-7f, -2f, 3.25f);
                pinned.close();
                pinned.close();
                assertThat(cl.allocatedBytes()).isEqualTo(before + 4L * values.length);
                assertThatThrownBy(pinned::segment).isInstanceOf(IllegalStateException.class).hasMessageContaining("pinned");
            }
            // a failed load's releaseSince unmaps and releases pinned memory allocated after its mark
            long mark = cl.allocationMark();
            PinnedMemory orphan = cl.allocatePinned("orphan", 1 << 16);
            cl.releaseSince(mark);
            assertThat(cl.allocatedBytes()).isEqualTo(before);
            assertThatThrownBy(orphan::segment).isInstanceOf(IllegalStateException.class);
        }
    }
}
