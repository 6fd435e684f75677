package dev.tern.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/**
 * Debian's {@code mosquitto} broker as a reference, started as a plain process on loopback: either
 * on a free port with a few extra configuration lines, or with a whole configuration the test writes
 * (several listeners, TLS, WebSockets, persistence), stoppable and restartable on the same ports.
 */
public final class MosquittoBroker implements AutoCloseable {
    /** Where Debian installs the broker. */
    public static final String BINARY = "/usr/sbin/mosquitto";

    private final Path configFile;
    private final int[] ports;
    private final boolean ownsConfigFile;
    private ExternalCommand process;

    private MosquittoBroker(Path configFile, int[] ports, boolean ownsConfigFile) throws IOException,
            InterruptedException {
        this.configFile = configFile;
        this.ports = ports.clone();
        this.ownsConfigFile = ownsConfigFile;
        this.process = launch();
    }

    /** True if Debian's mosquitto is installed (.ci/run installs it). */
    public static boolean isInstalled() {
        return ExternalCommand.isAvailable(BINARY);
    }

    /**
     * Starts mosquitto on a free port with {@code listener PORT 127.0.0.1}, {@code allow_anonymous true}
     * and the extra configuration lines given.
     */
    public static MosquittoBroker start(String... extraConfigLines) throws IOException, InterruptedException {
        requireInstalled();
        int port = FreePort.find();
        Path conf = Files.createTempFile("mosquitto", ".conf");
        StringBuilder sb = new StringBuilder("listener " + port + " 127.0.0.1\nallow_anonymous true\n");
        for (String line : extraConfigLines) {
            sb.append(line).append('\n');
        }
        Files.writeString(conf, sb.toString(), StandardCharsets.UTF_8);
        return new MosquittoBroker(conf, new int[] {port}, true);
    }

    /**
     * Writes {@code configText} into {@code dir} and starts mosquitto with it; returns when every one
     * of {@code ports} accepts connections. Run as root, mosquitto drops to the user "mosquitto" before
     * it reads certificates and persistence files, so the directory and its files are made readable
     * for everybody (they are throw-away test files).
     */
    public static MosquittoBroker start(Path dir, String configText, int... ports) throws IOException,
            InterruptedException {
        requireInstalled();
        if (ports.length == 0) {
            throw new IllegalArgumentException("name at least one port to wait for");
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(
                        Files.isDirectory(f) ? "rwxrwxrwx" : "rw-rw-rw-"));
            }
        }
        Path conf = dir.resolve("mosquitto-" + ports[0] + ".conf");
        Files.writeString(conf, configText, StandardCharsets.UTF_8);
        return new MosquittoBroker(conf, ports, false);
    }

    private static void requireInstalled() {
        if (!isInstalled()) {
            throw new AssertionError("Debian's mosquitto is needed for this test: apt-get install mosquitto "
                    + "(.ci/run does)");
        }
    }

    private ExternalCommand launch() throws IOException, InterruptedException {
        ExternalCommand p = ExternalCommand.start(BINARY, "-c", configFile.toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (int port : ports) {
            while (true) {
                if (!p.isAlive()) {
                    String log = p.stderr() + p.stdout();
                    p.close();
                    throw new IOException("mosquitto exited: " + log);
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        String log = p.stderr();
                        p.close();
                        throw new IOException("mosquitto did not listen on " + port + " within 10 s: " + log);
                    }
                    Thread.sleep(50);
                }
            }
        }
        return p;
    }

    /** The first (or only) port. */
    public int port() {
        return ports[0];
    }

    /** Stops mosquitto with SIGTERM (it saves its persistence file) and waits for it to exit. */
    public void stop() throws IOException, InterruptedException {
        process.terminate();
        process.waitFor(Duration.ofSeconds(10));
        process.close();
    }

    /** Starts it again, after {@link #stop()}, with the same configuration and ports. */
    public void restart() throws IOException, InterruptedException {
        process = launch();
    }

    /** What mosquitto logged so far. */
    public String log() {
        return process.stderr() + process.stdout();
    }

    @Override
    public void close() throws IOException {
        process.terminate();
        try {
            process.waitFor(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (AssertionError e) {
            // killed by close() below
        }
        process.close();
        if (ownsConfigFile) {
            Files.deleteIfExists(configFile);
        }
    }
}
