package dev.tern.broker.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT 3.1.1 section 4.6: message ordering. Topics are ordered by default; the server follows the
 * ordering rules of 4.6 (acknowledgements in order) when it receives and when it delivers.
 */
class Section4_6_OrderingTest extends SpecTestBase {
    private static final int MESSAGES = 100;

    @ParameterizedTest(name = "[MQTT-4.6.0-5] [MQTT-4.6.0-6] QoS {0} messages from one publisher reach a subscriber "
            + "in the order they were published")
    @ValueSource(ints = {0, 1, 2})
    void orderedPerTopicAndQos(int qos) throws IOException {
        MqttTestClient sub = subscriber("sub", "order/t", QoS.EXACTLY_ONCE);
        MqttTestClient pub = connect("pub");
        if (qos < 2) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < MESSAGES; i++) {
                burst.writeBytes(Packets.publish(qos << 1, "order/t", i + 1, "m" + i));
            }
            pub.raw().send(burst.toByteArray());
        } else {
            for (int i = 0; i < MESSAGES; i++) { // a receiver may deliver QoS 2 only on PUBREL (method A)
                pub.publish("order/t", "m" + i, QoS.EXACTLY_ONCE, false);
            }
        }
        for (int i = 0; i < MESSAGES; i++) {
            Publish p = receive(sub);
            assertThat(MqttTestClient.text(p)).isEqualTo("m" + i);
            acknowledge(sub, p);
        }
    }

    @Test
    @DisplayName("[MQTT-4.6.0-6] every subscriber receives each publisher's messages in order, whatever the "
            + "interleaving of publishers")
    void orderedForEverySubscriberAndPublisher() throws IOException {
        MqttTestClient s1 = subscriber("s1", "order/multi", QoS.AT_LEAST_ONCE);
        MqttTestClient s2 = subscriber("s2", "order/+", QoS.AT_LEAST_ONCE);
        MqttTestClient p1 = connect("p1");
        MqttTestClient p2 = connect("p2");
        ByteArrayOutputStream b1 = new ByteArrayOutputStream();
        ByteArrayOutputStream b2 = new ByteArrayOutputStream();
        for (int i = 0; i < 50; i++) {
            b1.writeBytes(Packets.publish(0x02, "order/multi", i + 1, "p1-" + i));
            b2.writeBytes(Packets.publish(0x02, "order/multi", i + 1, "p2-" + i));
        }
        p1.raw().send(b1.toByteArray());
        p2.raw().send(b2.toByteArray());
        for (MqttTestClient s : List.of(s1, s2)) {
            int next1 = 0;
            int next2 = 0;
            for (int i = 0; i < 100; i++) {
                Publish p = receive(s);
                String text = MqttTestClient.text(p);
                if (text.startsWith("p1-")) {
                    assertThat(text).isEqualTo("p1-" + next1++);
                } else {
                    assertThat(text).isEqualTo("p2-" + next2++);
                }
                acknowledge(s, p);
            }
        }
    }

    @Test
    @DisplayName("[MQTT-4.6.0-2] the server sends PUBACKs in the order it received the QoS 1 PUBLISH packets")
    void pubAcksInOrder() throws IOException {
        MqttTestClient pub = connect("pub");
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        for (int i = 0; i < 30; i++) {
            burst.writeBytes(Packets.publish(0x02, "acks/t", 1000 - i, "m"));
        }
        pub.raw().send(burst.toByteArray());
        for (int i = 0; i < 30; i++) {
            int id = 1000 - i;
            assertNextBytes(pub, Bytes.of(0x40, 0x02, id >> 8, id & 0xFF));
        }
    }

    @Test
    @DisplayName("[MQTT-4.6.0-3] the server sends PUBRECs in the order it received the QoS 2 PUBLISH packets")
    void pubRecsInOrder() throws IOException {
        MqttTestClient pub = connect("pub");
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        for (int i = 0; i < 30; i++) {
            burst.writeBytes(Packets.publish(0x04, "recs/t", 2000 + 7 * i, "m"));
        }
        pub.raw().send(burst.toByteArray());
        for (int i = 0; i < 30; i++) {
            int id = 2000 + 7 * i;
            assertNextBytes(pub, Bytes.of(0x50, 0x02, id >> 8, id & 0xFF));
        }
    }

    @Test
    @DisplayName("[MQTT-4.6.0-4] the server sends PUBRELs in the order it received the PUBRECs")
    void pubRelsInOrderOfPubRecs() throws IOException {
        MqttTestClient sub = subscriber("sub", "rels/t", QoS.EXACTLY_ONCE);
        MqttTestClient pub = connect("pub");
        for (int i = 0; i < 5; i++) {
            pub.publish("rels/t", "m" + i, QoS.EXACTLY_ONCE, false);
        }
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(nextPublish(sub).packetId());
        }
        int[] order = {3, 0, 4, 2, 1};
        ByteArrayOutputStream recs = new ByteArrayOutputStream();
        for (int i : order) {
            recs.writeBytes(Packets.pubrec(ids.get(i)));
        }
        sub.raw().send(recs.toByteArray());
        for (int i : order) {
            int id = ids.get(i);
            assertNextBytes(sub, Bytes.of(0x62, 0x02, id >> 8, id & 0xFF));
        }
    }

    @Test
    @DisplayName("[MQTT-4.6.0-1] [MQTT-4.6.0-6] messages queued for an offline session are delivered in publish order")
    void queuedInOrder() throws IOException {
        MqttTestClient first = connectPersistent("sub", false);
        first.subscribe("queued/t", QoS.EXACTLY_ONCE);
        first.disconnect();
        awaitSessionCount(1);
        MqttTestClient pub = connect("pub");
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        for (int i = 0; i < 50; i++) {
            burst.writeBytes(Packets.publish(0x02, "queued/t", i + 1, "m" + i));
        }
        pub.raw().send(burst.toByteArray());
        for (int i = 0; i < 50; i++) {
            assertNextBytes(pub, Bytes.of(0x40, 0x02, 0x00, i + 1));
        }
        MqttTestClient again = connectPersistent("sub", true);
        for (int i = 0; i < 50; i++) {
            Publish p = receive(again);
            assertThat(MqttTestClient.text(p)).isEqualTo("m" + i);
            acknowledge(again, p);
        }
    }

    /** Acknowledges a delivered message: PUBACK for QoS 1, PUBREC for QoS 2 (PUBREL is handled by {@link #receive}). */
    private static void acknowledge(MqttTestClient sub, Publish p) throws IOException {
        switch (p.qos()) {
            case AT_MOST_ONCE -> { }
            case AT_LEAST_ONCE -> sub.raw().send(Packets.puback(p.packetId()));
            case EXACTLY_ONCE -> sub.raw().send(Packets.pubrec(p.packetId()));
        }
    }

    /** The next PUBLISH; PUBRELs that arrive in between are answered with PUBCOMP. */
    private static Publish receive(MqttTestClient sub) throws IOException {
        while (true) {
            MqttPacket p = sub.receive(WAIT); // throws on timeout, so the loop ends
            if (p instanceof PubRel rel) {
                sub.raw().send(Packets.pubcomp(rel.packetId()));
                continue;
            }
            assertThat(p).isInstanceOf(Publish.class);
            return (Publish) p;
        }
    }
}
