package dev.tern.cli;

import picocli.CommandLine;

/** Entry point of the {@code tern} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int exit = commandLine().execute(args);
        if (exit != BrokerCommand.KEEP_RUNNING) {
            System.exit(exit);
        }
    }

    /** The configured command line, for tests. */
    static CommandLine commandLine() {
        return new CommandLine(new TernCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }
}
