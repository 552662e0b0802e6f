package io.webllm.engine.cli;

import io.webllm.engine.gguf.GgufFormatException;
import io.webllm.engine.opencl.ClException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/** Entry point of {@code ./webllm}: dispatches to a command; errors print one clear line and exit non-zero. */
public final class Main {

    private static final List<Command> COMMANDS = List.of(
            new DevicesCommand(), new InspectCommand(), new SynthCommand(), new GenerateCommand(),
            new ChatCommand(), new PerplexityCommand(), new BenchCommand(), new KernelBenchCommand(), new ServeBenchCommand(), new TokenizeCommand());

    private Main() {
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help") || argv[0].equals("-h")) {
            usage(out);
            return argv.length == 0 ? 2 : 0;
        }
        Command command = COMMANDS.stream().filter(c -> c.name().equals(argv[0])).findFirst().orElse(null);
        if (command == null) {
            err.println("webllm: unknown command '" + argv[0] + "'");
            usage(err);
            return 2;
        }
        try {
            Args args = new Args(Arrays.asList(argv).subList(1, argv.length), command.flags());
            command.run(args, out);
            return 0;
        } catch (Args.UsageException e) {
            err.println("webllm " + command.name() + ": " + e.getMessage());
            err.println("usage: webllm " + command.name() + " " + command.usage());
            return 2;
        } catch (GgufFormatException | ClException | IllegalArgumentException e) {
            err.println("webllm " + command.name() + ": " + e.getMessage());
            return 1;
        } catch (ExceptionInInitializerError e) {
            if (!(e.getCause() instanceof IllegalArgumentException refused)) {
                throw e;
            }
            // a malformed -Dwebllm.* switch, refused as opencl.Tuning loads
            err.println("webllm " + command.name() + ": " + refused.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("webllm " + command.name() + ": " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: webllm COMMAND [options]   (--json prints one JSON object on stdout)");
        for (Command command : COMMANDS) {
            out.printf("  %-11s %s%n", command.name(), command.usage());
        }
    }
}
