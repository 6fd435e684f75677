package dev.tern.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.broker.security.ScramSha256Hash;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.packet.Auth;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.testkit.FreePort;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MQTT 5.0 enhanced authentication with SCRAM-SHA-256 through the client's {@link EnhancedAuthenticator}
 * hook ({@link ScramSha256Authenticator}) against Tern's built-in mechanism, for users of a password
 * file in {@code tern passwd}'s format, with an ACL file. Tern only: Mosquitto 2.0 has no built-in
 * enhanced authentication.
 */
class ClientScramIT {
    @TempDir
    static Path dir;
    static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        Path passwd = dir.resolve("passwd");
        // The entries tern passwd writes (its hashing, with its default 100,000 iterations).
        SecureRandom random = new SecureRandom();
        Files.writeString(passwd, "alice:" + hash("wonderland", random) + "\nbob:" + hash("builder", random) + "\n");
        Path acl = dir.resolve("acl");
        Files.writeString(acl, "user alice\ntopic readwrite alice/#\n\nuser bob\ntopic readwrite bob/#\n");
        int port = FreePort.find();
        broker = TestBroker.Kind.TERN.start(dir, "listener " + port + " 127.0.0.1\npassword_file " + passwd
                + "\nacl_file " + acl + "\nauth_failure_delay 0\n", port);
    }

    private static String hash(String password, SecureRandom random) {
        return ScramSha256Hash.create(password.getBytes(StandardCharsets.UTF_8), ScramSha256Hash.DEFAULT_ITERATIONS,
                random).encoded();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static TernClientBuilder client(String id, EnhancedAuthenticator auth) {
        return TernClient.builder().serverHost("127.0.0.1").serverPort(broker.port()).version(MqttVersion.MQTT_5)
                .clientId(id).enhancedAuthentication(auth);
    }

    /** Records the AUTH packets and the CONNECT a client sends and receives. */
    private static final class AuthTrace implements PacketTrace {
        final List<String> packets = new CopyOnWriteArrayList<>();

        @Override
        public void sent(MqttPacket packet) {
            if (packet instanceof Connect c) {
                packets.add("> CONNECT " + c.properties().authenticationMethod());
            } else if (packet instanceof Auth a) {
                packets.add("> AUTH " + Integer.toHexString(a.reasonCode()));
            }
        }

        @Override
        public void received(MqttPacket packet) {
            if (packet instanceof Auth a) {
                packets.add("< AUTH " + Integer.toHexString(a.reasonCode()));
            } else if (packet instanceof dev.tern.codec.packet.ConnAck) {
                packets.add("< CONNACK");
            }
        }
    }

    @Test
    @DisplayName("[MQTT-4.12.0-3] [MQTT-4.12.0-5] SCRAM-SHA-256: CONNECT, AUTH challenge, AUTH proof, CONNACK with the "
            + "server signature; the ACL applies to the user SCRAM authenticated")
    void scramLogin() throws Exception {
        AuthTrace trace = new AuthTrace();
        try (BlockingClient c = client("scram-alice", new ScramSha256Authenticator("alice", "wonderland"))
                .packetTrace(trace).buildBlocking()) {
            ConnectResult r = c.connect();
            assertThat(r.isSuccess()).isTrue();
            assertThat(r.properties().authenticationMethod()).isEqualTo("SCRAM-SHA-256");
            assertThat(trace.packets).containsExactly("> CONNECT SCRAM-SHA-256", "< AUTH 18", "> AUTH 18", "< CONNACK");
            MessageStream own = c.subscribeStream(10, Subscription.of("alice/#", 1));
            c.publish("alice/notes", "hello", 1, false);
            assertThat(own.receive(Duration.ofSeconds(5)).orElseThrow().payloadAsString()).isEqualTo("hello");
            assertThat(c.subscribe(Subscription.of("bob/#", 1), m -> { }).reasonCodes()).containsExactly(0x87);
            assertThatThrownBy(() -> c.publish("bob/x", "no", 1, false)).isInstanceOf(MqttClientException.class)
                    .hasMessageContaining("not authorised");
        }
    }

    @Test
    @DisplayName("a wrong password or an unknown user is refused with CONNACK 0x86, after the challenge")
    void wrongPasswordAndUnknownUser() throws Exception {
        for (ScramSha256Authenticator auth : new ScramSha256Authenticator[] {
            new ScramSha256Authenticator("alice", "looking-glass"), new ScramSha256Authenticator("mallory", "x")}) {
            TernClient c = client("scram-bad", auth).build();
            try {
                assertThatThrownBy(() -> c.connect().get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ConnectionRefusedException.class)
                        .satisfies(e -> assertThat(((ConnectionRefusedException) e).reasonCode()).isEqualTo(0x86));
            } finally {
                c.close();
            }
        }
    }

    @Test
    @DisplayName("[MQTT-4.12.1-1] re-authentication with the same method on a live connection, and a second "
            + "connection of the same client, each a fresh exchange")
    void reauthenticationAndReconnection() throws Exception {
        AuthTrace trace = new AuthTrace();
        try (TernClient c = client("scram-bob", new ScramSha256Authenticator("bob", "builder")).packetTrace(trace)
                .build()) {
            c.connect().get(10, TimeUnit.SECONDS);
            c.reauthenticate().get(10, TimeUnit.SECONDS);
            assertThat(trace.packets).containsExactly("> CONNECT SCRAM-SHA-256", "< AUTH 18", "> AUTH 18", "< CONNACK",
                    "> AUTH 19", "< AUTH 18", "> AUTH 18", "< AUTH 0");
            assertThat(c.isConnected()).isTrue();
            c.disconnect().get(5, TimeUnit.SECONDS);
            assertThat(c.connect().get(10, TimeUnit.SECONDS).isSuccess()).isTrue();
            assertThat(c.toBlocking().publish("bob/after", "x", 1, false).reasonCode()).isEqualTo(0x10);
        }
    }

    @Test
    @DisplayName("plain user name and password in CONNECT still work for the same users")
    void passwordLogin() throws Exception {
        try (BlockingClient c = TernClient.builder().serverHost("127.0.0.1").serverPort(broker.port())
                .version(MqttVersion.MQTT_5).clientId("plain-alice").credentials("alice", "wonderland")
                .buildBlocking()) {
            assertThat(c.connect().isSuccess()).isTrue();
        }
    }
}
