package io.webllm.spring.autoconfigure;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/** Logs a text progress bar for each loading phase of one model: at its start, every tenth, and at its end. */
final class ProgressLog {

    private static final Log LOG = LogFactory.getLog(ProgressLog.class);
    private static final int WIDTH = 30;

    private final String modelName;
    private String phase = "";
    private int lastTenth = -1;

    ProgressLog(String modelName) {
        this.modelName = modelName;
    }

    synchronized void progress(String phase, long done, long total) {
        if (!phase.equals(this.phase)) {
            this.phase = phase;
            lastTenth = -1;
        }
        int tenth = total > 0 ? (int) Math.min(10, done * 10 / total) : 0;
        if (tenth == lastTenth || !LOG.isInfoEnabled()) {
            return;
        }
        lastTenth = tenth;
        LOG.info(bar(modelName, phase, done, total));
    }

    static String bar(String modelName, String phase, long done, long total) {
        if (total <= 0) {
            return modelName + " " + phase + ": " + done;
        }
        int filled = (int) Math.min(WIDTH, done * WIDTH / total);
        return modelName + " " + phase + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] "
                + Math.min(100, done * 100 / total) + "% (" + done + "/" + total + ")";
    }
}
