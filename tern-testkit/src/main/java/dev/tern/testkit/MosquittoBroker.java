package dev.tern.testkit;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Debian's {@code mosquitto} broker as a reference, started as a plain process on a free loopback
 * port, for tests that compare Tern's behaviour where the specification leaves a choice.
 */
public final class MosquittoBroker implements AutoCloseable {
    /** Where Debian installs the broker. */
    public static final String BINARY = "/usr/sbin/mosquitto";

    private final ExternalCommand process;
    private final int port;
    private final Path configFile;

    private MosquittoBroker(ExternalCommand process, int port, Path configFile) {
        this.process = process;
        this.port = port;
        this.configFile = configFile;
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
        int port = FreePort.find();
        Path conf = Files.createTempFile("mosquitto", ".conf");
        StringBuilder sb = new StringBuilder("listener " + port + " 127.0.0.1\nallow_anonymous true\n");
        for (String line : extraConfigLines) {
            sb.append(line).append('\n');
        }
        Files.writeString(conf, sb.toString(), StandardCharsets.UTF_8);
        ExternalCommand p = ExternalCommand.start(BINARY, "-c", conf.toString());
        MosquittoBroker broker = new MosquittoBroker(p, port, conf);
        broker.awaitListening(Duration.ofSeconds(10));
        return broker;
    }

    private void awaitListening(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("mosquitto exited: " + process.stderr());
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IOException("mosquitto did not listen on " + port + " within " + timeout);
    }

    public int port() {
        return port;
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
        Files.deleteIfExists(configFile);
    }
}
