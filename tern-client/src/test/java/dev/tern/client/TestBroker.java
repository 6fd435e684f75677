package dev.tern.client;

import dev.tern.broker.TernBroker;
import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.config.ConfigParser;
import dev.tern.testkit.MosquittoBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A broker the client's integration tests run against: Tern embedded in the test JVM, or Debian's
 * mosquitto 2.0.11 as a process. Both read the same mosquitto.conf text — Tern's configuration
 * syntax is Mosquitto's — so one test configures both alike and the comparison is fair.
 */
abstract class TestBroker implements AutoCloseable {
    /** Which broker. */
    enum Kind {
        TERN, MOSQUITTO;

        /**
         * Starts this broker with {@code config} (mosquitto.conf syntax), written into {@code dir};
         * returns when every one of {@code ports} is listening.
         */
        TestBroker start(Path dir, String config, int... ports) throws Exception {
            return this == TERN ? new Tern(dir, config, ports) : new Mosquitto(MosquittoBroker.start(dir, config, ports));
        }
    }

    /** The kind of this broker. */
    abstract Kind kind();

    /** The first port of the configuration. */
    abstract int port();

    /** Stops the broker (mosquitto saves its persistence file); {@link #restart()} starts it again. */
    abstract void stop() throws Exception;

    /** Starts the broker again with the same configuration and ports. */
    abstract void restart() throws Exception;

    /** The broker's log, for failure messages (Tern logs through the test's Logback). */
    abstract String log();

    @Override
    public abstract void close();

    private static final class Tern extends TestBroker {
        private final BrokerConfig config;
        private final int port;
        private TernBroker broker;

        Tern(Path dir, String text, int[] ports) throws Exception {
            this.config = ConfigParser.parse(text, dir.resolve("tern-" + ports[0] + ".conf"));
            this.port = ports[0];
            this.broker = TernBroker.builder().config(config).build().start();
        }

        @Override
        Kind kind() {
            return Kind.TERN;
        }

        @Override
        int port() {
            return port;
        }

        @Override
        void stop() {
            broker.close();
        }

        @Override
        void restart() throws Exception {
            broker = TernBroker.builder().config(config).build().start();
        }

        @Override
        String log() {
            return "(Tern logs above)";
        }

        @Override
        public void close() {
            broker.close();
        }
    }

    private static final class Mosquitto extends TestBroker {
        private final MosquittoBroker process;

        Mosquitto(MosquittoBroker process) {
            this.process = process;
        }

        @Override
        Kind kind() {
            return Kind.MOSQUITTO;
        }

        @Override
        int port() {
            return process.port();
        }

        @Override
        void stop() throws Exception {
            process.stop();
        }

        @Override
        void restart() throws Exception {
            process.restart();
        }

        @Override
        String log() {
            return process.log();
        }

        @Override
        public void close() {
            try {
                process.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
