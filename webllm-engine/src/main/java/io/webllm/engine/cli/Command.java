package io.webllm.engine.cli;

import java.io.PrintStream;
import java.util.Set;

/** One {@code ./webllm} sub-command. Results go to {@code out}; logs and progress go to stderr. */
interface Command {

    String name();

    /** One line: arguments and what the command does. */
    String usage();

    /** The switches that take no value, e.g. {@code json}. */
    default Set<String> flags() {
        return Set.of("json");
    }

    void run(Args args, PrintStream out) throws Exception;
}
