package io.webllm.engine.registry;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Logs download progress as a text bar, e.g.
 * {@code qwen2.5-0.5b [##########..........]  50%  200.0 MiB / 400.0 MiB  25.0 MiB/s  ETA 0:08},
 * at most once per interval so that a fast download does not flood the log.
 */
public final class LoggingDownloadListener implements DownloadListener {

    private static final int BAR_WIDTH = 30;

    private final String label;
    private final System.Logger logger;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private long lastLogNanos;
    private boolean loggedOnce;

    public LoggingDownloadListener(String label) {
        this(label, System.getLogger(LoggingDownloadListener.class.getName()), Duration.ofSeconds(1),
                System::nanoTime);
    }

    /**
     * @param nanoClock monotonic time source in nanoseconds (tests pass a manual clock)
     */
    public LoggingDownloadListener(String label, System.Logger logger, Duration interval, LongSupplier nanoClock) {
        this.label = label;
        this.logger = logger;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    @Override
    public void started(long totalBytes) {
        logger.log(Level.INFO, () -> label + ": downloading " + (totalBytes < 0 ? "(size unknown)"
                : formatBytes(totalBytes)));
    }

    @Override
    public void progress(long bytesDone, long totalBytes, double bytesPerSecond) {
        long now = nanoClock.getAsLong();
        boolean complete = totalBytes >= 0 && bytesDone >= totalBytes;
        if (loggedOnce && now - lastLogNanos < intervalNanos && !complete) {
            return;
        }
        loggedOnce = true;
        lastLogNanos = now;
        logger.log(Level.INFO, () -> label + " " + progressLine(bytesDone, totalBytes, bytesPerSecond));
    }

    @Override
    public void finished(Path path) {
        logger.log(Level.INFO, () -> label + ": ready at " + path);
    }

    /** The bar, percentage, amounts, rate and remaining time for one progress report. */
    static String progressLine(long bytesDone, long totalBytes, double bytesPerSecond) {
        String rate = formatBytes((long) bytesPerSecond) + "/s";
        if (totalBytes <= 0) {
            return formatBytes(bytesDone) + "  " + rate;
        }
        double fraction = Math.min(1.0, (double) bytesDone / totalBytes);
        int filled = (int) Math.floor(fraction * BAR_WIDTH);
        String bar = "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled);
        String eta = bytesPerSecond > 0
                ? formatDuration((long) Math.ceil((totalBytes - bytesDone) / bytesPerSecond))
                : "?";
        return String.format(Locale.ROOT, "[%s] %3d%%  %s / %s  %s  ETA %s", bar, (int) Math.floor(fraction * 100),
                formatBytes(bytesDone), formatBytes(totalBytes), rate, eta);
    }

    /** Binary units with one decimal: {@code 512 B}, {@code 1.5 KiB}, {@code 4.3 GiB}. */
    static String formatBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    static String formatDuration(long seconds) {
        long hours = seconds / 3600;
        long minutes = (seconds % 3600) / 60;
        long secs = seconds % 60;
        return hours > 0
                ? String.format(Locale.ROOT, "%d:%02d:%02d", hours, minutes, secs)
                : String.format(Locale.ROOT, "%d:%02d", minutes, secs);
    }
}
