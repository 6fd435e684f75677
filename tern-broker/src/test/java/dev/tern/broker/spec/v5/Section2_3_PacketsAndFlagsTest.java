package dev.tern.broker.spec.v5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.spec.Bytes;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.UnsubAck;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 5.0 sections 2.1 to 2.2 and the fixed headers of chapter 3: packet identifiers, flags, PING. */
class Section2_3_PacketsAndFlagsTest extends V5SpecTestBase {

    @Test
    @DisplayName("[MQTT-2.2.1-4] the broker's QoS 1 PUBLISHes in flight have distinct non-zero packet identifiers")
    void serverPacketIds() throws IOException {
        MqttTestClient sub = subscriber5("sub", "ids/#", 1);
        MqttTestClient pub = connect5("pub");
        for (int i = 0; i < 10; i++) {
            pub.raw().send(V5Packets.publish(0x02, "ids/a", i + 1, Props.none(), "m" + i));
        }
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            Publish p = nextPublish(sub);
            assertThat(p.packetId()).isNotZero();
            ids.add(p.packetId());
        }
        assertThat(ids).hasSize(10);
    }

    @Test
    @DisplayName("[MQTT-2.2.1-5] [MQTT-2.2.1-6] [MQTT-3.8.4-1] [MQTT-3.8.4-2] PUBACK, PUBREC, PUBCOMP, SUBACK and "
            + "UNSUBACK carry the packet identifier of the packet they answer")
    void acknowledgementsCarryIds() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.subscribe(321, Props.none(), "acks/#", 2));
        assertThat(c.expect(SubAck.class).packetId()).isEqualTo(321);
        c.raw().send(V5Packets.publish(0x02, "other/a", 4001, Props.none(), "x"));
        byte[] puback = next(c);
        assertThat(puback[0] & 0xFF).isEqualTo(0x40);
        assertThat(((puback[2] & 0xFF) << 8) | (puback[3] & 0xFF)).isEqualTo(4001);
        c.raw().send(V5Packets.publish(0x04, "other/b", 4002, Props.none(), "x"));
        byte[] pubrec = next(c);
        assertThat(((pubrec[2] & 0xFF) << 8) | (pubrec[3] & 0xFF)).isEqualTo(4002);
        c.raw().send(V5Packets.pubrel(4002));
        byte[] pubcomp = next(c);
        assertThat(pubcomp[0] & 0xFF).isEqualTo(0x70);
        assertThat(((pubcomp[2] & 0xFF) << 8) | (pubcomp[3] & 0xFF)).isEqualTo(4002);
        c.raw().send(V5Packets.unsubscribe(654, Props.none(), "acks/#"));
        assertThat(c.expect(UnsubAck.class).packetId()).isEqualTo(654);
    }

    @ParameterizedTest(name = "[MQTT-2.1.3-1] [MQTT-3.6.1-1] [MQTT-3.8.1-1] [MQTT-3.10.1-1] [MQTT-3.15.1-1] first byte "
            + "0x{0} (reserved flags wrong) is malformed: DISCONNECT 0x81")
    @ValueSource(strings = {"60", "63", "80", "83", "a0", "a3", "c1", "f2"})
    void reservedFlags(String firstByte) throws IOException {
        MqttTestClient c = connect5("c");
        int b = Integer.parseInt(firstByte, 16);
        byte[] body = switch (b >> 4) {
            case 0x6 -> Bytes.of(0x00, 0x01);                                   // PUBREL id 1
            case 0x8 -> Bytes.concat(Bytes.of(0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0x00)); // SUBSCRIBE
            case 0xA -> Bytes.of(0x00, 0x01, 0x00, 0x00, 0x01, 'a');            // UNSUBSCRIBE
            default -> new byte[0];
        };
        c.raw().send(Bytes.concat(Bytes.of(b), Bytes.remainingLength(body.length), body));
        assertDisconnect(c, ReasonCodes.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.12.4-1] PINGREQ is answered with PINGRESP")
    void ping() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.PINGREQ);
        assertNextBytes(c, V5Packets.PINGRESP);
    }

    @Test
    @DisplayName("[MQTT-3.8.3-2] a SUBSCRIBE without a topic filter is a protocol error: DISCONNECT 0x82")
    void subscribeWithoutFilter() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.subscribe(1, Props.none()));
        assertDisconnect(c, ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("[MQTT-3.10.3-2] an UNSUBSCRIBE without a topic filter is a protocol error: DISCONNECT 0x82")
    void unsubscribeWithoutFilter() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.unsubscribe(1, Props.none()));
        assertDisconnect(c, ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("[MQTT-3.8.3-5] reserved bits of the subscription options set: malformed, DISCONNECT 0x81")
    void reservedSubscriptionOptions() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.subscribe(1, Props.none(), "a", 0x40));
        assertDisconnect(c, ReasonCodes.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.8.3-1] [MQTT-3.10.3-1] topic filters that are not UTF-8: DISCONNECT 0x81")
    void filtersNotUtf8() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(Bytes.packet(0x82).u16(1).u8(0).string(new byte[] {(byte) 0xC0, (byte) 0x80}).u8(0).build());
        assertDisconnect(c, ReasonCodes.MALFORMED_PACKET);
        MqttTestClient d = connect5("d");
        d.raw().send(Bytes.packet(0xA2).u16(1).u8(0).string(new byte[] {(byte) 0xFF}).build());
        assertDisconnect(d, ReasonCodes.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.8.4-7] each SUBACK reason code is the granted QoS or a failure code")
    void grantedOrFailure() throws IOException {
        startBroker(b -> b.maxQos(1));
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.subscribe(1, Props.none(), "a", 0, "b", 1, "c", 2, "d/#/x", 2));
        assertThat(c.expect(SubAck.class).reasonCodes()).containsExactly(0, 1, 1, ReasonCodes.TOPIC_FILTER_INVALID);
    }
}
