package io.webllm.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.testing.TestData;
import io.webllm.engine.testing.TestDevices;
import io.webllm.engine.opencl.KernelLibrary.Variant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The real pretrained stories260K model must continue a prompt exactly as llama.cpp does (shared/testdata/README.md),
 * its decode writing each step's logits into the array of the step before.
 */
class StoriesGreedyTests {

    static final int[] PROMPT = StoriesReference.PROMPT_IDS;
    static final String EXPECTED = StoriesReference.TEXT;

    /** Both kernel variants (GPU and CPU shapes) on the test device. */
    @ParameterizedTest(name = "{0} kernels")
    @EnumSource(value = Variant.class, names = {"GPU", "CPU"})
    void greedyContinuationMatchesLlamaCpp(Variant variant) {
        try (GgufFile file = GgufFile.open(TestData.model("stories260K.gguf"));
             ClContext cl = TestDevices.open();
             Transformer model = Transformer.load(file, cl, Transformer.Options.DEFAULT.withContextLength(256).withKernels(variant), LoadListener.NONE)) {
            String[] pieces = file.metadata().getStringArray("tokenizer.ggml.tokens");
            StringBuilder text = new StringBuilder();
            for (int id : PROMPT) {
                text.append(piece(pieces, id));
            }
            float[] logits = model.forward(Batch.sequence(PROMPT, 0, 0));
            int position = PROMPT.length;
            for (int i = 0; i < 64; i++) {
                int next = argmax(logits);
                text.append(piece(pieces, next));
                // the decode writes each step's logits into the last step's array, as the engine's scheduler does
                float[] reused = model.forward(Batch.sequence(new int[] {next}, position++, 0), logits);
                assertThat(reused).isSameAs(logits);
                logits = reused;
            }
            assertThat(text.toString().stripLeading()).isEqualTo(EXPECTED);
            // an array too small for the logits is not written
            float[] small = new float[1];
            assertThat(model.forward(Batch.sequence(new int[] {1}, position, 0), small)).isNotSameAs(small).hasSize(logits.length);
            assertThat(small).containsExactly(0f);
        }
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** A minimal SentencePiece piece-to-text mapping, independent of the engine's tokenizer. */
    private static String piece(String[] pieces, int id) {
        String piece = pieces[id];
        if (piece.equals("<s>") || piece.equals("</s>")) {
            return "";
        }
        if (piece.matches("<0x[0-9A-F]{2}>")) {
            return String.valueOf((char) Integer.parseInt(piece.substring(3, 5), 16));
        }
        return piece.replace('\u2581', ' ');
    }
}
