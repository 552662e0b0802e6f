package io.webllm.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressLogTests {

    @Test
    void barShowsTheDonePartOfThirtyColumns() {
        assertThat(ProgressLog.bar("m", "upload", 0, 200)).isEqualTo("m upload [" + " ".repeat(30) + "] 0% (0/200)");
        assertThat(ProgressLog.bar("m", "upload", 100, 200))
                .isEqualTo("m upload [" + "#".repeat(15) + " ".repeat(15) + "] 50% (100/200)");
        assertThat(ProgressLog.bar("m", "upload", 200, 200)).isEqualTo("m upload [" + "#".repeat(30) + "] 100% (200/200)");
    }

    @Test
    void anUnknownTotalShowsTheCountOnly() {
        assertThat(ProgressLog.bar("m", "map", 7, -1)).isEqualTo("m map: 7");
    }
}
