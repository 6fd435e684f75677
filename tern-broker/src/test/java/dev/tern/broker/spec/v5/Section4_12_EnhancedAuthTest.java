package dev.tern.broker.spec.v5;

import static dev.tern.broker.spec.v5.V5Packets.CLEAN_START;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.auth.InMemoryScramCredentialStore;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.broker.test.ScramClient;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.Auth;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.MqttPacket;
import java.io.IOException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 sections 3.15 and 4.12: AUTH and enhanced authentication, with the built-in SCRAM-SHA-256
 * method against an in-memory user store; the client side is the test's own RFC 5802 implementation.
 * The listener refuses anonymous clients, so only authenticated clients get in.
 */
class Section4_12_EnhancedAuthTest extends V5SpecTestBase {
    private static final String SCRAM = "SCRAM-SHA-256";

    @BeforeEach
    void brokerWithScram() throws IOException {
        InMemoryScramCredentialStore users = new InMemoryScramCredentialStore().addUser("alice", "wonderland")
                .addUser("bob", "builder");
        startBroker(b -> b.allowAnonymous(false), e -> e.scramCredentials(users));
    }

    private static Props method(byte[] data) {
        return Props.of().utf8(Props.AUTHENTICATION_METHOD, SCRAM).binary(Props.AUTHENTICATION_DATA, data);
    }

    /** CONNECT with SCRAM's client-first-message; returns the server's AUTH challenge. */
    private static Auth begin(MqttTestClient c, ScramClient scram, String clientId) throws IOException {
        c.raw().send(V5Packets.connect(clientId, CLEAN_START, 60, method(scram.clientFirst())));
        MqttPacket p = c.receive(WAIT);
        assertThat(p).as("server's answer to a SCRAM CONNECT").isInstanceOf(Auth.class);
        Auth challenge = (Auth) p;
        assertThat(challenge.reasonCode()).as("[MQTT-4.12.0-2]").isEqualTo(ReasonCodes.CONTINUE_AUTHENTICATION);
        assertThat(challenge.properties().authenticationMethod()).as("[MQTT-4.12.0-5]").isEqualTo(SCRAM);
        return challenge;
    }

    /** A client authenticated as alice. */
    private MqttTestClient authenticated(ScramClient scram) throws IOException {
        MqttTestClient c = open5();
        Auth challenge = begin(c, scram, "alice-client");
        c.raw().send(V5Packets.auth(ReasonCodes.CONTINUE_AUTHENTICATION,
                method(scram.clientFinal(challenge.properties().authenticationData()))));
        ConnAck ack = c.expect(ConnAck.class);
        assertThat(ack.reasonCode()).isZero();
        return c;
    }

    @Test
    @DisplayName("[MQTT-4.12.0-2] [MQTT-4.12.0-5] [MQTT-3.15.2-1] SCRAM-SHA-256: CONNECT, AUTH 0x18 both ways, "
            + "CONNACK 0x00 with the method and the server signature, which the client verifies")
    void scramSucceeds() throws IOException {
        ScramClient scram = new ScramClient("alice", "wonderland");
        MqttTestClient c = open5();
        Auth challenge = begin(c, scram, "alice-client");
        c.raw().send(V5Packets.auth(ReasonCodes.CONTINUE_AUTHENTICATION,
                method(scram.clientFinal(challenge.properties().authenticationData()))));
        ConnAck ack = c.expect(ConnAck.class);
        assertThat(ack.reasonCode()).isZero();
        assertThat(ack.properties().authenticationMethod()).isEqualTo(SCRAM);
        assertThat(scram.verifyServerFinal(ack.properties().authenticationData())).as("server signature").isTrue();
        assertAlive(c);
    }

