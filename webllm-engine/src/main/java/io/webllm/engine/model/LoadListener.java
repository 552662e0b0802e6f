package io.webllm.engine.model;

/** Progress of loading a model onto the device. Called on the loading thread. */
@FunctionalInterface
public interface LoadListener {

    LoadListener NONE = (phase, done, total) -> { };

    /**
     * @param phase what is happening, e.g. "upload"
     * @param done  units done so far (bytes for the upload)
     * @param total units in all
     */
    void progress(String phase, long done, long total);
}
