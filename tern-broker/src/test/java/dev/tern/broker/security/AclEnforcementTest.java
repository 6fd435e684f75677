package dev.tern.broker.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.TernBroker;
import dev.tern.broker.config.ConfigParser;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.Will;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ACL file enforced on PUBLISH, SUBSCRIBE, delivery, retained messages, wills and $SYS. */
class AclEnforcementTest {
    private static final String ACL = """
            # anonymous clients: nothing
            user alice
            topic readwrite home/#
            topic deny home/secret
            topic read $SYS/broker/uptime
            user bob
            topic read home/#
            topic write bob/#
            pattern readwrite clients/%c/#
            pattern read users/%u/inbox
            """;

    @TempDir
    Path dir;
    private TernBroker broker;
    private int port;

    @BeforeEach
    void start() throws Exception {
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, AuthenticationTest.entry("alice", "a") + AuthenticationTest.entry("bob", "b"));
        Path acl = dir.resolve("acl");
        Files.writeString(acl, ACL);
        String conf = "sys_interval 1\nauth_failure_delay 0\npassword_file " + passwd + "\nacl_file " + acl
                + "\nlistener 0 127.0.0.1\n";
        broker = TernBroker.builder().config(ConfigParser.parse(conf, dir.resolve("tern.conf"))).build().start();
        port = broker.port();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private MqttTestClient client(String id, String user, MqttVersion v) throws Exception {
        MqttTestClient c = MqttTestClient.open(port, v);
        assertThat(c.connect(id, user, user.substring(0, 1), null).reasonCode()).isZero();
        return c;
    }

    private static void sendPublish(MqttTestClient c, String topic, QoS qos, int id, boolean retain) throws Exception {
        c.send(new Publish(topic, qos, retain, false, id, MqttProperties.EMPTY,
                Unpooled.copiedBuffer(topic, StandardCharsets.UTF_8)));
    }

    @Test
    @DisplayName("3.1.1: a denied PUBLISH is acknowledged and dropped silently; subscribers never see it")
    void publishDeniedV311() throws Exception {
        try (MqttTestClient alice = client("alice-sub", "alice", MqttVersion.MQTT_3_1_1);
             MqttTestClient bob = client("bob-pub", "bob", MqttVersion.MQTT_3_1_1)) {
            alice.subscribe("home/#", QoS.AT_LEAST_ONCE);
            sendPublish(bob, "home/kitchen", QoS.AT_LEAST_ONCE, 7, false); // bob may only read home/#
            assertThat(bob.expect(PubAck.class).packetId()).isEqualTo(7);
            bob.publish("bob/status", "ok", QoS.AT_MOST_ONCE, false);
            alice.publish("home/kitchen", "allowed", QoS.AT_MOST_ONCE, false);
            Publish p = alice.expect(Publish.class);
            assertThat(MqttTestClient.text(p)).isEqualTo("allowed");
            assertThat(alice.raw().staysSilent(Duration.ofMillis(300))).isTrue();
        }
    }

    @Test
    @DisplayName("5.0: a denied PUBLISH gets PUBACK or PUBREC 0x87 (not authorized)")
    void publishDeniedV5() throws Exception {
        try (MqttTestClient bob = client("bob5", "bob", MqttVersion.MQTT_5)) {
            sendPublish(bob, "home/kitchen", QoS.AT_LEAST_ONCE, 1, false);
            assertThat(bob.expect(PubAck.class).reasonCode()).isEqualTo(ReasonCodes.NOT_AUTHORIZED);
            sendPublish(bob, "home/kitchen", QoS.EXACTLY_ONCE, 2, false);
            assertThat(bob.expect(PubRec.class).reasonCode()).isEqualTo(ReasonCodes.NOT_AUTHORIZED);
            sendPublish(bob, "bob/x", QoS.AT_LEAST_ONCE, 3, false);
            // Allowed; nobody subscribes, which MQTT 5.0 reports as 0x10 (No matching subscribers).
            assertThat(bob.expect(PubAck.class).reasonCode()).isEqualTo(ReasonCodes.NO_MATCHING_SUBSCRIBERS);
        }
    }

