package dev.tern.broker.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** MQTT 3.1.1 section 4.3: the QoS 0, 1 and 2 delivery protocols, with the server as sender and receiver. */
class Section4_3_QosDeliveryTest extends SpecTestBase {

    // ---- 4.3.1 QoS 0 -----------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-4.3.1-1] as sender of QoS 0 the server sends PUBLISH with QoS 0 and DUP 0, once")
    void qos0Sender() throws IOException {
        MqttTestClient sub = subscriber("sub", "q0", QoS.AT_MOST_ONCE);
        MqttTestClient pub = connect("pub");
        pub.publish("q0", "at most once", QoS.AT_LEAST_ONCE, false);
        assertNextBytes(sub, Bytes.packet(0x30).utf8("q0").payload("at most once").build());
        assertNextPublishIsFence(sub, pub);
    }

    // ---- 4.3.2 QoS 1 -----------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-4.3.2-1] as sender of QoS 1 the server sends PUBLISH with QoS 1, DUP 0 and a packet id")
    void qos1SenderPublish() throws IOException {
        MqttTestClient sub = subscriber("sub", "q1", QoS.AT_LEAST_ONCE);
        connect("pub").publish("q1", "at least once", QoS.AT_LEAST_ONCE, false);
        byte[] raw = next(sub);
        assertThat(raw[0] & 0xFF).as("first byte: PUBLISH, DUP 0, QoS 1, RETAIN 0").isEqualTo(0x32);
        int id = (raw[6] & 0xFF) << 8 | raw[7] & 0xFF; // after 0x32, length, 00 02 'q' '1'
        assertThat(id).isNotZero();
    }

    @Test
    @DisplayName("[MQTT-4.3.2-1] [MQTT-4.4.0-1] the server treats a QoS 1 PUBLISH as unacknowledged until PUBACK: only "
            + "unacknowledged ones are sent again")
    void qos1UnacknowledgedUntilPubAck() throws IOException {
        MqttTestClient sub = connectPersistent("sub", false);
        sub.subscribe(FENCE, QoS.AT_MOST_ONCE);
        sub.subscribe("q1/ack", QoS.AT_LEAST_ONCE);
        MqttTestClient pub = connect("pub");
        pub.publish("q1/ack", "acknowledged", QoS.AT_LEAST_ONCE, false);
        pub.publish("q1/ack", "not acknowledged", QoS.AT_LEAST_ONCE, false);
        Publish acked = nextPublish(sub);
        Publish open = nextPublish(sub);
        sub.raw().send(Packets.puback(acked.packetId()));
        assertAlive(sub); // the PUBACK was processed before the connection is dropped
        sub.close();
        MqttTestClient again = connectPersistent("sub", true);
        Publish resent = nextPublish(again);
        assertPublish(resent, "q1/ack", "not acknowledged", QoS.AT_LEAST_ONCE, false);
        assertThat(resent.packetId()).isEqualTo(open.packetId());
        assertThat(resent.dup()).isTrue();
        again.raw().send(Packets.puback(resent.packetId()));
        assertNextPublishIsFence(again, pub);
    }

    @Test
    @DisplayName("[MQTT-4.3.2-2] as receiver of QoS 1 the server answers PUBACK with the packet id and treats a "
            + "later PUBLISH with that id as a new message")
    void qos1Receiver() throws IOException {
        MqttTestClient sub = subscriber("sub", "q1/in", QoS.AT_LEAST_ONCE);
        MqttTestClient pub = connect("pub");
        pub.raw().send(Packets.publish(0x02, "q1/in", 42, "first"));
        assertNextBytes(pub, Bytes.of(0x40, 0x02, 0x00, 42));
        pub.raw().send(Packets.publish(0x0A, "q1/in", 42, "same id, DUP 1"));
        assertNextBytes(pub, Bytes.of(0x40, 0x02, 0x00, 42));
        assertPublish(nextPublish(sub), "q1/in", "first", QoS.AT_LEAST_ONCE, false);
        assertPublish(nextPublish(sub), "q1/in", "same id, DUP 1", QoS.AT_LEAST_ONCE, false);
    }

