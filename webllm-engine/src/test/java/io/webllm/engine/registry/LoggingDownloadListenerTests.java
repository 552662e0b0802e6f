package io.webllm.engine.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class LoggingDownloadListenerTests {

    private static final long MIB = 1024 * 1024;

    private final CollectingLogger logger = new CollectingLogger();
    private final AtomicLong nanos = new AtomicLong();
    private final LoggingDownloadListener listener = new LoggingDownloadListener("qwen", logger,
            Duration.ofSeconds(1), nanos::get);

    @Test
    void logsAtMostOncePerIntervalButAlwaysTheEnd() {
        listener.started(400 * MIB);
        listener.progress(0, 400 * MIB, 0);
        nanos.set(Duration.ofMillis(500).toNanos());
        listener.progress(100 * MIB, 400 * MIB, 200 * MIB);
        nanos.set(Duration.ofMillis(1100).toNanos());
        listener.progress(200 * MIB, 400 * MIB, 25 * MIB);
        nanos.set(Duration.ofMillis(1200).toNanos());
        listener.progress(400 * MIB, 400 * MIB, 25 * MIB);
        listener.finished(Path.of("/cache/q.gguf"));

        assertThat(logger.messages).containsExactly(
                "qwen: downloading 400.0 MiB",
                "qwen [..............................]   0%  0 B / 400.0 MiB  0 B/s  ETA ?",
                "qwen [###############...............]  50%  200.0 MiB / 400.0 MiB  25.0 MiB/s  ETA 0:08",
                "qwen [##############################] 100%  400.0 MiB / 400.0 MiB  25.0 MiB/s  ETA 0:00",
                "qwen: ready at " + Path.of("/cache/q.gguf"));
    }

    @Test
    void anUnknownSizeShowsAmountAndRateOnly() {
        assertThat(LoggingDownloadListener.progressLine(1536, -1, 2048)).isEqualTo("1.5 KiB  2.0 KiB/s");
        assertThat(LoggingDownloadListener.formatDuration(3725)).isEqualTo("1:02:05");
        assertThat(LoggingDownloadListener.formatBytes(5L * 1024 * MIB)).isEqualTo("5.0 GiB");
    }

    /** A real System.Logger that keeps what it is given. */
    static final class CollectingLogger implements System.Logger {
        final List<String> messages = new CopyOnWriteArrayList<>();

        @Override
        public String getName() {
            return "collecting";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, Supplier<String> supplier) {
            messages.add(supplier.get());
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            messages.add(msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            messages.add(params == null || params.length == 0 ? format
                    : java.text.MessageFormat.format(format, params));
        }
    }
}
