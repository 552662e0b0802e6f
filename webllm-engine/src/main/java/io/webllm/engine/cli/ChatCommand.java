package io.webllm.engine.cli;

import io.webllm.engine.opencl.DeviceSelector;
import io.webllm.engine.runtime.EngineOptions;
import io.webllm.engine.runtime.LocalEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** An interactive chat in the terminal on a {@link LocalEngine}; see {@link ChatSession}. */
final class ChatCommand implements Command {

    @Override
    public String name() {
        return "chat";
    }

    @Override
    public String usage() {
        return "-m FILE [--device D] [--ctx N] [--temp 0.8] [--seed S] [-n MAX] [--system TEXT] [--template NAME|FILE]  chat in the terminal";
    }

    @Override
    public Set<String> flags() {
        return Set.of();
    }

    @Override
    public void run(Args args, PrintStream out) {
        Path path = Path.of(args.required("model", "m", "model file"));
        DeviceSelector device = DeviceSelector.of(args.option("device", "d", "auto"));
        int context = args.intOption("ctx", "c", 0);
        double temperature = args.doubleOption("temp", "", 0.8);
        String seedText = args.option("seed", "s", null);
        int maxTokens = args.intOption("n-predict", "n", 0);
        String system = args.option("system", "", null);
        String template = args.option("template", "", null);
        args.checkAllUsed();
        Long seed;
        try {
            seed = seedText == null ? null : Long.parseLong(seedText);
        } catch (NumberFormatException e) {
            throw new Args.UsageException("--seed must be a whole number, got '" + seedText + "'");
        }

        EngineOptions options = EngineOptions.of(path).withDevice(device).withContextLength(context).withMaxSequences(1)
                .withChatTemplate(templateSource(template)).withLoadListener(ModelSession.ProgressBar.forLoading());
        try (LocalEngine engine = LocalEngine.load(options)) {
            System.err.println("webllm: running on " + engine.deviceDescription() + ", context " + engine.contextLength() + " tokens");
            // since Java 22 System.console() exists even when redirected; only a terminal gets ANSI dimming
            boolean terminal = System.console() != null && System.console().isTerminal();
            ChatSession session = new ChatSession(engine,
                    new ChatSession.Settings(system, temperature, seed, maxTokens > 0 ? maxTokens : null, terminal), out, System.err);
            try {
                installInterruptHandler(session);
            } catch (IllegalArgumentException e) {
                // SIGINT ignored by whoever started us, or reserved by the VM (-Xrs): Ctrl-C cannot stop an answer
                System.err.println("webllm: Ctrl-C cannot stop answers here (" + e.getMessage() + ")");
            }
            session.run(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        }
    }

    /** A template given as a file is read; anything else is a built-in name or inline Jinja, as the engine takes it. */
    private static @Nullable String templateSource(@Nullable String template) {
        if (template == null) {
            return null;
        }
        Path file = Path.of(template);
        if (!template.contains("{") && Files.isRegularFile(file)) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException("reading the chat template " + file, e);
            }
        }
        return template;
    }

    /**
     * Ctrl-C stops the answer being generated; at the prompt it does what it did before (the JVM's handler exits).
     * {@code sun.misc.Signal} (module jdk.unsupported) is the only supported-in-practice hook for SIGINT.
     */
    static void installInterruptHandler(ChatSession session) {
        Signal interrupt = new Signal("INT");
        SignalHandler[] previous = new SignalHandler[1];
        previous[0] = Signal.handle(interrupt, signal -> {
            if (session.cancelCurrent()) {
                return;
            }
            SignalHandler fallback = previous[0];
            if (fallback == SignalHandler.SIG_IGN) {
                return;
            }
            try {
                fallback.handle(signal);
            } catch (UnsupportedOperationException nativeHandler) {
                // the previous handler is native (SIG_DFL) and cannot be invoked from Java: exit as SIGINT would
                System.exit(128 + signal.getNumber());
            }
        });
    }
}
