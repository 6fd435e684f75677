package dev.tern.broker.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** MQTT 3.1.1 section 2.3.1: packet identifiers. */
class Section2_3_PacketIdentifierTest extends SpecTestBase {

    static Stream<Arguments> packetsWithIdZero() {
        return Stream.of(
                Arguments.of("QoS 1 PUBLISH", Packets.publish(0x02, "id/t", 0, "x")),
                Arguments.of("QoS 2 PUBLISH", Packets.publish(0x04, "id/t", 0, "x")),
                Arguments.of("SUBSCRIBE", Packets.subscribe(0, "id/t", 1)),
                Arguments.of("UNSUBSCRIBE", Packets.unsubscribe(0, "id/t")));
    }

    @ParameterizedTest(name = "[MQTT-2.3.1-1] [MQTT-4.8.0-1] a {0} with packet identifier 0 closes the connection")
    @MethodSource("packetsWithIdZero")
    void packetIdZeroCloses(String what, byte[] packet) throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(packet);
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-2.3.1-1] [MQTT-2.3.1-4] messages in flight to a client have distinct non-zero packet ids")
    void serverPacketIdsUniqueWhileInFlight() throws IOException {
        MqttTestClient sub = subscriber("sub", "ids/#", QoS.EXACTLY_ONCE);
        MqttTestClient pub = connect("pub");
        for (int i = 0; i < 6; i++) {
            pub.publish("ids/" + i, "m" + i, i % 2 == 0 ? QoS.AT_LEAST_ONCE : QoS.EXACTLY_ONCE, false);
        }
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            Publish p = nextPublish(sub); // none acknowledged: all six are in flight together
            assertThat(p.packetId()).isBetween(1, 65_535);
            ids.add(p.packetId());
        }
        assertThat(ids).hasSize(6);
    }

    @Test
    @DisplayName("[MQTT-2.3.1-4] a packet id is reused only after its flow completed; until then new messages get "
            + "other ids")
    void packetIdFreedOnlyAfterAck() throws IOException {
        MqttTestClient sub = subscriber("sub", "reuse/t", QoS.EXACTLY_ONCE);
        MqttTestClient pub = connect("pub");
        pub.publish("reuse/t", "first", QoS.EXACTLY_ONCE, false);
        int first = nextPublish(sub).packetId();
        sub.raw().send(Packets.pubrec(first));
        assertNextBytes(sub, Bytes.of(0x62, 0x02, first >> 8, first & 0xFF));
        // PUBREL outstanding: the id is still in use.
        pub.publish("reuse/t", "second", QoS.AT_LEAST_ONCE, false);
        int second = nextPublish(sub).packetId();
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    @DisplayName("[MQTT-2.3.1-5] a QoS 0 PUBLISH from the server carries no packet identifier")
    void qos0HasNoPacketId() throws IOException {
        MqttTestClient sub = subscriber("sub", "noid/t", QoS.AT_MOST_ONCE);
        connect("pub").publish("noid/t", "p", QoS.EXACTLY_ONCE, false);
        // 0x30, remaining length 9 = 2 + 6 (topic) + 1 (payload): no room for a packet id.
        assertNextBytes(sub, Bytes.of(0x30, 0x09, 0x00, 0x06, 'n', 'o', 'i', 'd', '/', 't', 'p'));
    }

    @Test
    @DisplayName("[MQTT-2.3.1-6] PUBACK and PUBREC carry the packet id of the PUBLISH, PUBCOMP that of the PUBREL")
    void acksCarryPublishId() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.publish(0x02, "ack/t", 0x0102, "x"));
        assertNextBytes(c, Bytes.of(0x40, 0x02, 0x01, 0x02));
        c.raw().send(Packets.publish(0x04, "ack/t", 0xFFFF, "x"));
        assertNextBytes(c, Bytes.of(0x50, 0x02, 0xFF, 0xFF));
        c.raw().send(Packets.pubrel(0xFFFF));
        assertNextBytes(c, Bytes.of(0x70, 0x02, 0xFF, 0xFF));
    }

    @Test
    @DisplayName("[MQTT-2.3.1-6] the server's PUBREL carries the packet id of its PUBLISH")
    void serverPubRelCarriesPublishId() throws IOException {
        MqttTestClient sub = subscriber("sub", "rel/t", QoS.EXACTLY_ONCE);
        connect("pub").publish("rel/t", "x", QoS.EXACTLY_ONCE, false);
        int id = nextPublish(sub).packetId();
        sub.raw().send(Packets.pubrec(id));
        assertNextBytes(sub, Bytes.of(0x62, 0x02, id >> 8, id & 0xFF));
        sub.raw().send(Packets.pubcomp(id));
        assertAlive(sub);
    }

    @Test
    @DisplayName("[MQTT-2.3.1-7] SUBACK and UNSUBACK carry the packet id of the SUBSCRIBE and UNSUBSCRIBE")
    void subAckAndUnsubAckCarryIds() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.subscribe(0xBEEF, "x/y", 1));
        assertNextBytes(c, Bytes.of(0x90, 0x03, 0xBE, 0xEF, 0x01));
        c.raw().send(Packets.unsubscribe(0x0001, "x/y"));
        assertNextBytes(c, Bytes.of(0xB0, 0x02, 0x00, 0x01));
    }
}
