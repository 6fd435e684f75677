package dev.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.testkit.ExternalCommand;
import dev.tern.testkit.FreePort;
import dev.tern.testkit.RawClient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tern broker} as a real process, started the way the launcher starts it ({@code java -cp ...
 * dev.tern.cli.Main broker}): it serves mosquitto's own clients, and SIGTERM shuts it down gracefully.
 */
class BrokerProcessIT {
    /** MQTT 3.1.1 CONNECT, clean session, keep-alive 60, client id "it-raw". */
    private static final byte[] CONNECT = {0x10, 18, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, 6,
            'i', 't', '-', 'r', 'a', 'w'};

    @TempDir
    Path dir;

    /**
     * Starts {@code tern broker ARGS} in a new JVM with this test's classpath, in the test's directory
     * (where the store goes by default: {@code data/}).
     */
    private ExternalCommand startBroker(String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "dev.tern.cli.Main", "broker"));
        command.addAll(List.of(args));
        return ExternalCommand.start(command, dir);
    }

    /** Waits until the broker accepts TCP connections on 127.0.0.1:port. */
    private static void awaitPort(ExternalCommand broker, int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!broker.isAlive()) {
                throw new AssertionError("the broker exited early; stdout:\n" + broker.stdout() + "\nstderr:\n"
                        + broker.stderr());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the broker did not listen on port " + port + " within 30 s; stderr:\n"
                + broker.stderr());
    }

    @Test
    @DisplayName("tern broker -c: mosquitto_pub/mosquitto_sub round trip, then SIGTERM shuts down gracefully")
    void servesMosquittoClientsAndShutsDownOnSigterm() throws Exception {
        Assumptions.assumeTrue(ExternalCommand.isAvailable("mosquitto_pub"), "mosquitto-clients not installed");
        int port = FreePort.find();
        Path conf = dir.resolve("tern.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\nlog_dest stdout\n");
        try (ExternalCommand broker = startBroker("-c", conf.toString())) {
            awaitPort(broker, port);

            String p = Integer.toString(port);
            try (ExternalCommand sub = ExternalCommand.start("mosquitto_sub", "-h", "127.0.0.1", "-p", p,
                    "-i", "it-sub", "-t", "cli/t", "-q", "1", "-C", "1", "-W", "15")) {
                // The subscription may not be in place yet when the first message goes out: repeat until
                // mosquitto_sub got one (bounded).
                for (int i = 0; i < 50 && sub.isAlive(); i++) {
                    try (ExternalCommand pub = ExternalCommand.start("mosquitto_pub", "-h", "127.0.0.1", "-p", p,
                            "-i", "it-pub", "-t", "cli/t", "-q", "1", "-m", "hello from mosquitto_pub")) {
                        assertThat(pub.waitFor(Duration.ofSeconds(10))).as("mosquitto_pub: %s", pub.stderr())
                                .isZero();
                    }
                    Thread.sleep(100);
                }
                assertThat(sub.waitFor(Duration.ofSeconds(15))).as("mosquitto_sub: %s", sub.stderr()).isZero();
                assertThat(sub.stdout().strip()).isEqualTo("hello from mosquitto_pub");
            }

            try (RawClient client = RawClient.connect(port)) {
                client.send(CONNECT);
                assertThat(client.readPacket()).containsExactly(0x20, 2, 0, 0);

                broker.terminate(); // SIGTERM
                assertThat(client.awaitClosed(Duration.ofSeconds(10))).as("client connection closed").isTrue();
                int exit = broker.waitFor(Duration.ofSeconds(10));
                // The JVM reports SIGTERM as 128 + 15 after its shutdown hooks ran.
                assertThat(exit).isIn(0, 143);
            }
            String log = broker.stdout();
            assertThat(log).contains("Opening ipv4 listen socket on port " + port + " (127.0.0.1).")
                    .contains("New client connected from 127.0.0.1")
                    .contains(" as it-raw ")
                    .contains("terminating");
            assertThat(log.indexOf("terminating")).isGreaterThan(log.indexOf(" as it-raw "));
            // The start-up warm-up ran before the listeners opened, and its throwaway broker logged nothing.
            assertThat(log).contains("Warmed up with ").doesNotContain("tern-warmup-");
            assertThat(log.indexOf("Warmed up with ")).isLessThan(log.indexOf("Opening ipv4 listen socket"));
            assertThat(log.split("starting", -1)).as("'tern version ... starting' lines").hasSize(2);
            assertThat(broker.stderr()).doesNotContain("Exception");
        }
    }

    /** MQTT 3.1.1 CONNECT with a user name and password. */
    private static byte[] connectWithPassword(String clientId, String user, String password) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, (byte) 0xC2, 0, 60});
        for (String s : new String[] {clientId, user, password}) {
            byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            body.write(b.length >> 8);
            body.write(b.length);
            body.writeBytes(b);
        }
        byte[] v = body.toByteArray();
        byte[] packet = new byte[v.length + 2];
        packet[0] = 0x10;
        packet[1] = (byte) v.length;
        System.arraycopy(v, 0, packet, 2, v.length);
        return packet;
    }

    private static byte[] connack(int port, String clientId, String user, String password) throws IOException {
        try (RawClient c = RawClient.connect(port)) {
            c.send(connectWithPassword(clientId, user, password));
            return c.readPacket();
        }
    }

    @Test
    @DisplayName("SIGHUP reloads the password file: a user added by tern passwd can log in, a removed one is disconnected")
    void sighupReloadsPasswordFile() throws Exception {
        int port = FreePort.find();
        Path passwd = dir.resolve("passwd");
        assertThat(Main.commandLine().execute("passwd", "-c", "-b", "-I", "4096", passwd.toString(), "alice", "a"))
                .isZero();
        Path conf = dir.resolve("tern.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\npassword_file " + passwd
                + "\nauth_failure_delay 0\nlog_dest stdout\n");
        try (ExternalCommand broker = startBroker("-c", conf.toString())) {
            awaitPort(broker, port);
            assertThat(connack(port, "b1", "bob", "b")).containsExactly(0x20, 2, 0, 5);
            try (RawClient alice = RawClient.connect(port)) {
                alice.send(connectWithPassword("alice-1", "alice", "a"));
                assertThat(alice.readPacket()).containsExactly(0x20, 2, 0, 0);

                assertThat(Main.commandLine().execute("passwd", "-b", "-I", "4096", passwd.toString(), "bob", "b"))
                        .isZero();
                assertThat(Main.commandLine().execute("passwd", "-D", passwd.toString(), "alice")).isZero();
                try (ExternalCommand kill = ExternalCommand.start("kill", "-HUP", Long.toString(broker.pid()))) {
                    assertThat(kill.waitFor(Duration.ofSeconds(10))).isZero();
                }
                assertThat(alice.awaitClosed(Duration.ofSeconds(10))).as("alice was removed").isTrue();
            }
            assertThat(connack(port, "b2", "bob", "b")).containsExactly(0x20, 2, 0, 0);
            assertThat(broker.isAlive()).isTrue();
            assertThat(broker.stdout()).contains("Reloaded password file").contains("user 'alice' was removed");
        }
    }

    @Test
    @DisplayName("tern broker -p PORT without -c listens on loopback only")
    void portWithoutConfigListensOnLoopbackOnly() throws Exception {
        int port = FreePort.find();
        try (ExternalCommand broker = startBroker("-p", Integer.toString(port))) {
            awaitPort(broker, port);
            try (RawClient client = RawClient.connect(port)) {
                client.send(CONNECT);
                assertThat(client.readPacket()).as("anonymous client admitted").containsExactly(0x20, 2, 0, 0);
            }
            Optional<InetAddress> external = nonLoopbackIpv4();
            Assumptions.assumeTrue(external.isPresent(), "this host has no non-loopback IPv4 address");
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(external.get(), port), 2_000);
                }
            }).as("connection to %s:%d", external.get().getHostAddress(), port).isInstanceOf(ConnectException.class);

            broker.terminate();
            broker.waitFor(Duration.ofSeconds(10));
            assertThat(broker.stderr()).contains("Starting in local only mode")
                    .contains("Opening ipv4 listen socket on port " + port + " (127.0.0.1).")
                    .doesNotContain("Opening ipv4 listen socket on port " + port + ".");
        }
    }

    @Test
    @DisplayName("tern broker persists by default in data/ of its working directory, and says so")
    void persistsByDefault() throws Exception {
        int port = FreePort.find();
        try (ExternalCommand broker = startBroker("-p", Integer.toString(port))) {
            awaitPort(broker, port);
            broker.terminate();
            assertThat(broker.waitFor(Duration.ofSeconds(20))).isZero();
            assertThat(broker.stderr()).contains("Persistence is on: store " + dir.resolve("data"))
                    .contains("persistence_sync always");
        }
        assertThat(Files.readString(dir.resolve("data/FORMAT"))).isEqualTo("tern-store 1\n");
    }

    @Test
    @DisplayName("a damaged store stops the broker with what is wrong and the way out; --recover moves it aside")
    void damagedStoreAndRecover() throws Exception {
        int port = FreePort.find();
        Path store = dir.resolve("data");
        Files.createDirectories(store);
        Files.writeString(store.resolve("FORMAT"), "tern-store 1\n");
        Files.writeString(store.resolve("000042.sst"), "not a table"); // data without a CURRENT file
        try (ExternalCommand broker = startBroker("-p", Integer.toString(port))) {
            assertThat(broker.waitFor(Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(broker.stderr()).contains("the store in " + store + " is damaged: its CURRENT file is missing")
                    .contains("tern broker --recover").doesNotContain("\tat ");
        }
        try (ExternalCommand broker = startBroker("-p", Integer.toString(port), "--recover")) {
            awaitPort(broker, port);
            try (RawClient client = RawClient.connect(port)) {
                client.send(CONNECT);
                assertThat(client.readPacket()).containsExactly(0x20, 2, 0, 0);
            }
            broker.terminate();
            assertThat(broker.waitFor(Duration.ofSeconds(20))).isZero();
            assertThat(broker.stderr()).contains("--recover: moved the store to " + store + ".corrupt-");
        }
        try (var entries = Files.list(dir)) {
            Path aside = entries.filter(p -> p.getFileName().toString().startsWith("data.corrupt-")).findFirst()
                    .orElseThrow();
            assertThat(aside.resolve("000042.sst")).hasContent("not a table");
        }
        assertThat(store.resolve("CURRENT")).exists();
    }

    @Test
    @DisplayName("a store of a newer format is refused and --recover does not touch it")
    void newerStoreIsRefused() throws Exception {
        int port = FreePort.find();
        Path store = dir.resolve("data");
        Files.createDirectories(store);
        Files.writeString(store.resolve("FORMAT"), "tern-store 9\n");
        try (ExternalCommand broker = startBroker("-p", Integer.toString(port), "--recover")) {
            assertThat(broker.waitFor(Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(broker.stderr()).contains("has format 9, written by a newer version of Tern")
                    .doesNotContain("--recover: moved");
        }
        assertThat(store.resolve("FORMAT")).hasContent("tern-store 9");
    }

    private static Optional<InetAddress> nonLoopbackIpv4() throws IOException {
        for (NetworkInterface nif : NetworkInterface.networkInterfaces().toList()) {
            if (!nif.isUp() || nif.isLoopback()) {
                continue;
            }
            for (InetAddress a : nif.inetAddresses().toList()) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }
}
