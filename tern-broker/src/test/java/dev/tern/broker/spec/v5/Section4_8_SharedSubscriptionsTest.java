package dev.tern.broker.spec.v5;

import static dev.tern.broker.spec.v5.V5Packets.CLEAN_START;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.routing.SharedSubscriptionStrategy;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 section 4.8.2: shared subscriptions. */
class Section4_8_SharedSubscriptionsTest extends V5SpecTestBase {

    private MqttTestClient member(String clientId, String filter, int qos) throws IOException {
        MqttTestClient c = connect5(clientId);
        subscribe5(c, 1, Props.none(), filter, qos, qos);
        return c;
    }

    /** Publishes n QoS 0 messages and counts how many each member received. */
    private static Map<String, Integer> distribute(MqttTestClient pub, int n, MqttTestClient... members)
            throws IOException {
        for (int i = 0; i < n; i++) {
            pub.raw().send(V5Packets.publish0("sh/t", "m" + i));
        }
        Map<String, Integer> counts = new HashMap<>();
        while (true) {
            boolean any = false;
            for (int i = 0; i < members.length; i++) {
                try {
                    members[i].receive(Duration.ofMillis(50));
                    counts.merge("m" + i, 1, Integer::sum);
                    any = true;
                } catch (java.net.SocketTimeoutException e) {
                    // this member has nothing more right now
                }
            }
            if (!any) {
                break;
            }
        }
        return counts;
    }

    @Test
    @DisplayName("[MQTT-4.8.2-1] [MQTT-4.8.2-2] each message goes to one member of the group, in turn (round "
            + "robin); a non-shared subscriber gets every message")
    void roundRobin() throws IOException {
        MqttTestClient a = member("a", "$share/g/sh/t", 0);
        MqttTestClient b = member("b", "$share/g/sh/t", 0);
        MqttTestClient plain = member("plain", "sh/t", 0);
        MqttTestClient pub = connect5("pub");
        Map<String, Integer> counts = distribute(pub, 10, a, b);
        assertThat(counts).containsEntry("m0", 5).containsEntry("m1", 5);
        for (int i = 0; i < 10; i++) {
            assertThat(MqttTestClient.text(nextPublish(plain))).isEqualTo("m" + i);
        }
    }

    @Test
    @DisplayName("the same share name with another filter is another shared subscription")
    void shareNameAndFilterMakeTheGroup() throws IOException {
        MqttTestClient a = member("a", "$share/g/sh/#", 0);
        MqttTestClient b = member("b", "$share/g/sh/t", 0);
        MqttTestClient pub = connect5("pub");
        assertThat(distribute(pub, 3, a, b)).containsEntry("m0", 3).containsEntry("m1", 3);
    }

    @Test
    @DisplayName("two groups on the same filter each get every message once")
    void twoGroups() throws IOException {
        MqttTestClient a = member("a", "$share/one/sh/t", 0);
        MqttTestClient b = member("b", "$share/two/sh/t", 0);
        MqttTestClient pub = connect5("pub");
        assertThat(distribute(pub, 4, a, b)).containsEntry("m0", 4).containsEntry("m1", 4);
    }

    @Test
    @DisplayName("the sticky strategy keeps one member while it stays connected")
    void sticky() throws IOException {
        startBroker(b -> b.mqtt5(m -> m.withSharedSubscriptionStrategy(SharedSubscriptionStrategy.STICKY)));
        MqttTestClient a = member("a", "$share/g/sh/t", 0);
        MqttTestClient b = member("b", "$share/g/sh/t", 0);
        MqttTestClient pub = connect5("pub");
        Map<String, Integer> counts = distribute(pub, 6, a, b);
        assertThat(counts.values()).containsExactly(6);
    }

    @Test
    @DisplayName("random: every message reaches exactly one member")
    void random() throws IOException {
        startBroker(b -> b.mqtt5(m -> m.withSharedSubscriptionStrategy(SharedSubscriptionStrategy.RANDOM)));
        MqttTestClient a = member("a", "$share/g/sh/t", 0);
        MqttTestClient b = member("b", "$share/g/sh/t", 0);
        MqttTestClient pub = connect5("pub");
        Map<String, Integer> counts = distribute(pub, 40, a, b);
        assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(40);
    }

