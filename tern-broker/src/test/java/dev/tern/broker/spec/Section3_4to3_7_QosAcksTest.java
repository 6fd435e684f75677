package dev.tern.broker.spec;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** MQTT 3.1.1 sections 3.4 to 3.7: PUBACK, PUBREC, PUBREL and PUBCOMP. */
class Section3_4to3_7_QosAcksTest extends SpecTestBase {

    @Test
    @DisplayName("[MQTT-3.3.4-1] [3.4] PUBACK is 0x40 0x02 and the packet id")
    void pubAckFormat() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.publish(0x02, "a/b", 0x0A0B, "x"));
        assertNextBytes(c, Bytes.of(0x40, 0x02, 0x0A, 0x0B));
    }

    @Test
    @DisplayName("[MQTT-3.3.4-1] [3.5] [3.7] PUBREC is 0x50 0x02 id and PUBCOMP 0x70 0x02 id")
    void pubRecAndPubCompFormat() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.publish(0x04, "a/b", 0x0C0D, "x"));
        assertNextBytes(c, Bytes.of(0x50, 0x02, 0x0C, 0x0D));
        c.raw().send(Packets.pubrel(0x0C0D));
        assertNextBytes(c, Bytes.of(0x70, 0x02, 0x0C, 0x0D));
    }

    @Test
    @DisplayName("[MQTT-3.6.1-1] the server's PUBREL has fixed header flags 0010 (0x62 0x02 id)")
    void serverPubRelFlags() throws IOException {
        MqttTestClient sub = subscriber("sub", "a/b", QoS.EXACTLY_ONCE);
        connect("pub").publish("a/b", "x", QoS.EXACTLY_ONCE, false);
        int id = nextPublish(sub).packetId();
        sub.raw().send(Packets.pubrec(id));
        assertNextBytes(sub, Bytes.of(0x62, 0x02, id >> 8, id & 0xFF));
    }

    static Stream<Arguments> pubRelWithWrongFlags() {
        return Stream.of(0x60, 0x61, 0x63, 0x66, 0x6A, 0x6F).map(b -> Arguments.of(String.format("%02X", b), b));
    }

    @ParameterizedTest(name = "[MQTT-3.6.1-1] [MQTT-2.2.2-2] a PUBREL with first byte 0x{0} is malformed and closes "
            + "the connection")
    @MethodSource("pubRelWithWrongFlags")
    void pubRelWrongFlagsCloses(String hex, int firstByte) throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.publish(0x04, "a/b", 1, "x"));
        assertNextBytes(c, Bytes.of(0x50, 0x02, 0x00, 0x01));
        c.raw().send(Bytes.of(firstByte, 0x02, 0x00, 0x01));
        assertClosedWithoutReply(c);
    }

    static Stream<Arguments> acksWithWrongFlags() {
        return Stream.of(
                Arguments.of("PUBACK", Bytes.of(0x41, 0x02, 0x00, 0x01)),
                Arguments.of("PUBACK", Bytes.of(0x48, 0x02, 0x00, 0x01)),
                Arguments.of("PUBREC", Bytes.of(0x52, 0x02, 0x00, 0x01)),
                Arguments.of("PUBCOMP", Bytes.of(0x71, 0x02, 0x00, 0x01)));
    }

    @ParameterizedTest(name = "[MQTT-2.2.2-1] [MQTT-2.2.2-2] a {0} with reserved flags not 0 closes the connection")
    @MethodSource("acksWithWrongFlags")
    void ackWrongFlagsCloses(String what, byte[] packet) throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(packet);
        assertClosedWithoutReply(c);
    }

    static Stream<Arguments> acksWithWrongLength() {
        return Stream.of(
                Arguments.of("PUBACK with 3 bytes", Bytes.of(0x40, 0x03, 0x00, 0x01, 0x00)),
                Arguments.of("PUBACK with 1 byte", Bytes.of(0x40, 0x01, 0x00)),
                Arguments.of("PUBREC with 0 bytes", Bytes.of(0x50, 0x00)),
                Arguments.of("PUBREL with 4 bytes", Bytes.of(0x62, 0x04, 0x00, 0x01, 0x00, 0x00)),
                Arguments.of("PUBCOMP with 3 bytes", Bytes.of(0x70, 0x03, 0x00, 0x01, 0x00)));
    }

    @ParameterizedTest(name = "[MQTT-4.8.0-1] a {0} after the fixed header is malformed and closes the connection")
    @MethodSource("acksWithWrongLength")
    void ackWrongLengthCloses(String what, byte[] packet) throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(packet);
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] a PUBREL for an unknown packet id is still answered with PUBCOMP")
    void pubRelUnknownIdAnswered() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.pubrel(77));
        assertNextBytes(c, Bytes.of(0x70, 0x02, 0x00, 77));
    }

    @Test
    @DisplayName("[3.4] [3.7] PUBACK and PUBCOMP for unknown packet ids are ignored; the connection stays open")
    void unknownAcksIgnored() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.concat(Packets.puback(11), Packets.pubcomp(13)));
        assertAlive(c);
    }

    @Test
    @DisplayName("[MQTT-4.3.3-1] [3.5] a PUBREC for an unknown packet id is answered with PUBREL so that the client "
            + "can finish (as Mosquitto does)")
    void unknownPubRecAnswered() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.pubrec(12));
        assertNextBytes(c, Bytes.of(0x62, 0x02, 0x00, 12));
        c.raw().send(Packets.pubcomp(12));
        assertAlive(c);
    }
}
