package io.webllm.sample.model;

/**
 * Where the model is on its way to answering, as the page's progress bar shows it.
 *
 * @param done    bytes downloaded or uploaded so far
 * @param total   bytes in all; -1 when not known
 * @param message for {@link Phase#FAILED}, what went wrong and what to do about it
 */
public record ModelStatus(Phase phase, String model, long done, long total, String message) {

    public enum Phase { WAITING, DOWNLOADING, LOADING, READY, FAILED }

    public static ModelStatus waiting(String model) {
        return new ModelStatus(Phase.WAITING, model, 0, -1, "");
    }
}
