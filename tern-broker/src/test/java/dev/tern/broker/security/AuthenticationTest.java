package dev.tern.broker.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.TernBroker;
import dev.tern.broker.config.ConfigParser;
import dev.tern.broker.test.LogCapture;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Disconnect;
import dev.tern.codec.packet.PingReq;
import dev.tern.codec.packet.PingResp;
import dev.tern.codec.packet.Will;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Password file logins at CONNECT, anonymous access, the failure delay and reloads, against an embedded broker. */
class AuthenticationTest {
    @TempDir
    Path dir;
    private TernBroker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    static String entry(String user, String password) {
        return user + ":" + ScramSha256Hash.create(password.getBytes(StandardCharsets.UTF_8), 4096,
                new SecureRandom()).encoded() + "\n";
    }

    private Path passwords(String... entries) throws Exception {
        Path p = dir.resolve("passwd");
        Files.writeString(p, String.join("", entries));
        return p;
    }

    private int start(String... lines) throws Exception {
        String text = "sys_interval 0\n" + String.join("\n", lines) + "\n";
        broker = TernBroker.builder().config(ConfigParser.parse(text, dir.resolve("tern.conf"))).build().start();
        return broker.port();
    }

    private static ConnAck login(int port, MqttVersion v, String user, String password) throws Exception {
        try (MqttTestClient c = MqttTestClient.open(port, v)) {
            return c.connect("c-" + user, user, password, null);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    @DisplayName("the right password is accepted; wrong password and unknown user get 5 (3.1.1) or 0x86 (5.0); "
            + "anonymous gets 5 or 0x87")
    void passwordFile(MqttVersion v) throws Exception {
        int port = start("auth_failure_delay 0", "password_file " + passwords(entry("alice", "s3cret")),
                "listener 0 127.0.0.1");
        assertThat(login(port, v, "alice", "s3cret").reasonCode()).isZero();
        int bad = v.isV5() ? ReasonCodes.BAD_USER_NAME_OR_PASSWORD : ReasonCodes.V3_NOT_AUTHORIZED;
        try (LogCapture log = LogCapture.start()) {
            assertThat(login(port, v, "alice", "wrong").reasonCode()).isEqualTo(bad);
            assertThat(login(port, v, "mallory", "s3cret").reasonCode()).isEqualTo(bad);
            try (MqttTestClient c = MqttTestClient.open(port, v)) {
                assertThat(c.connect("anon", true, 60, null).reasonCode())
                        .isEqualTo(v.isV5() ? ReasonCodes.NOT_AUTHORIZED : ReasonCodes.V3_NOT_AUTHORIZED);
                assertThat(c.raw().awaitClosed(Duration.ofSeconds(5))).isTrue();
            }
            assertThat(log.contains("user 'alice': wrong password")).isTrue();
            assertThat(log.contains("user 'mallory': unknown user")).isTrue();
            assertThat(log.contains("anonymous clients are not allowed")).isTrue();
            assertThat(log.messages()).noneMatch(m -> m.contains("s3cret") || m.contains("wrong password") && m.contains("'wrong'"));
        }
    }

    @Test
    @DisplayName("allow_anonymous true with a password file: anonymous clients connect, users still need their password")
    void anonymousAllowed() throws Exception {
        int port = start("auth_failure_delay 0", "password_file " + passwords(entry("alice", "pw")),
                "listener 0 127.0.0.1", "allow_anonymous true");
        try (MqttTestClient c = MqttTestClient.open(port, MqttVersion.MQTT_3_1_1)) {
            assertThat(c.connect("anon", true, 60, null).reasonCode()).isZero();
        }
        assertThat(login(port, MqttVersion.MQTT_3_1_1, "alice", "nope").reasonCode()).isEqualTo(5);
    }

    @Test
    @DisplayName("repeated failures from one address slow down its next logins, and the log says nothing of passwords")
    void failureDelay() throws Exception {
        int port = start("auth_failure_delay 300", "password_file " + passwords(entry("alice", "pw")),
                "listener 0 127.0.0.1");
        InetAddress local = InetAddress.getByName("127.0.0.1");
        assertThat(login(port, MqttVersion.MQTT_3_1_1, "alice", "guess1").reasonCode()).isEqualTo(5);
        long t0 = System.nanoTime();
        assertThat(login(port, MqttVersion.MQTT_3_1_1, "alice", "guess2").reasonCode()).isEqualTo(5);
        long second = System.nanoTime() - t0;
        t0 = System.nanoTime();
        assertThat(login(port, MqttVersion.MQTT_3_1_1, "alice", "pw").reasonCode())
                .as("the right password still works, after the wait").isZero();
        long third = System.nanoTime() - t0;
        assertThat(Duration.ofNanos(second)).as("after one failure").isGreaterThanOrEqualTo(Duration.ofMillis(250));
        assertThat(Duration.ofNanos(third)).as("after two failures the delay doubled")
                .isGreaterThanOrEqualTo(Duration.ofMillis(550));
        assertThat(broker.config().security().authFailureDelay()).isEqualTo(Duration.ofMillis(300));
        assertThat(local.isLoopbackAddress()).isTrue();
    }

    @Test
    @DisplayName("reload: a removed user and a user with a new password are disconnected (5.0: 0x98), others stay")
    void reloadDisconnectsRemovedUsers() throws Exception {
        Path file = passwords(entry("alice", "a"), entry("bob", "b"), entry("carol", "c"));
        int port = start("auth_failure_delay 0", "password_file " + file, "listener 0 127.0.0.1");
        try (MqttTestClient alice = MqttTestClient.open(port, MqttVersion.MQTT_3_1_1);
             MqttTestClient bob = MqttTestClient.open(port, MqttVersion.MQTT_5);
             MqttTestClient carol = MqttTestClient.open(port, MqttVersion.MQTT_3_1_1)) {
            assertThat(alice.connect("alice", "alice", "a", null).reasonCode()).isZero();
            assertThat(bob.connect("bob", "bob", "b", null).reasonCode()).isZero();
            assertThat(carol.connect("carol", "carol", "c", null).reasonCode()).isZero();
            String aliceLine = Files.readAllLines(file).get(0);
            Files.writeString(file, aliceLine + "\n" + entry("carol", "new"));
            assertThat(broker.reload()).isTrue();
            Disconnect d = bob.expect(Disconnect.class);
            assertThat(d.reasonCode()).isEqualTo(ReasonCodes.ADMINISTRATIVE_ACTION);
            assertThat(carol.raw().awaitClosed(Duration.ofSeconds(5))).as("new password").isTrue();
            alice.send(PingReq.INSTANCE);
            assertThat(alice.receive()).as("unchanged entry: stays").isInstanceOf(PingResp.class);
        }
        assertThat(login(port, MqttVersion.MQTT_3_1_1, "carol", "new").reasonCode()).isZero();
        assertThat(login(port, MqttVersion.MQTT_3_1_1, "bob", "b").reasonCode()).isEqualTo(5);
    }

    @Test
    @DisplayName("reload with a broken password file keeps the previous one and says so")
    void brokenReloadKeepsOldFile() throws Exception {
        Path file = passwords(entry("alice", "a"));
        int port = start("auth_failure_delay 0", "password_file " + file, "listener 0 127.0.0.1");
        Files.writeString(file, "alice:plaintext\n");
        try (LogCapture log = LogCapture.start()) {
            assertThat(broker.reload()).isFalse();
            assertThat(log.contains("keeping the previous one", "not hashed")).isTrue();
        }
        assertThat(login(port, MqttVersion.MQTT_3_1_1, "alice", "a").reasonCode()).isZero();
    }

    @Test
    @DisplayName("a will whose topic the ACL does not allow refuses the CONNECT (5 / 0x87)")
    void willDenied() throws Exception {
        Path acl = dir.resolve("acl");
        Files.writeString(acl, "user alice\ntopic write alice/#\n");
        int port = start("auth_failure_delay 0", "password_file " + passwords(entry("alice", "a")), "acl_file " + acl,
                "listener 0 127.0.0.1");
        for (MqttVersion v : new MqttVersion[] {MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5}) {
            try (MqttTestClient c = MqttTestClient.open(port, v)) {
                Will will = new Will("elsewhere/status", new byte[] {1}, QoS.AT_MOST_ONCE, false,
                        dev.tern.codec.MqttProperties.EMPTY);
                assertThat(c.connect("w", "alice", "a", will).reasonCode())
                        .isEqualTo(v.isV5() ? ReasonCodes.NOT_AUTHORIZED : ReasonCodes.V3_NOT_AUTHORIZED);
            }
            try (MqttTestClient c = MqttTestClient.open(port, v)) {
                Will will = new Will("alice/status", new byte[] {1}, QoS.AT_MOST_ONCE, false,
                        dev.tern.codec.MqttProperties.EMPTY);
                assertThat(c.connect("w", "alice", "a", will).reasonCode()).isZero();
            }
        }
    }

    @Test
    @DisplayName("the password file is read at start: a malformed one stops the broker with the file and line")
    void malformedFileStopsStart() throws Exception {
        Path file = passwords(entry("alice", "a"), "bob:$7$x$y$z\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> start("password_file " + file, "listener 0 127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(file + ":2: user 'bob'");
    }
}
