package io.webllm.engine.opencl;

/**
 * Work-group shapes of the packed matrix-vector kernels, shared by the kernels (as build defines) and the host
 * (which sizes launches from them). Defaults are the tuned values; {@code -Dwebllm.mv.rows}, {@code -Dwebllm.mv.warps}
 * and {@code -Dwebllm.mv.tokens} override them for tuning sweeps ({@code scripts/device-run.sh}).
 */
public final class Tuning {

    /** Rows each warp of a packed matvec computes. */
    public static final int PACKED_ROWS_PER_WARP = Integer.getInteger("webllm.mv.rows", 4);
    /** Warps per work-group of a packed matvec. */
    public static final int PACKED_WARPS = Integer.getInteger("webllm.mv.warps", 8);
    /** Tokens per pass over the weights. */
    public static final int PACKED_TOKENS = Integer.getInteger("webllm.mv.tokens", 4);
    /** Whether quants become floats through the 2^23 mantissa trick (1) or conversion instructions (0). */
    public static final int PACKED_MAGIC = Integer.getInteger("webllm.mv.magic", 1);

    private Tuning() {
    }

    static String buildDefines() {
        return "-DPK_ROWS=%d -DPK_WARPS=%d -DPK_TOKENS=%d -DPK_MAGIC=%d".formatted(PACKED_ROWS_PER_WARP,
                PACKED_WARPS, PACKED_TOKENS, PACKED_MAGIC);
    }
}
