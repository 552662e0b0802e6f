package io.webllm.engine.opencl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** The defaults that decide per model, read as the engine reads them. */
class TuningTests {

    /**
     * By default norms are deferred for rows up to 2,048 values (Qwen2.5-0.5B's 896, Llama-3.2-1B's 2,048) and
     * launched for longer ones (Llama-3.1-8B's 4,096), where the residual products' tail costs more than the launch.
     */
    @Test
    void normsAreDeferredForShortRowsOnlyByDefault() {
        assumeTrue(System.getProperty("webllm.fuse.norm") == null, "-Dwebllm.fuse.norm overrides the default");
        assertThat(Tuning.FUSE_NORM).isTrue();
        assertThat(Tuning.defersNorms(896)).isTrue();
        assertThat(Tuning.defersNorms(2048)).isTrue();
        assertThat(Tuning.defersNorms(2080)).isFalse();
        assertThat(Tuning.defersNorms(4096)).isFalse();
    }
}