    @Test
    @DisplayName("[MQTT-4.8.2-3] each member gets the message at the QoS granted to its own subscription")
    void memberQos() throws IOException {
        MqttTestClient q0 = member("q0", "$share/g/sh/t", 0);
        MqttTestClient q1 = member("q1", "$share/g/sh/t", 1);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x02, "sh/t", 1, Props.none(), "a"));
        pub.expect(PubAck.class);
        pub.raw().send(V5Packets.publish(0x02, "sh/t", 2, Props.none(), "b"));
        pub.expect(PubAck.class);
        assertThat(nextPublish(q0).qos()).isEqualTo(QoS.AT_MOST_ONCE);
        assertThat(nextPublish(q1).qos()).isEqualTo(QoS.AT_LEAST_ONCE);
    }

    @Test
    @DisplayName("retained messages are not sent for a new shared subscription")
    void noRetained() throws IOException {
        connect5("pub").raw().send(V5Packets.publish(0x01, "sh/t", 0, Props.none(), "kept"));
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> broker().broker().retainedCount() == 1);
        MqttTestClient m = connect5("m");
        subscribe5(m, 1, Props.none(), FENCE, 0, 0);
        subscribe5(m, 2, Props.none(), "$share/g/sh/#", 0, 0);
        assertNextPublishIsFence5(m, m);
    }

    @Test
    @DisplayName("a QoS 1 message in flight to a member that disconnects goes to another member at once")
    void qos1RedeliveredToAnotherMember() throws IOException {
        MqttTestClient a = member("a", "$share/g/sh/t", 1);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x02, "sh/t", 1, Props.none(), "in flight"));
        pub.expect(PubAck.class);
        assertThat(MqttTestClient.text(nextPublish(a))).isEqualTo("in flight");
        MqttTestClient b = member("b", "$share/g/sh/t", 1);
        a.close(); // without PUBACK
        Publish p = nextPublish(b);
        assertThat(MqttTestClient.text(p)).isEqualTo("in flight");
    }

    @Test
    @DisplayName("[MQTT-4.8.2-4] [MQTT-4.8.2-5] a QoS 2 message in flight to a member that disconnects is "
            + "completed with that member when it reconnects, not given to another")
    void qos2StaysWithMember() throws IOException {
        MqttTestClient a = open5();
        connAck(a, V5Packets.connect("a", CLEAN_START, 60, Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 60)));
        subscribe5(a, 1, Props.none(), "$share/g/sh/t", 2, 2);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x04, "sh/t", 1, Props.none(), "exactly once"));
        pub.expect(dev.tern.codec.packet.PubRec.class);
        assertThat(MqttTestClient.text(nextPublish(a))).isEqualTo("exactly once");
        MqttTestClient b = member("b", "$share/g/sh/t", 2);
        a.close();
        assertThat(b.raw().staysSilent(Duration.ofMillis(300))).isTrue();
        MqttTestClient again = open5();
        connAck(again, V5Packets.connect("a", 0, 60, Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 60)));
        Publish p = nextPublish(again);
        assertThat(p.dup()).isTrue();
        assertThat(MqttTestClient.text(p)).isEqualTo("exactly once");
    }

    @Test
    @DisplayName("[MQTT-4.8.2-6] a message a member rejects with PUBACK 0x80 or above is not offered to another")
    void rejectedNotRedelivered() throws IOException {
        MqttTestClient a = member("a", "$share/g/sh/t", 1);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x02, "sh/t", 1, Props.none(), "refused"));
        pub.expect(PubAck.class);
        Publish p = nextPublish(a);
        MqttTestClient b = member("b", "$share/g/sh/t", 1);
        a.raw().send(V5Packets.ack(0x40, p.packetId(), ReasonCodes.UNSPECIFIED_ERROR));
        assertAlive(a);
        a.close();
        assertThat(b.raw().staysSilent(Duration.ofMillis(300))).isTrue();
    }

    @Test
    @DisplayName("shared subscriptions also work for MQTT 3.1.1 clients")
    void mqtt311Members() throws IOException {
        MqttTestClient a = connect("a311");
        assertThat(a.subscribe("$share/g/sh/t", QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(0);
        MqttTestClient b = connect("b311");
        assertThat(b.subscribe("$share/g/sh/t", QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(0);
        MqttTestClient pub = connect5("pub");
        assertThat(distribute(pub, 4, a, b)).containsEntry("m0", 2).containsEntry("m1", 2);
        assertThat(a.version()).isEqualTo(MqttVersion.MQTT_3_1_1);
    }

    @Test
    @DisplayName("$SYS shared_subscriptions/count counts the members")
    void counted() throws IOException {
        member("a", "$share/g/x", 0);
        member("b", "$share/g/x", 0);
        member("c", "$share/h/x", 0);
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> brokerSharedCount() == 3);
    }

    private long brokerSharedCount() throws IOException {
        return broker().broker().sharedSubscriptionCount();
    }
}
