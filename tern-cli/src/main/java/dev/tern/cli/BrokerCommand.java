package dev.tern.cli;

import dev.tern.broker.TernBroker;
import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.config.ConfigException;
import dev.tern.broker.config.ConfigParser;
import dev.tern.broker.config.ListenerConfig;
import dev.tern.broker.config.LogSettings;
import dev.tern.broker.store.RocksDbStore;
import dev.tern.broker.store.StoreOpenException;
import java.io.IOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tern broker}: runs the broker in the foreground, like {@code mosquitto}. */
@Command(name = "broker", mixinStandardHelpOptions = true, versionProvider = TernCommand.Version.class,
        description = {
            "Runs the MQTT broker in the foreground until SIGINT or SIGTERM; SIGHUP reloads the password, ACL",
            "and certificate files.",
            "Without -c it listens on 127.0.0.1 and ::1 port 1883 and admits anonymous clients."})
final class BrokerCommand implements Callable<Integer> {
    /** Set by a stop signal that comes before the broker has started. */
    private static final Runnable STOP_REQUESTED = () -> { };

    /** Exit code meaning "do not exit": the broker runs until a signal stops the JVM. */
    static final int KEEP_RUNNING = Integer.MIN_VALUE;

    /** The longest a start-up warm-up may delay the listeners. */
    private static final java.time.Duration WARMUP_BUDGET = java.time.Duration.ofSeconds(5);

