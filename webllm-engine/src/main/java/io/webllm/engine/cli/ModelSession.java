package io.webllm.engine.cli;

import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.model.LoadListener;
import io.webllm.engine.model.Transformer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.opencl.DeviceSelector;
import io.webllm.engine.tokenizer.Tokenizer;
import java.nio.file.Path;

/** A model file opened, its tokenizer read and its weights loaded on a device, for the commands that run a model. */
final class ModelSession implements AutoCloseable {

    final GgufFile file;
    final ClContext cl;
    final Transformer model;
    final Tokenizer tokenizer;
    final double loadSeconds;

    ModelSession(Path path, DeviceSelector device, int contextLength, int maxBatch) {
        long start = System.nanoTime();
        GgufFile opened = GgufFile.open(path);
        ClContext context = null;
        try {
            tokenizer = Tokenizer.fromGguf(opened.metadata());
            context = ClContext.open(device);
            System.err.println("webllm: running on " + context.device().describe());
            model = Transformer.load(opened, context, new Transformer.Options(contextLength, 1, maxBatch), ProgressBar.forLoading());
        } catch (RuntimeException e) {
            if (context != null) {
                context.close();
            }
            opened.close();
            throw e;
        }
        file = opened;
        cl = context;
        loadSeconds = (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void close() {
        model.close();
        cl.close();
        file.close();
    }

    /** Prints load progress on stderr, one line rewritten in place, only when stderr is a terminal. */
    static final class ProgressBar {
        private ProgressBar() {
        }

        static LoadListener forLoading() {
            if (System.console() == null) {
                return LoadListener.NONE;
            }
            int[] lastPercent = {-1};
            return (phase, done, total) -> {
                int percent = total == 0 ? 100 : (int) (100 * done / total);
                if (percent != lastPercent[0]) {
                    lastPercent[0] = percent;
                    System.err.printf("\r%s %3d%% [%-40s]%s", phase, percent, "#".repeat(percent * 40 / 100), percent == 100 ? "\n" : "");
                }
            };
        }
    }
}
