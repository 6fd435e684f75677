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
        CommandLine cli = new CommandLine(new TernCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        // The client tools answer bad input as mosquitto's do: one "Error: ..." line and exit code 1,
        // never a usage dump or a stack trace. (Parse errors reach the top-level handler.)
        java.util.Set<String> tools = java.util.Set.of("pub", "sub", "rr", "bench");
        CommandLine.IParameterExceptionHandler standard = cli.getParameterExceptionHandler();
        cli.setParameterExceptionHandler((e, args) -> {
            String name = e.getCommandLine().getCommandName();
            if (!tools.contains(name)) {
                return standard.handleParseException(e, args);
            }
            Throwable cause = e.getCause();
            String m = cause instanceof dev.tern.cli.client.UsageException u ? u.getMessage() : e.getMessage();
            e.getCommandLine().getErr().println("Error: " + m + " (see 'tern " + name + " --help')");
            return 1;
        });
        // picocli asks the top-level command line for this handler, whichever subcommand failed.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (!tools.contains(commandLine.getCommandName())) {
                throw e;
            }
            commandLine.getErr().println("Error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        return cli;
    }
}
