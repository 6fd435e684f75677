package dev.tern.client;

import dev.tern.testkit.ExternalCommand;
import dev.tern.testkit.MosquittoBroker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Debian's mosquitto with a configuration the test writes in full (several listeners, TLS,
 * WebSockets, persistence), restartable on the same ports.
 */
final class MosquittoProcess implements AutoCloseable {
    private final Path config;
    private final int[] ports;
    private ExternalCommand process;

    private MosquittoProcess(Path config, int[] ports) {
        this.config = config;
        this.ports = ports;
    }

    /** Writes the configuration and starts mosquitto; waits until every port accepts connections. */
    static MosquittoProcess start(Path dir, String configText, int... ports) throws IOException, InterruptedException {
        if (!MosquittoBroker.isInstalled()) {
            throw new AssertionError("Debian's mosquitto is needed for this test: apt-get install mosquitto (.ci/run does)");
        }
        Path conf = dir.resolve("mosquitto-" + ports[0] + ".conf");
        // Run as root, mosquitto drops to the user "mosquitto" before it reads certificates and
        // persistence files: let that user read the test's directory.
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString(
                        Files.isDirectory(f) ? "rwxrwxrwx" : "rw-rw-rw-"));
            }
        }
        Files.writeString(conf, configText, StandardCharsets.UTF_8);
        MosquittoProcess m = new MosquittoProcess(conf, ports);
        m.launch();
        return m;
    }

    private void launch() throws IOException, InterruptedException {
        process = ExternalCommand.start(MosquittoBroker.BINARY, "-c", config.toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (int port : ports) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IOException("mosquitto exited: " + process.stderr() + process.stdout());
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("mosquitto did not listen on " + port + ": " + process.stderr());
                    }
                    Thread.sleep(50);
                }
            }
        }
    }

    /** Stops mosquitto with SIGTERM (it saves its persistence file) and waits for it. */
    void stop() throws IOException, InterruptedException {
        process.terminate();
        process.waitFor(Duration.ofSeconds(10));
        process.close();
    }

    /** Starts it again with the same configuration. */
    void restart() throws IOException, InterruptedException {
        launch();
    }

    String log() {
        return process.stderr() + process.stdout();
    }

    @Override
    public void close() throws IOException {
        if (process != null) {
            process.close();
        }
    }
}
