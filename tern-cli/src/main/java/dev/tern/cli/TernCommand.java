package dev.tern.cli;

import dev.tern.broker.TernBroker;
import dev.tern.cli.bench.BenchCommand;
import dev.tern.cli.client.PubCommand;
import dev.tern.cli.client.RrCommand;
import dev.tern.cli.client.SubCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** The top-level {@code tern} command; each tool is a subcommand. */
@Command(name = "tern", mixinStandardHelpOptions = true, versionProvider = TernCommand.Version.class,
        description = "Tern: an MQTT 3.1, 3.1.1 and 5.0 broker and tools.",
        subcommands = {BrokerCommand.class, PubCommand.class, SubCommand.class, RrCommand.class, BenchCommand.class,
                PasswdCommand.class})
final class TernCommand implements Runnable {
    @Override
    public void run() {
        System.err.println("Usage: tern <command> [options]. Commands: broker, pub, sub, rr, bench, passwd. Try 'tern broker --help'.");
    }

    /** Prints the build's version. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tern " + TernBroker.version()};
        }
    }
}
