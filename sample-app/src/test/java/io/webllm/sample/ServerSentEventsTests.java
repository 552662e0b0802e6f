package io.webllm.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ServerSentEventsTests {

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsNamedEventsAndMultiLineDataToTheEnd() throws IOException {
        try (var sse = new ServerSentEvents(stream("event: token\ndata: Once\n\nevent: done\ndata: {\ndata: }\n\n"))) {
            assertThat(sse.all()).containsExactly(new ServerSentEvents.Event("token", "Once"),
                    new ServerSentEvents.Event("done", "{\n}"));
        }
    }

    /** What a test's timeout leaves when it interrupts a stream that never ended: which events had come. */
    @Test
    void aFailedReadNamesTheEventsThatCame() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("interrupted");
            }
        };
        var sse = new ServerSentEvents(
                new SequenceInputStream(stream("event: token\ndata: Once\n\nevent: done\ndata: {}\n\n"), broken));
        assertThatThrownBy(sse::all).isInstanceOf(IOException.class)
                .hasMessageContaining("after 2 events")
                .hasMessageContaining("Event[name=done, data={}]")
                .hasRootCauseMessage("interrupted");
    }
}
