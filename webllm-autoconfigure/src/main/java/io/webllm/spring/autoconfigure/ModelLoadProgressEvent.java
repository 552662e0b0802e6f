package io.webllm.spring.autoconfigure;

import org.springframework.context.ApplicationEvent;

/** Progress of loading a model onto its device (e.g. phase {@code upload}, in bytes), on the loading thread. */
public class ModelLoadProgressEvent extends ApplicationEvent {

    private final String modelName;
    private final String phase;
    private final long done;
    private final long total;

    public ModelLoadProgressEvent(Object source, String modelName, String phase, long done, long total) {
        super(source);
        this.modelName = modelName;
        this.phase = phase;
        this.done = done;
        this.total = total;
    }

    /** The ChatModel bean's name. */
    public String getModelName() {
        return modelName;
    }

    public String getPhase() {
        return phase;
    }

    public long getDone() {
        return done;
    }

    public long getTotal() {
        return total;
    }

    /** Done part of the phase in [0, 1], or -1 when the total is unknown. */
    public double getFraction() {
        return total > 0 ? Math.min(1.0, (double) done / total) : -1;
    }
}
