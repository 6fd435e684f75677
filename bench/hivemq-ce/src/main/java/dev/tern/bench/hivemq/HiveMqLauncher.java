package dev.tern.bench.hivemq;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs HiveMQ CE on one loopback TCP port with in-memory persistence, until SIGTERM.
 *
 * <p>Usage: {@code HiveMqLauncher PORT WORKDIR}. In-memory persistence matches the other brokers'
 * defaults in the throughput scenarios (Mosquitto keeps everything in memory unless told otherwise).
 */
public final class HiveMqLauncher {
    private HiveMqLauncher() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: HiveMqLauncher PORT WORKDIR");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Path work = Path.of(args[1]);
        Path conf = Files.createDirectories(work.resolve("conf"));
        Path data = Files.createDirectories(work.resolve("data"));
        Path extensions = Files.createDirectories(work.resolve("extensions"));
        writeConfig(conf.resolve("config.xml"), port);

        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(data)
                .withExtensionsFolder(extensions)
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            hivemq.stop().join();
            stopped.countDown();
        }, "hivemq-stop"));
        hivemq.start().join();
        System.out.println("hivemq-ce ready on 127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }

    private static void writeConfig(Path file, int port) throws IOException {
        Files.writeString(file, """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <tcp-listener>
                      <port>%d</port>
                      <bind-address>127.0.0.1</bind-address>
                    </tcp-listener>
                  </listeners>
                  <persistence>
                    <mode>in-memory</mode>
                  </persistence>
                  <anonymous-usage-statistics>
                    <enabled>false</enabled>
                  </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port));
    }
}
