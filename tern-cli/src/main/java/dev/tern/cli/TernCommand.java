package dev.tern.cli;

import dev.tern.broker.TernBroker;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** The top-level {@code tern} command; each tool is a subcommand. */
@Command(name = "tern", mixinStandardHelpOptions = true, versionProvider = TernCommand.Version.class,
        description = "Tern: an MQTT 3.1, 3.1.1 and 5.0 broker and tools.",
        subcommands = {BrokerCommand.class, PasswdCommand.class})
final class TernCommand implements Runnable {
    @Override
    public void run() {
        System.err.println("Usage: tern <command> [options]. Commands: broker, passwd. Try 'tern broker --help'.");
    }

    /** Prints the build's version. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tern " + TernBroker.version()};
        }
    }
}