    @Test
    @DisplayName("[MQTT-4.12.0-4] [MQTT-3.2.2-7] a wrong password is refused with CONNACK 0x86 and the "
            + "connection closed")
    void wrongPassword() throws IOException {
        ScramClient scram = new ScramClient("alice", "looking-glass");
        MqttTestClient c = open5();
        Auth challenge = begin(c, scram, "alice-client");
        c.raw().send(V5Packets.auth(ReasonCodes.CONTINUE_AUTHENTICATION,
                method(scram.clientFinal(challenge.properties().authenticationData()))));
        assertConnAckRefusal(c, ReasonCodes.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    @DisplayName("[MQTT-4.12.0-4] an unknown user goes through the same exchange and is refused with 0x86")
    void unknownUser() throws IOException {
        ScramClient scram = new ScramClient("mallory", "x");
        MqttTestClient c = open5();
        Auth challenge = begin(c, scram, "m");
        c.raw().send(V5Packets.auth(ReasonCodes.CONTINUE_AUTHENTICATION,
                method(scram.clientFinal(challenge.properties().authenticationData()))));
        assertConnAckRefusal(c, ReasonCodes.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    @DisplayName("[MQTT-4.12.0-1] an authentication method the broker does not offer gets CONNACK 0x8C")
    void unsupportedMethod() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connect("k", CLEAN_START, 60, Props.of().utf8(Props.AUTHENTICATION_METHOD, "KERBEROS")));
        assertConnAckRefusal(c, ReasonCodes.BAD_AUTHENTICATION_METHOD);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-30] [MQTT-3.1.4-6] a PUBLISH during the exchange gets CONNACK 0x82 (nothing before "
            + "CONNACK but AUTH)")
    void publishDuringExchange() throws IOException {
        MqttTestClient c = open5();
        begin(c, new ScramClient("alice", "wonderland"), "a");
        c.raw().send(V5Packets.publish0("t", "too early"));
        assertConnAckRefusal(c, ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("[MQTT-4.12.0-3] [MQTT-4.12.0-5] an AUTH answer with another method or reason code gets CONNACK "
            + "0x82")
    void wrongAuthAnswer() throws IOException {
        MqttTestClient c = open5();
        begin(c, new ScramClient("alice", "wonderland"), "a");
        c.raw().send(V5Packets.auth(ReasonCodes.RE_AUTHENTICATE, method(new byte[] {1})));
        assertConnAckRefusal(c, ReasonCodes.PROTOCOL_ERROR);
        MqttTestClient d = open5();
        begin(d, new ScramClient("alice", "wonderland"), "b");
        d.raw().send(V5Packets.auth(ReasonCodes.CONTINUE_AUTHENTICATION,
                Props.of().utf8(Props.AUTHENTICATION_METHOD, "PLAIN")));
        assertConnAckRefusal(d, ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("[MQTT-4.12.0-6] [MQTT-4.12.0-7] without an authentication method the broker sends no AUTH and "
            + "no method in CONNACK, and a client's AUTH gets DISCONNECT 0x82")
    void noMethodNoAuth() throws IOException {
        MqttTestClient c = open5();
        // Anonymous clients are refused here: without a method the listener's rule applies.
        c.raw().send(V5Packets.connect("anon"));
        ConnAck refused = assertConnAckRefusal(c, ReasonCodes.NOT_AUTHORIZED);
        assertThat(refused.properties().authenticationMethod()).isNull();
        MqttTestClient a = authenticated(new ScramClient("alice", "wonderland"));
        a.raw().send(V5Packets.auth(ReasonCodes.RE_AUTHENTICATE, Props.of().utf8(Props.AUTHENTICATION_METHOD, "PLAIN")));
        assertDisconnect(a, ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("[MQTT-4.12.1-1] re-authentication: AUTH 0x19, AUTH 0x18 both ways, AUTH 0x00 with the server "
            + "signature; the connection keeps working")
    void reauthentication() throws IOException {
        MqttTestClient c = authenticated(new ScramClient("alice", "wonderland"));
        ScramClient again = new ScramClient("alice", "wonderland");
        c.raw().send(V5Packets.auth(ReasonCodes.RE_AUTHENTICATE, method(again.clientFirst())));
        Auth challenge = c.expect(Auth.class);
        assertThat(challenge.reasonCode()).isEqualTo(ReasonCodes.CONTINUE_AUTHENTICATION);
        c.raw().send(V5Packets.auth(ReasonCodes.CONTINUE_AUTHENTICATION,
                method(again.clientFinal(challenge.properties().authenticationData()))));
        Auth done = c.expect(Auth.class);
        assertThat(done.reasonCode()).isEqualTo(ReasonCodes.SUCCESS);
        assertThat(done.properties().authenticationMethod()).isEqualTo(SCRAM);
        assertThat(again.verifyServerFinal(done.properties().authenticationData())).isTrue();
        assertAlive(c);
    }

    @Test
    @DisplayName("[MQTT-4.12.1-2] failed re-authentication gets DISCONNECT 0x87 and the connection closes; "
            + "re-authenticating as another user too")
    void failedReauthentication() throws IOException {
        MqttTestClient c = authenticated(new ScramClient("alice", "wonderland"));
        ScramClient wrong = new ScramClient("alice", "nope");
        c.raw().send(V5Packets.auth(ReasonCodes.RE_AUTHENTICATE, method(wrong.clientFirst())));
        Auth challenge = c.expect(Auth.class);
        c.raw().send(V5Packets.auth(ReasonCodes.CONTINUE_AUTHENTICATION,
                method(wrong.clientFinal(challenge.properties().authenticationData()))));
        assertDisconnect(c, ReasonCodes.NOT_AUTHORIZED);
        MqttTestClient d = authenticated(new ScramClient("alice", "wonderland"));
        d.raw().send(V5Packets.auth(ReasonCodes.RE_AUTHENTICATE, method(new ScramClient("bob", "builder").clientFirst())));
        assertDisconnect(d, ReasonCodes.NOT_AUTHORIZED);
    }

    @Test
    @DisplayName("[MQTT-3.15.1-1] AUTH with reserved flags set is malformed")
    void authFlags() throws IOException {
        MqttTestClient c = authenticated(new ScramClient("alice", "wonderland"));
        c.raw().send(dev.tern.broker.spec.Bytes.of(0xF1, 0x00));
        assertDisconnect(c, ReasonCodes.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-4.12.0-4] the user SCRAM authenticated is the one the ACL file is asked about")
    void aclAppliesToTheScramUser(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path acl = dir.resolve("acl");
        java.nio.file.Files.writeString(acl, "user alice\ntopic readwrite a/#\n");
        var conf = dev.tern.broker.config.ConfigParser.parse("sys_interval 0\nacl_file " + acl
                + "\nallow_anonymous false\nlistener 0 127.0.0.1\n", dir.resolve("tern.conf"));
        try (var b = dev.tern.broker.TernBroker.builder().config(conf)
                .scramCredentials(new InMemoryScramCredentialStore().addUser("alice", "wonderland")).build().start()) {
            try (MqttTestClient c = MqttTestClient.open(b.port(), dev.tern.codec.MqttVersion.MQTT_5)) {
                ScramClient scram = new ScramClient("alice", "wonderland");
                Auth challenge = begin(c, scram, "alice-acl");
                c.raw().send(V5Packets.auth(ReasonCodes.CONTINUE_AUTHENTICATION,
                        method(scram.clientFinal(challenge.properties().authenticationData()))));
                assertThat(c.expect(ConnAck.class).reasonCode()).isZero();
                c.raw().send(V5Packets.publish(0x02, "a/x", 1, Props.none(), "allowed"));
                assertThat(reasonCodeByte(next(c), 2)).isEqualTo(ReasonCodes.NO_MATCHING_SUBSCRIBERS);
                c.raw().send(V5Packets.publish(0x02, "b/x", 2, Props.none(), "denied"));
                assertThat(reasonCodeByte(next(c), 2)).isEqualTo(ReasonCodes.NOT_AUTHORIZED);
            }
        }
    }

    @Test
    @DisplayName("[MQTT-4.12.0-2] [MQTT-4.12.0-5] SCRAM-SHA-256 against the password file: a user hashed as "
            + "tern passwd does logs in (and the ACL file applies); a wrong password gets 0x86; a password file "
            + "reload applies to the next login")
    void scramFromPasswordFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path passwd = dir.resolve("passwd");
        java.nio.file.Files.writeString(passwd, passwdEntry("carol", "s3cret"));
        java.nio.file.Path acl = dir.resolve("acl");
        java.nio.file.Files.writeString(acl, "user carol\ntopic readwrite c/#\n");
        var conf = dev.tern.broker.config.ConfigParser.parse("sys_interval 0\nauth_failure_delay 0\npassword_file "
                + passwd + "\nacl_file " + acl + "\nlistener 0 127.0.0.1\n", dir.resolve("tern.conf"));
        try (var b = dev.tern.broker.TernBroker.builder().config(conf).build().start()) {
            try (MqttTestClient c = MqttTestClient.open(b.port(), dev.tern.codec.MqttVersion.MQTT_5)) {
                ScramClient scram = new ScramClient("carol", "s3cret");
                Auth challenge = begin(c, scram, "carol-1");
                c.raw().send(V5Packets.auth(ReasonCodes.CONTINUE_AUTHENTICATION,
                        method(scram.clientFinal(challenge.properties().authenticationData()))));
                ConnAck ack = c.expect(ConnAck.class);
                assertThat(ack.reasonCode()).isZero();
                assertThat(scram.verifyServerFinal(ack.properties().authenticationData())).isTrue();
                c.raw().send(V5Packets.publish(0x02, "d/x", 1, Props.none(), "denied"));
                assertThat(reasonCodeByte(next(c), 2)).isEqualTo(ReasonCodes.NOT_AUTHORIZED);
            }
            try (MqttTestClient c = MqttTestClient.open(b.port(), dev.tern.codec.MqttVersion.MQTT_5)) {
                ScramClient wrong = new ScramClient("carol", "guess");
                Auth challenge = begin(c, wrong, "carol-2");
                c.raw().send(V5Packets.auth(ReasonCodes.CONTINUE_AUTHENTICATION,
                        method(wrong.clientFinal(challenge.properties().authenticationData()))));
                assertConnAckRefusal(c, ReasonCodes.BAD_USER_NAME_OR_PASSWORD);
            }
            java.nio.file.Files.writeString(passwd, passwdEntry("carol", "changed"));
            assertThat(b.reload()).isTrue();
            try (MqttTestClient c = MqttTestClient.open(b.port(), dev.tern.codec.MqttVersion.MQTT_5)) {
                ScramClient scram = new ScramClient("carol", "changed");
                Auth challenge = begin(c, scram, "carol-3");
                c.raw().send(V5Packets.auth(ReasonCodes.CONTINUE_AUTHENTICATION,
                        method(scram.clientFinal(challenge.properties().authenticationData()))));
                assertThat(c.expect(ConnAck.class).reasonCode()).isZero();
            }
        }
    }

    /** A password file line as {@code tern passwd} writes it (SCRAM-SHA-256 hash, 4096 iterations). */
    private static String passwdEntry(String user, String password) {
        return user + ":" + dev.tern.broker.security.ScramSha256Hash.create(
                password.getBytes(java.nio.charset.StandardCharsets.UTF_8), 4096, new java.security.SecureRandom())
                .encoded() + "\n";
    }
}
