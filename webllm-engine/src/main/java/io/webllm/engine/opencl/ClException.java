package io.webllm.engine.opencl;

/** An OpenCL call that failed; the message names the call and the error, e.g. {@code clCreateBuffer: CL_MEM_OBJECT_ALLOCATION_FAILURE (-4)}. */
public class ClException extends RuntimeException {

    private final int errorCode;

    public ClException(String call, int errorCode, String detail) {
        super("%s: %s (%d)%s".formatted(call, ClErrors.name(errorCode), errorCode, detail.isEmpty() ? "" : ": " + detail));
        this.errorCode = errorCode;
    }

    public ClException(String message) {
        super(message);
        this.errorCode = 0;
    }

    public int errorCode() {
        return errorCode;
    }

    /** Whether the device ran out of memory; callers turn this into advice (smaller context, smaller model). */
    public boolean outOfMemory() {
        return errorCode == ClErrors.CL_MEM_OBJECT_ALLOCATION_FAILURE || errorCode == ClErrors.CL_OUT_OF_RESOURCES
                || errorCode == ClErrors.CL_OUT_OF_HOST_MEMORY || errorCode == ClErrors.CL_INVALID_BUFFER_SIZE;
    }

    static void check(int errorCode, String call) {
        if (errorCode != 0) {
            throw new ClException(call, errorCode, "");
        }
    }
}