    // ---- 4.3.3 QoS 2 -----------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-4.3.3-1] as sender of QoS 2 the server sends PUBLISH (QoS 2, DUP 0), answers PUBREC with "
            + "PUBREL of the same id and completes on PUBCOMP")
    void qos2Sender() throws IOException {
        MqttTestClient sub = subscriber("sub", "q2", QoS.EXACTLY_ONCE);
        MqttTestClient pub = connect("pub");
        pub.publish("q2", "exactly once", QoS.EXACTLY_ONCE, false);
        byte[] raw = next(sub);
        assertThat(raw[0] & 0xFF).as("first byte: PUBLISH, DUP 0, QoS 2, RETAIN 0").isEqualTo(0x34);
        int id = (raw[6] & 0xFF) << 8 | raw[7] & 0xFF;
        assertThat(id).isNotZero();
        sub.raw().send(Packets.pubrec(id));
        assertNextBytes(sub, Bytes.of(0x62, 0x02, id >> 8, id & 0xFF));
        sub.raw().send(Packets.pubcomp(id));
        assertNextPublishIsFence(sub, pub);
    }

    @Test
    @DisplayName("[MQTT-4.3.3-1] [MQTT-4.4.0-1] after sending PUBREL the server does not send the PUBLISH again, only "
            + "the PUBREL")
    void qos2NoPublishAfterPubRel() throws IOException {
        MqttTestClient sub = connectPersistent("sub", false);
        sub.subscribe(FENCE, QoS.AT_MOST_ONCE);
        sub.subscribe("q2/rel", QoS.EXACTLY_ONCE);
        MqttTestClient pub = connect("pub");
        pub.publish("q2/rel", "released", QoS.EXACTLY_ONCE, false);
        int id = nextPublish(sub).packetId();
        sub.raw().send(Packets.pubrec(id));
        assertNextBytes(sub, Bytes.of(0x62, 0x02, id >> 8, id & 0xFF));
        sub.close();
        MqttTestClient again = open();
        again.raw().send(Packets.connect("sub", 0, 60));
        assertNextBytes(again, Bytes.of(0x20, 0x02, 0x01, 0x00));
        assertNextBytes(again, Bytes.of(0x62, 0x02, id >> 8, id & 0xFF));
        again.raw().send(Packets.pubcomp(id));
        assertNextPublishIsFence(again, pub);
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] as receiver of QoS 2 the server answers PUBREC, acknowledges a re-sent PUBLISH again "
            + "without delivering it twice, and answers PUBREL with PUBCOMP")
    void qos2ReceiverNoDuplicates() throws IOException {
        MqttTestClient sub = subscriber("sub", "q2/in", QoS.EXACTLY_ONCE);
        MqttTestClient pub = connect("pub");
        pub.raw().send(Packets.publish(0x04, "q2/in", 9, "once"));
        assertNextBytes(pub, Bytes.of(0x50, 0x02, 0x00, 9));
        for (int i = 0; i < 3; i++) {
            pub.raw().send(Packets.publish(0x0C, "q2/in", 9, "once"));
            assertNextBytes(pub, Bytes.of(0x50, 0x02, 0x00, 9));
        }
        pub.raw().send(Packets.pubrel(9));
        assertNextBytes(pub, Bytes.of(0x70, 0x02, 0x00, 9));
        Publish p = nextPublish(sub);
        assertPublish(p, "q2/in", "once", QoS.EXACTLY_ONCE, false);
        sub.raw().send(Packets.pubrec(p.packetId()));
        assertNextBytes(sub, Bytes.of(0x62, 0x02, p.packetId() >> 8, p.packetId() & 0xFF));
        sub.raw().send(Packets.pubcomp(p.packetId()));
        assertNextPublishIsFence(sub, pub);
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] after PUBCOMP, a PUBLISH with the same packet id is a new message")
    void qos2IdReusableAfterPubComp() throws IOException {
        MqttTestClient sub = subscriber("sub", "q2/reuse", QoS.AT_MOST_ONCE);
        MqttTestClient pub = connect("pub");
        for (String payload : new String[] {"first", "second"}) {
            pub.raw().send(Packets.publish(0x04, "q2/reuse", 300, payload));
            assertNextBytes(pub, Bytes.of(0x50, 0x02, 0x01, 0x2C));
            pub.raw().send(Packets.pubrel(300));
            assertNextBytes(pub, Bytes.of(0x70, 0x02, 0x01, 0x2C));
        }
        assertPublish(nextPublish(sub), "q2/reuse", "first", QoS.AT_MOST_ONCE, false);
        assertPublish(nextPublish(sub), "q2/reuse", "second", QoS.AT_MOST_ONCE, false);
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] concurrent QoS 2 flows with different packet ids are independent")
    void qos2InterleavedFlows() throws IOException {
        MqttTestClient sub = subscriber("sub", "q2/many", QoS.AT_MOST_ONCE);
        MqttTestClient pub = connect("pub");
        pub.raw().send(Bytes.concat(Packets.publish(0x04, "q2/many", 1, "a"), Packets.publish(0x04, "q2/many", 2, "b")));
        assertNextBytes(pub, Bytes.of(0x50, 0x02, 0x00, 1));
        assertNextBytes(pub, Bytes.of(0x50, 0x02, 0x00, 2));
        pub.raw().send(Bytes.concat(Packets.pubrel(2), Packets.publish(0x0C, "q2/many", 1, "a")));
        assertNextBytes(pub, Bytes.of(0x70, 0x02, 0x00, 2));
        assertNextBytes(pub, Bytes.of(0x50, 0x02, 0x00, 1));
        pub.raw().send(Bytes.concat(Packets.publish(0x04, "q2/many", 2, "c"), Packets.pubrel(1)));
        assertNextBytes(pub, Bytes.of(0x50, 0x02, 0x00, 2));
        assertNextBytes(pub, Bytes.of(0x70, 0x02, 0x00, 1));
        pub.raw().send(Packets.pubrel(2));
        assertNextBytes(pub, Bytes.of(0x70, 0x02, 0x00, 2));
        // Delivery happens on PUBLISH or on PUBREL depending on the receiver's method; each message once.
        assertThat(List.of(MqttTestClient.text(nextPublish(sub)), MqttTestClient.text(nextPublish(sub)),
                MqttTestClient.text(nextPublish(sub)))).containsExactlyInAnyOrder("a", "b", "c");
        assertNextPublishIsFence(sub, pub);
    }
}
