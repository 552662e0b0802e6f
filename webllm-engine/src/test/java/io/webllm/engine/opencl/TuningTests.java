package io.webllm.engine.opencl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.webllm.engine.tensor.GgmlType;
import org.junit.jupiter.api.Test;

/** The settings that decide per model, read as the engine reads them (whatever this JVM's own properties say). */
class TuningTests {

    /**
     * Unset, webllm.fuse.norm is auto: norms are deferred for rows up to 2,048 values (Qwen2.5-0.5B's 896,
     * Llama-3.2-1B's 2,048) and launched for longer ones (Llama-3.1-8B's 4,096), where the residual products' tail
     * costs more than the launch; true and false force it either way.
     */
    @Test
    void normsAreDeferredForShortRowsUnlessForced() {
        Tuning.AutoFlag byDefault = Tuning.AutoFlag.parse("webllm.fuse.norm", null);
        assertThat(byDefault.value()).isEqualTo("auto");
        assertThat(Tuning.defersNorms(byDefault, 896)).isTrue();
        assertThat(Tuning.defersNorms(byDefault, 2048)).isTrue();
        assertThat(Tuning.defersNorms(byDefault, 2080)).isFalse();
        assertThat(Tuning.defersNorms(byDefault, 4096)).isFalse();
        assertThat(Tuning.defersNorms(Tuning.AutoFlag.parse("webllm.fuse.norm", " TRUE "), 4096)).isTrue();
        assertThat(Tuning.defersNorms(Tuning.AutoFlag.parse("webllm.fuse.norm", "false"), 896)).isFalse();
    }

    /**
     * Unset, webllm.gated.quantizeTail is auto: the gated product quantizes its output in its tail where norms are
     * deferred (the chained layers need it), and a quantize launch does it for longer rows, where the tail's fence and
     * count cost more than the launch; true and false force it either way.
     */
    @Test
    void gatedProductQuantizesInItsTailForShortRowsUnlessForced() {
        Tuning.AutoFlag byDefault = Tuning.AutoFlag.parse("webllm.gated.quantizeTail", null);
        assertThat(byDefault.value()).isEqualTo("auto");
        assertThat(Tuning.gatedQuantizes(byDefault, 896)).isTrue();
        assertThat(Tuning.gatedQuantizes(byDefault, 2048)).isTrue();
        assertThat(Tuning.gatedQuantizes(byDefault, 4096)).isFalse();
        assertThat(Tuning.gatedQuantizes(Tuning.AutoFlag.parse("webllm.gated.quantizeTail", "true"), 4096)).isTrue();
        assertThat(Tuning.gatedQuantizes(Tuning.AutoFlag.parse("webllm.gated.quantizeTail", "false"), 896)).isFalse();
    }

    /**
     * Unset, webllm.mv.aheadPlain is auto: the 4-bit types' residual products load a round ahead (their second round
     * costs 2 registers), Q8_0's and Q6_K's do not (26 and 44 more); true and false force it either way.
     */
    @Test
    void fourBitResidualProductsLoadAheadUnlessForced() {
        Tuning.AutoFlag byDefault = Tuning.AutoFlag.parse("webllm.mv.aheadPlain", null);
        assertThat(byDefault.value()).isEqualTo("auto");
        assertThat(Tuning.loadsAhead(byDefault, GgmlType.Q4_0)).isTrue();
        assertThat(Tuning.loadsAhead(byDefault, GgmlType.Q4_K)).isTrue();
        assertThat(Tuning.loadsAhead(byDefault, GgmlType.Q8_0)).isFalse();
        assertThat(Tuning.loadsAhead(byDefault, GgmlType.Q6_K)).isFalse();
        assertThat(Tuning.loadsAhead(Tuning.AutoFlag.parse("webllm.mv.aheadPlain", "true"), GgmlType.Q8_0)).isTrue();
        assertThat(Tuning.loadsAhead(Tuning.AutoFlag.parse("webllm.mv.aheadPlain", "false"), GgmlType.Q4_0)).isFalse();
    }

    /** Integer switches read as written, and one that is no integer fails naming itself instead of running the default. */
    @Test
    void anIntegerSettingThatIsNoIntegerFailsNamingIt() {
        String property = "webllm.test.tuningInteger";
        try {
            assertThat(Tuning.integer(property, 7)).isEqualTo(7);
            System.setProperty(property, " 12 ");
            assertThat(Tuning.integer(property, 7)).isEqualTo(12);
            System.setProperty(property, "four");
            assertThatThrownBy(() -> Tuning.integer(property, 7)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("webllm.test.tuningInteger must be an integer, but was 'four'");
        } finally {
            System.clearProperty(property);
        }
    }

    @Test
    void anUnknownSettingFailsNamingWhatItMayBe() {
        assertThatThrownBy(() -> Tuning.AutoFlag.parse("webllm.fuse.norm", "yes")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("webllm.fuse.norm must be one of auto, true, false, but was 'yes'");
    }
}
