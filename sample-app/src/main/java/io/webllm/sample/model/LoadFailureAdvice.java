package io.webllm.sample.model;

import io.webllm.engine.opencl.ClException;
import io.webllm.engine.registry.ModelDownloadException;
import io.webllm.engine.registry.ModelNotAvailableException;
import io.webllm.engine.registry.UnknownModelException;

/** Turns a failed load into one message that says what went wrong and what the user can do about it. */
final class LoadFailureAdvice {

    private LoadFailureAdvice() {
    }

    /** Failures the message fully explains (no model file, no download, no OpenCL): no stack trace needed. */
    static boolean isUserFixable(Throwable failure) {
        return failure instanceof ModelNotAvailableException || failure instanceof ModelDownloadException
                || failure instanceof UnknownModelException || failure instanceof ClException
                || failure instanceof LinkageError;
    }

    static String explain(Throwable failure, String reference) {
        String cause = failure.getMessage() == null ? failure.toString() : failure.getMessage();
        return switch (failure) {
            case ModelNotAvailableException e -> cause + " Without internet, copy the file there, or set"
                    + " webllm.chat.model to a local .gguf file.";
            case ModelDownloadException e -> "Downloading " + reference + " failed: " + cause + " Check the internet"
                    + " connection (and HF_TOKEN for gated models), or set webllm.chat.model to a local .gguf file.";
            case UnknownModelException e -> cause + " Set webllm.chat.model to a registry id, a .gguf path or a URL.";
            case ClException e -> cause + " (The model runs on OpenCL: without a device the app serves the page"
                    + " and the to-do list, but cannot answer.)";
            case LinkageError e -> "the OpenCL runtime could not be loaded (" + cause + "). Install your GPU's OpenCL"
                    + " driver, or PoCL for the CPU: apt-get install pocl-opencl-icd ocl-icd-libopencl1";
            default -> cause;
        };
    }
}