    @Option(names = {"-c", "--config-file"}, paramLabel = "FILE",
            description = "Configuration file in mosquitto.conf syntax.")
    private @Nullable Path configFile;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT",
            description = "Listen on PORT (loopback only) instead of 1883; repeatable. Ignored with -c, as in Mosquitto.")
    private List<Integer> ports = new ArrayList<>();

    @Option(names = {"-v", "--verbose"}, description = "Log everything (log_type all) to stderr.")
    private boolean verbose;

    @Option(names = "--recover", description = {
            "If the store (persistence_location) is damaged or not Tern's, move it aside to",
            "NAME.corrupt-YYYYMMDD-HHMMSS and start with an empty store. Nothing is deleted."})
    private boolean recover;

    @Option(names = "--warmup", paramLabel = "CLIENTS", defaultValue = "1000", description = {
            "Before the listeners open, run CLIENTS MQTT clients through a throwaway in-memory broker on",
            "a private loopback port, so that the first clients to connect (e.g. everyone reconnecting",
            "after a restart) find the JVM's connection path compiled; at most 5 s. 0 turns it off.",
            "Default: ${DEFAULT-VALUE}."})
    private int warmupClients;

    @Option(names = {"-d", "--daemon"}, description = "Not supported: run Tern under systemd or another supervisor.")
    private boolean daemon;

    @Override
    public Integer call() {
        if (daemon) {
            System.err.println("Error: -d is not supported; run 'tern broker' under systemd or another supervisor.");
            return 1;
        }
        if (warmupClients < 0) {
            System.err.println("Error: --warmup must be 0 or more, was " + warmupClients + ".");
            return 1;
        }
        BrokerConfig config;
        try {
            config = loadConfig();
        } catch (ConfigException e) {
            System.err.println("Error: " + e.getMessage());
            return 1;
        }
        LogSettings log = verbose ? new LogSettings(Set.of("all"), List.of("stderr"), true) : config.log();
        try {
            LoggingSetup.apply(log);
        } catch (IOException e) {
            System.err.println("Error: cannot open log destination: " + e.getMessage());
            return 1;
        }
        Logger logger = LoggerFactory.getLogger("dev.tern.broker");
        if (configFile != null) {
            logger.info("Config loaded from {}.", configFile.toAbsolutePath());
            if (!ports.isEmpty()) {
                logger.warn("-p is ignored when a configuration file is given; use 'listener PORT' in the file.");
            }
        } else {
            logger.info("Starting in local only mode. Connections will only be possible from clients running on "
                    + "this machine. Create a configuration file with a listener to allow remote access.");
        }
        if (config.persistence().enabled() == null) {
            // tern broker persists by default (an embedded broker does not).
            config = config.toBuilder().persistence(config.persistence().withEnabled(true)).build();
        }
        // SIGTERM and SIGINT stop the broker gracefully and exit with 0, as Mosquitto does. The handlers
        // go in before the listeners open: a signal that comes while the broker starts (a script that
        // stops it as soon as the port answers) is kept and acted on once it has started.
        AtomicReference<@Nullable Runnable> onStop = new AtomicReference<>();
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                Runnable stop = onStop.getAndSet(STOP_REQUESTED);
                if (stop != null && stop != STOP_REQUESTED) {
                    stop.run();
                    System.exit(0);
                }
            });
        }
        if (warmupClients > 0) {
            warmUp(config, logger, () -> onStop.get() != null);
        }
        TernBroker broker;
        try {
            broker = start(config, logger);
        } catch (BindException e) {
            logger.error("Error: {}", e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            // a password, ACL or certificate file, or a plug-in, that cannot be used
            logger.error("Error: {}", e.getMessage());
            return 1;
        } catch (StoreOpenException e) {
            logger.error("Error: {}.", e.getMessage());
            if (e.recoverable()) {
                logger.error("To keep the store for inspection and start with an empty one, run 'tern broker"
                        + " --recover' (it renames the directory to {}.corrupt-DATE), or move the directory"
                        + " away yourself.", e.directory());
            }
            return 1;
        }
        Path pidFile = writePidFile(config, logger);
        Runnable shutdown = () -> {
            broker.close();
            if (pidFile != null) {
                deleteQuietly(pidFile);
            }
            LoggingSetup.stop();
        };
        // The hook covers any other way the JVM ends.
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "tern-shutdown"));
        if (!onStop.compareAndSet(null, shutdown)) {
            shutdown.run(); // a signal came while the broker started
            return 0;
        }
        // SIGHUP reloads the password, ACL and certificate files, as it does for Mosquitto.
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> broker.reload());
        return KEEP_RUNNING; // Netty's non-daemon event loop threads keep the JVM alive
    }

    /** Runs the start-up warm-up; a failure is logged and start-up goes on without it. */
    private void warmUp(BrokerConfig config, Logger logger, java.util.function.BooleanSupplier stop) {
        StartupWarmup warmup = new StartupWarmup(warmupClients, WARMUP_BUDGET, config.eventLoopThreads());
        StartupWarmup.Result result;
        try (LoggingSetup.Silence quiet = LoggingSetup.silence()) {
            // No System.gc() after it: the full collection shrinks the heap to about 30 MB and the
            // first storm then pays for young collections in a heap too small (20-26 ms pauses).
            result = warmup.run(stop);
        } catch (IOException | RuntimeException e) {
            logger.warn("Start-up warm-up failed, starting without it: {}", e.getMessage());
            return;
        }
        logger.info("Warmed up with {} loopback clients in {} ms{} (--warmup 0 turns this off).",
                result.connections(), result.elapsed().toMillis(), switch (result.end()) {
                    case DONE -> "";
                    case TIME_BUDGET -> ", stopped by its time budget";
                    case STOP_REQUESTED -> ", stopped by a stop signal";
                });
    }

    /** Starts the broker; with --recover, a damaged or foreign store is moved aside first. */
    private TernBroker start(BrokerConfig config, Logger logger) throws BindException {
        try {
            return TernBroker.builder().config(config).build().start();
        } catch (StoreOpenException e) {
            if (!recover || !e.recoverable()) {
                throw e;
            }
            logger.error("Error: {}.", e.getMessage());
            Path aside;
            try {
                aside = RocksDbStore.moveAside(e.directory());
            } catch (IOException io) {
                throw new StoreOpenException(StoreOpenException.Problem.INACCESSIBLE, e.directory(),
                        "cannot move " + e.directory() + " aside: " + io.getMessage(), io);
            }
            logger.warn("--recover: moved the store to {}; starting with an empty store in {}.", aside,
                    e.directory());
            return TernBroker.builder().config(config).build().start();
        }
    }

    private BrokerConfig loadConfig() throws ConfigException {
        if (configFile != null) {
            return ConfigParser.parse(configFile);
        }
        BrokerConfig.Builder b = BrokerConfig.builder();
        for (int port : ports) {
            if (port < 1 || port > 65_535) {
                throw new ConfigException(null, 0, "-p", "port must be 1..65535, was " + port);
            }
            b.listener(ListenerConfig.mqtt(port, ListenerConfig.LOOPBACK));
        }
        if (!ports.isEmpty()) {
            b.allowAnonymous(true); // local only mode, as without any option
        }
        return b.build();
    }

    private static @Nullable Path writePidFile(BrokerConfig config, Logger logger) {
        if (config.pidFile() == null) {
            return null;
        }
        Path path = Path.of(config.pidFile());
        try {
            Files.writeString(path, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
            return path;
        } catch (IOException e) {
            logger.warn("Cannot write pid_file {}: {}", path, e.getMessage());
            return null;
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // best effort at shutdown
        }
    }
}
