package dev.tern.broker.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 3.1.1 sections 3.10 and 3.11: UNSUBSCRIBE and UNSUBACK. */
class Section3_10_UnsubscribeTest extends SpecTestBase {

    @ParameterizedTest(name = "[MQTT-3.10.1-1] [MQTT-2.2.2-2] an UNSUBSCRIBE with first byte 0x{0} is malformed and "
            + "closes the connection")
    @ValueSource(strings = {"a0", "a1", "a3", "a8"})
    void wrongFlagsClose(String firstByteHex) throws IOException {
        MqttTestClient c = connect("c");
        byte[] packet = Packets.unsubscribe(1, "a/b");
        packet[0] = (byte) Integer.parseInt(firstByteHex, 16);
        c.raw().send(packet);
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.10.3-1] [MQTT-1.5.3-1] an UNSUBSCRIBE filter that is not well-formed UTF-8 closes the "
            + "connection")
    void filterNotUtf8() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.packet(0xA2).u16(1).string(Bytes.of(0xF8, 0x88, 0x80, 0x80, 0x80)).build());
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.10.3-2] an UNSUBSCRIBE without any topic filter is a protocol violation and closes the "
            + "connection")
    void emptyUnsubscribeCloses() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.packet(0xA2).u16(1).build());
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.10.4-1] filters are compared character by character: only the identical filter is removed")
    void exactFilterComparison() throws IOException {
        MqttTestClient sub = subscriber("sub", "un/+", QoS.AT_LEAST_ONCE);
        MqttTestClient pub = connect("pub");
        sub.unsubscribe("un/x"); // matches the topic, but is not the filter
        sub.unsubscribe("UN/+");
        sub.unsubscribe("un/#");
        pub.publish("un/x", "still subscribed", QoS.AT_LEAST_ONCE, false);
        Publish p = nextPublish(sub);
        assertPublish(p, "un/x", "still subscribed", QoS.AT_LEAST_ONCE, false);
        sub.raw().send(Packets.puback(p.packetId()));
        sub.unsubscribe("un/+");
        pub.publish("un/x", "after unsubscribe", QoS.AT_LEAST_ONCE, false);
        assertNextPublishIsFence(sub, pub);
    }

    @Test
    @DisplayName("[MQTT-3.10.4-2] after UNSUBACK no new messages are sent for the removed subscription")
    void deliveryStops() throws IOException {
        MqttTestClient sub = subscriber("sub", "stop/#", QoS.AT_MOST_ONCE);
        MqttTestClient pub = connect("pub");
        pub.publish("stop/a", "before", QoS.AT_MOST_ONCE, false);
        assertPublish(nextPublish(sub), "stop/a", "before", QoS.AT_MOST_ONCE, false);
        sub.unsubscribe("stop/#");
        pub.publish("stop/a", "after", QoS.AT_LEAST_ONCE, false);
        pub.publish("stop/a", "after, retained", QoS.AT_LEAST_ONCE, true);
        assertNextPublishIsFence(sub, pub);
    }

    @Test
    @DisplayName("[MQTT-3.10.4-3] QoS 1 and QoS 2 deliveries started before UNSUBSCRIBE are completed")
    void inFlightCompleted() throws IOException {
        MqttTestClient sub = subscriber("sub", "inflight/t", QoS.EXACTLY_ONCE);
        MqttTestClient pub = connect("pub");
        pub.publish("inflight/t", "qos1", QoS.AT_LEAST_ONCE, false);
        pub.publish("inflight/t", "qos2", QoS.EXACTLY_ONCE, false);
        Publish q1 = nextPublish(sub);
        Publish q2 = nextPublish(sub);
        sub.unsubscribe("inflight/t");
        sub.raw().send(Packets.puback(q1.packetId()));
        sub.raw().send(Packets.pubrec(q2.packetId()));
        assertNextBytes(sub, Bytes.of(0x62, 0x02, q2.packetId() >> 8, q2.packetId() & 0xFF));
        sub.raw().send(Packets.pubcomp(q2.packetId()));
        assertAlive(sub);
    }

    @Test
    @DisplayName("[MQTT-3.10.4-4] UNSUBSCRIBE is answered with UNSUBACK carrying the same packet id")
    void unsubAckSameId() throws IOException {
        MqttTestClient c = connect("c");
        c.subscribe("a/b", QoS.AT_LEAST_ONCE);
        c.raw().send(Packets.unsubscribe(0x7A7B, "a/b"));
        assertNextBytes(c, Bytes.of(0xB0, 0x02, 0x7A, 0x7B));
    }

    @Test
    @DisplayName("[MQTT-3.10.4-5] UNSUBACK is sent even if no subscription was removed")
    void unsubAckWithoutSubscription() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.unsubscribe(3, "never/subscribed", "#"));
        assertNextBytes(c, Bytes.of(0xB0, 0x02, 0x00, 0x03));
    }

    @Test
    @DisplayName("[MQTT-3.10.4-6] an UNSUBSCRIBE with several filters removes each and is answered by one UNSUBACK")
    void severalFiltersOneUnsubAck() throws IOException {
        MqttTestClient sub = subscriber("sub", "multi/a", QoS.AT_LEAST_ONCE);
        sub.subscribe("multi/b", QoS.AT_LEAST_ONCE);
        sub.subscribe("multi/c", QoS.AT_LEAST_ONCE);
        sub.raw().send(Bytes.concat(Packets.unsubscribe(12, "multi/a", "multi/b", "multi/none"), Packets.PINGREQ));
        assertNextBytes(sub, Bytes.of(0xB0, 0x02, 0x00, 12));
        assertNextBytes(sub, Packets.PINGRESP);
        MqttTestClient pub = connect("pub");
        pub.publish("multi/a", "removed", QoS.AT_LEAST_ONCE, false);
        pub.publish("multi/b", "removed", QoS.AT_LEAST_ONCE, false);
        pub.publish("multi/c", "kept", QoS.AT_LEAST_ONCE, false);
        Publish p = nextPublish(sub);
        assertThat(p.topic()).isEqualTo("multi/c");
        assertNextPublishIsFence(sub, pub);
    }
}