    @Test
    @DisplayName("SUBSCRIBE: denied filters get 0x80 (3.1.1) or 0x87 (5.0); granted ones in the same packet are kept")
    void subscribeDenied() throws Exception {
        try (MqttTestClient bob = client("bob-s", "bob", MqttVersion.MQTT_3_1_1);
             MqttTestClient bob5 = client("bob-s5", "bob", MqttVersion.MQTT_5)) {
            assertThat(bob.subscribe("bob/#", QoS.AT_MOST_ONCE).reasonCodes()).as("write-only").containsExactly(0x80);
            assertThat(bob.subscribe("home/+", QoS.AT_LEAST_ONCE).reasonCodes()).containsExactly(1);
            assertThat(bob5.subscribe("bob/#", QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(ReasonCodes.NOT_AUTHORIZED);
            assertThat(bob.subscribe("home/secret", QoS.AT_MOST_ONCE).reasonCodes()).as("bob has no deny rule")
                    .containsExactly(0);
        }
        try (MqttTestClient alice = client("alice-s", "alice", MqttVersion.MQTT_3_1_1)) {
            assertThat(alice.subscribe("home/secret", QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(0x80);
        }
    }

    @Test
    @DisplayName("delivery: a subscription wider than the read permission only gets the readable messages")
    void deliveryFiltered() throws Exception {
        try (MqttTestClient alice = client("alice-d", "alice", MqttVersion.MQTT_3_1_1);
             MqttTestClient pub = client("clients-pub", "alice", MqttVersion.MQTT_3_1_1)) {
            assertThat(alice.subscribe("home/#", QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(0);
            pub.publish("home/secret", "hidden", QoS.AT_MOST_ONCE, false); // alice's deny also blocks the publish
            pub.publish("home/door", "open", QoS.AT_MOST_ONCE, false);
            assertThat(MqttTestClient.text(alice.expect(Publish.class))).isEqualTo("open");
        }
        try (MqttTestClient bob = client("bob-d", "bob", MqttVersion.MQTT_3_1_1);
             MqttTestClient alice = client("alice-p", "alice", MqttVersion.MQTT_3_1_1)) {
            assertThat(bob.subscribe("#", QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(0);
            alice.publish("clients/alice-p/x", "not for bob", QoS.AT_MOST_ONCE, false);
            alice.publish("home/hall", "for bob", QoS.AT_MOST_ONCE, false);
            assertThat(MqttTestClient.text(bob.expect(Publish.class))).isEqualTo("for bob");
        }
    }

    @Test
    @DisplayName("retained messages are only sent to subscribers that may read them")
    void retainedFiltered() throws Exception {
        try (MqttTestClient alice = client("alice-r", "alice", MqttVersion.MQTT_3_1_1)) {
            alice.publish("clients/alice-r/state", "mine", QoS.AT_LEAST_ONCE, true);
            alice.publish("home/lamp", "on", QoS.AT_LEAST_ONCE, true);
        }
        try (MqttTestClient bob = client("bob-r", "bob", MqttVersion.MQTT_3_1_1)) {
            assertThat(bob.subscribe("#", QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(0);
            Publish p = bob.expect(Publish.class);
            assertThat(p.topic()).isEqualTo("home/lamp");
            assertThat(bob.raw().staysSilent(Duration.ofMillis(300))).as("clients/alice-r/state withheld").isTrue();
        }
    }

    @Test
    @DisplayName("wills are delivered only to subscribers that may read the will topic")
    void willFiltered() throws Exception {
        try (MqttTestClient alice = client("alice-w", "alice", MqttVersion.MQTT_3_1_1);
             MqttTestClient bob = client("bob-w", "bob", MqttVersion.MQTT_3_1_1)) {
            alice.subscribe("clients/#", QoS.AT_MOST_ONCE);
            bob.subscribe("#", QoS.AT_MOST_ONCE);
            MqttTestClient dying = MqttTestClient.open(port, MqttVersion.MQTT_3_1_1);
            Will will = new Will("clients/dying/status", "gone".getBytes(StandardCharsets.UTF_8), QoS.AT_MOST_ONCE,
                    false, MqttProperties.EMPTY);
            assertThat(dying.connect("dying", "bob", "b", will).reasonCode()).isZero();
            dying.close(); // no DISCONNECT: the will is published
            assertThat(bob.raw().staysSilent(Duration.ofMillis(500))).as("bob cannot read clients/dying/...").isTrue();
        }
    }

    @Test
    @DisplayName("$SYS: readable where the ACL allows it, never writable (3.1.1 dropped, 5.0 0x87)")
    void sysTopics() throws Exception {
        try (MqttTestClient alice = client("alice-sys", "alice", MqttVersion.MQTT_3_1_1);
             MqttTestClient alice5 = client("alice-sys5", "alice", MqttVersion.MQTT_5)) {
            assertThat(alice.subscribe("$SYS/broker/version", QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(0x80);
            assertThat(alice.subscribe("$SYS/broker/uptime", QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(0);
            MqttPacket p = alice.receive(Duration.ofSeconds(5));
            assertThat(((Publish) p).topic()).isEqualTo("$SYS/broker/uptime");
            sendPublish(alice5, "$SYS/broker/uptime", QoS.AT_LEAST_ONCE, 9, false);
            assertThat(alice5.expect(PubAck.class).reasonCode()).isEqualTo(ReasonCodes.NOT_AUTHORIZED);
        }
    }

    @Test
    @DisplayName("patterns: %c and %u give each client its own subtree")
    void patterns() throws Exception {
        try (MqttTestClient bob = client("dev42", "bob", MqttVersion.MQTT_5)) {
            sendPublish(bob, "clients/dev42/temp", QoS.AT_LEAST_ONCE, 1, false);
            assertThat(bob.expect(PubAck.class).reasonCode()).isEqualTo(ReasonCodes.NO_MATCHING_SUBSCRIBERS);
            sendPublish(bob, "clients/dev43/temp", QoS.AT_LEAST_ONCE, 2, false);
            assertThat(bob.expect(PubAck.class).reasonCode()).isEqualTo(ReasonCodes.NOT_AUTHORIZED);
            assertThat(bob.subscribe("users/bob/inbox", QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(0);
            assertThat(bob.subscribe("users/alice/inbox", QoS.AT_MOST_ONCE).reasonCodes())
                    .containsExactly(ReasonCodes.NOT_AUTHORIZED);
        }
    }

    @Test
    @DisplayName("reload of the ACL file applies to connected clients at once")
    void aclReload() throws Exception {
        try (MqttTestClient bob = client("bob-reload", "bob", MqttVersion.MQTT_5)) {
            sendPublish(bob, "home/x", QoS.AT_LEAST_ONCE, 1, false);
            assertThat(bob.expect(PubAck.class).reasonCode()).isEqualTo(ReasonCodes.NOT_AUTHORIZED);
            Files.writeString(dir.resolve("acl"), "user bob\ntopic readwrite home/#\n");
            assertThat(broker.reload()).isTrue();
            sendPublish(bob, "home/x", QoS.AT_LEAST_ONCE, 2, false);
            assertThat(bob.expect(PubAck.class).reasonCode()).isEqualTo(ReasonCodes.NO_MATCHING_SUBSCRIBERS);
        }
    }
}
