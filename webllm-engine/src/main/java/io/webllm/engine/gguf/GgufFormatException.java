package io.webllm.engine.gguf;

import java.nio.file.Path;

/** A file that is not a GGUF model this engine can read; the message names the file, what was expected and found. */
public class GgufFormatException extends RuntimeException {

    public GgufFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public GgufFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
