package dev.tern.broker.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** MQTT 3.1.1 section 4.1: what the server keeps as session state, and for how long. */
class Section4_1_SessionStateTest extends SpecTestBase {

    @Test
    @DisplayName("[MQTT-4.1.0-1] subscriptions are kept with their granted QoS across connections of a session")
    void subscriptionsWithQosKept() throws IOException {
        MqttTestClient first = connectPersistent("state", false);
        first.subscribe("state/q1", QoS.AT_LEAST_ONCE);
        first.subscribe("state/q0", QoS.AT_MOST_ONCE);
        first.close();
        MqttTestClient again = connectPersistent("state", true);
        MqttTestClient pub = connect("pub");
        pub.publish("state/q1", "a", QoS.EXACTLY_ONCE, false);
        pub.publish("state/q0", "b", QoS.EXACTLY_ONCE, false);
        assertPublish(nextPublish(again), "state/q1", "a", QoS.AT_LEAST_ONCE, false);
        assertPublish(nextPublish(again), "state/q0", "b", QoS.AT_MOST_ONCE, false);
    }

    @Test
    @DisplayName("[MQTT-4.1.0-1] [MQTT-3.1.2-5] messages queued for an offline session are kept until it reconnects, "
            + "also across several publishers and topics")
    void queuedMessagesKept() throws IOException {
        MqttTestClient first = connectPersistent("queue", false);
        first.subscribe("queue/#", QoS.EXACTLY_ONCE);
        first.disconnect();
        awaitSessionCount(1);
        MqttTestClient p1 = connect("p1");
        MqttTestClient p2 = connect("p2");
        for (int i = 0; i < 5; i++) {
            p1.publish("queue/a", "a" + i, QoS.AT_LEAST_ONCE, false);
            p2.publish("queue/b", "b" + i, QoS.EXACTLY_ONCE, false);
        }
        MqttTestClient again = connectPersistent("queue", true);
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Publish p = nextPublish(again);
            (p.topic().equals("queue/a") ? a : b).add(MqttTestClient.text(p));
        }
        assertThat(a).containsExactly("a0", "a1", "a2", "a3", "a4");
        assertThat(b).containsExactly("b0", "b1", "b2", "b3", "b4");
    }

    @Test
    @DisplayName("[MQTT-4.1.0-1] the packet ids of inbound QoS 2 messages awaiting PUBREL are session state: a "
            + "re-sent PUBLISH after reconnect is not delivered again")
    void inboundQos2StateKept() throws IOException {
        MqttTestClient sub = subscriber("sub", "state/in", QoS.AT_MOST_ONCE);
        MqttTestClient pub = connectPersistent("pub", false);
        pub.raw().send(Packets.publish(0x04, "state/in", 33, "exactly once"));
        assertNextBytes(pub, Bytes.of(0x50, 0x02, 0x00, 33));
        pub.close();
        MqttTestClient again = connectPersistent("pub", true);
        again.raw().send(Packets.publish(0x0C, "state/in", 33, "exactly once"));
        assertNextBytes(again, Bytes.of(0x50, 0x02, 0x00, 33));
        again.raw().send(Packets.pubrel(33));
        assertNextBytes(again, Bytes.of(0x70, 0x02, 0x00, 33));
        assertPublish(nextPublish(sub), "state/in", "exactly once", QoS.AT_MOST_ONCE, false);
        assertNextPublishIsFence(sub, again);
    }

    @Test
    @DisplayName("[MQTT-4.1.0-2] a clean session lasts as long as its connection: it keeps working while connected "
            + "and is gone afterwards")
    void cleanSessionLastsAsLongAsConnection() throws IOException {
        MqttTestClient sub = subscriber("sub", "life/t", QoS.AT_LEAST_ONCE);
        MqttTestClient pub = connect("pub");
        for (int i = 0; i < 50; i++) {
            pub.publish("life/t", "m" + i, QoS.AT_MOST_ONCE, false);
            assertPublish(nextPublish(sub), "life/t", "m" + i, QoS.AT_MOST_ONCE, false);
        }
        sub.disconnect();
        awaitSessionCount(1);
        MqttTestClient back = connectPersistent("sub", false);
        back.subscribe(FENCE, QoS.AT_MOST_ONCE);
        pub.publish("life/t", "after the session ended", QoS.AT_LEAST_ONCE, false);
        assertNextPublishIsFence(back, pub);
    }
}
