package dev.tern.broker.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * MQTT 3.1.1 section 4.4: message delivery retry. On reconnect with clean session 0 the server re-sends
 * unacknowledged PUBLISH packets (DUP 1) and PUBREL packets with their original packet ids.
 */
class Section4_4_RedeliveryTest extends SpecTestBase {

    /** A persistent subscriber to "redo/#" and the fence topic. */
    private MqttTestClient persistentSubscriber(String clientId) throws IOException {
        MqttTestClient sub = connectPersistent(clientId, false);
        sub.subscribe(FENCE, QoS.AT_MOST_ONCE);
        sub.subscribe("redo/#", QoS.EXACTLY_ONCE);
        return sub;
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] [MQTT-3.3.1-1] an unacknowledged QoS 1 PUBLISH is re-sent on reconnect with DUP 1 "
            + "and its packet id")
    void qos1Resent() throws IOException {
        MqttTestClient sub = persistentSubscriber("sub");
        connect("pub").publish("redo/1", "again", QoS.AT_LEAST_ONCE, false);
        byte[] first = next(sub);
        assertThat(first[0] & 0xFF).isEqualTo(0x32);
        sub.close();
        MqttTestClient again = open();
        again.raw().send(Packets.connect("sub", 0, 60));
        assertNextBytes(again, Bytes.of(0x20, 0x02, 0x01, 0x00));
        byte[] resent = next(again);
        byte[] expected = first.clone();
        expected[0] = (byte) 0x3A; // the same packet with DUP set
        assertThat(Bytes.hex(resent)).isEqualTo(Bytes.hex(expected));
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] [MQTT-3.3.1-1] a QoS 2 PUBLISH without PUBREC is re-sent on reconnect with DUP 1 and "
            + "its packet id, and the flow then completes")
    void qos2PublishResent() throws IOException {
        MqttTestClient sub = persistentSubscriber("sub");
        MqttTestClient pub = connect("pub");
        pub.publish("redo/2", "again", QoS.EXACTLY_ONCE, false);
        byte[] first = next(sub);
        assertThat(first[0] & 0xFF).isEqualTo(0x34);
        sub.close();
        MqttTestClient again = connectPersistent("sub", true);
        byte[] resent = next(again);
        byte[] expected = first.clone();
        expected[0] = (byte) 0x3C;
        assertThat(Bytes.hex(resent)).isEqualTo(Bytes.hex(expected));
        int id = (resent[8] & 0xFF) << 8 | resent[9] & 0xFF; // 0x3C, length, 00 06 "redo/2", id
        again.raw().send(Packets.pubrec(id));
        assertNextBytes(again, Bytes.of(0x62, 0x02, id >> 8, id & 0xFF));
        again.raw().send(Packets.pubcomp(id));
        assertNextPublishIsFence(again, pub);
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] a PUBREL not yet completed is re-sent on reconnect with its packet id")
    void pubRelResent() throws IOException {
        MqttTestClient sub = persistentSubscriber("sub");
        MqttTestClient pub = connect("pub");
        pub.publish("redo/rel", "x", QoS.EXACTLY_ONCE, false);
        int id = nextPublish(sub).packetId();
        sub.raw().send(Packets.pubrec(id));
        assertNextBytes(sub, Bytes.of(0x62, 0x02, id >> 8, id & 0xFF));
        sub.close();
        MqttTestClient again = connectPersistent("sub", true);
        assertNextBytes(again, Bytes.of(0x62, 0x02, id >> 8, id & 0xFF));
        again.raw().send(Packets.pubcomp(id));
        assertNextPublishIsFence(again, pub);
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] [MQTT-4.6.0-1] unacknowledged QoS 1 and QoS 2 messages and PUBRELs are re-sent in "
            + "their original order with their original packet ids")
    void resentInOriginalOrder() throws IOException {
        MqttTestClient sub = persistentSubscriber("sub");
        MqttTestClient pub = connect("pub");
        for (int i = 0; i < 6; i++) {
            pub.publish("redo/order", "m" + i, i % 2 == 0 ? QoS.AT_LEAST_ONCE : QoS.EXACTLY_ONCE, false);
        }
        List<Publish> original = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            original.add(nextPublish(sub));
        }
        // m1 moves on to PUBREL; everything else stays unacknowledged.
        sub.raw().send(Packets.pubrec(original.get(1).packetId()));
        assertNextBytes(sub, Bytes.of(0x62, 0x02, original.get(1).packetId() >> 8,
                original.get(1).packetId() & 0xFF));
        sub.close();
        MqttTestClient again = connectPersistent("sub", true);
        List<String> resent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            MqttPacket p = again.receive(WAIT);
            if (p instanceof PubRel rel) {
                resent.add("PUBREL " + rel.packetId());
            } else {
                Publish pp = (Publish) p;
                assertThat(pp.dup()).as("DUP of re-sent %s", MqttTestClient.text(pp)).isTrue();
                resent.add(MqttTestClient.text(pp) + " " + pp.packetId());
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Publish o = original.get(i);
            expected.add(i == 1 ? "PUBREL " + o.packetId() : MqttTestClient.text(o) + " " + o.packetId());
        }
        assertThat(resent).containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] acknowledged messages are not re-sent; a second reconnect re-sends nothing")
    void nothingResentOnceAcknowledged() throws IOException {
        MqttTestClient sub = persistentSubscriber("sub");
        MqttTestClient pub = connect("pub");
        pub.publish("redo/done", "one", QoS.AT_LEAST_ONCE, false);
        assertThat(nextPublish(sub).dup()).isFalse(); // in flight on the first connection
        sub.close();
        MqttTestClient again = connectPersistent("sub", true);
        Publish p = nextPublish(again);
        assertThat(p.dup()).isTrue();
        again.raw().send(Packets.puback(p.packetId()));
        assertAlive(again);
        again.close();
        MqttTestClient third = connectPersistent("sub", true);
        assertNextPublishIsFence(third, pub);
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] [MQTT-3.1.2-6] reconnecting with clean session 1 drops unacknowledged messages")
    void cleanSessionDropsUnacknowledged() throws IOException {
        MqttTestClient sub = persistentSubscriber("sub");
        MqttTestClient pub = connect("pub");
        pub.publish("redo/clean", "dropped", QoS.AT_LEAST_ONCE, false);
        nextPublish(sub);
        sub.close();
        MqttTestClient clean = subscriber("sub", FENCE, QoS.AT_MOST_ONCE);
        assertNextPublishIsFence(clean, pub);
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] [MQTT-4.3.3-2] the server accepts a client's re-sent PUBLISH and PUBREL after "
            + "reconnect and delivers the message once")
    void clientRedeliveryAccepted() throws IOException {
        MqttTestClient sub = subscriber("sub", "redo/in", QoS.AT_MOST_ONCE);
        MqttTestClient pub = connectPersistent("pub", false);
        pub.raw().send(Packets.publish(0x04, "redo/in", 17, "once"));
        assertNextBytes(pub, Bytes.of(0x50, 0x02, 0x00, 17));
        pub.close();
        MqttTestClient pub2 = connectPersistent("pub", true);
        pub2.raw().send(Packets.publish(0x0C, "redo/in", 17, "once"));
        assertNextBytes(pub2, Bytes.of(0x50, 0x02, 0x00, 17));
        pub2.raw().send(Packets.pubrel(17));
        assertNextBytes(pub2, Bytes.of(0x70, 0x02, 0x00, 17));
        assertPublish(nextPublish(sub), "redo/in", "once", QoS.AT_MOST_ONCE, false);
        assertNextPublishIsFence(sub, pub2);
    }
}
