package io.webllm.engine.registry;

/**
 * When {@link ModelStore} may go to the network for a model file.
 */
public enum DownloadPolicy {
    /** Never download: a model missing from the cache is an error that says where to put the file. */
    NEVER,
    /** Download only when the file is not in the cache yet; an interrupted download is resumed. */
    IF_MISSING,
    /** Download again even when the file is cached; the cached file is replaced only after verification. */
    ALWAYS
}
