package io.webllm.engine.model;

/** llama.cpp's greedy output for stories260K.gguf, from shared/testdata/README.md. */
public final class StoriesReference {

    public static final int[] PROMPT_IDS = {1, 403, 407, 261, 378};

    /** The prompt "Once upon a time" followed by the first 64 generated tokens. */
    public static final String TEXT = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. "
            + "One day, she saw a big, red ball. She wanted to play with it, but it was too high.\nLily's mom said";

    private StoriesReference() {
    }
}
