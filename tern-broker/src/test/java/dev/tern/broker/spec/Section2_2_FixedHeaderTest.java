package dev.tern.broker.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 3.1.1 section 2.2: the fixed header (packet type, flags, remaining length). */
class Section2_2_FixedHeaderTest extends SpecTestBase {

    static Stream<Arguments> reservedFlags() {
        return Stream.of(
                Arguments.of("CONNECT", 0x1F, null),
                Arguments.of("PUBACK", 0x42, Packets.puback(1)),
                Arguments.of("PUBREC", 0x54, Packets.pubrec(1)),
                Arguments.of("PUBREL", 0x60, Packets.pubrel(1)),
                Arguments.of("PUBCOMP", 0x78, Packets.pubcomp(1)),
                Arguments.of("SUBSCRIBE", 0x80, Packets.subscribe(1, "a", 0)),
                Arguments.of("UNSUBSCRIBE", 0xA0, Packets.unsubscribe(1, "a")),
                Arguments.of("PINGREQ", 0xC4, Packets.PINGREQ),
                Arguments.of("DISCONNECT", 0xE8, Packets.DISCONNECT));
    }

    @ParameterizedTest(name = "[MQTT-2.2.2-1] [MQTT-2.2.2-2] {0} with first byte 0x{1}: invalid reserved flags close "
            + "the connection")
    @MethodSource("reservedFlags")
    void invalidFlagsClose(String type, int firstByte, byte[] packet) throws IOException {
        MqttTestClient c;
        byte[] bytes;
        if (packet == null) { // CONNECT: the first packet
            c = open();
            bytes = Packets.connect("c");
        } else {
            c = connect("c");
            bytes = packet.clone();
        }
        bytes[0] = (byte) firstByte;
        c.raw().send(bytes);
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-2.2.2-1] a client may use every combination of the PUBLISH flags except QoS 3")
    void publishFlagsAreNotReserved() throws IOException {
        MqttTestClient sub = subscriber("sub", "flags/t", QoS.EXACTLY_ONCE);
        MqttTestClient pub = connect("pub");
        int id = 1;
        for (int flags : new int[] {0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0xA, 0xB, 0xC, 0xD}) {
            pub.raw().send(Packets.publish(flags, "flags/t", id, "f" + flags));
            int qos = (flags >> 1) & 3;
            if (qos == 1) {
                assertNextBytes(pub, Bytes.of(0x40, 0x02, 0x00, id));
            } else if (qos == 2) {
                assertNextBytes(pub, Bytes.of(0x50, 0x02, 0x00, id));
                pub.raw().send(Packets.pubrel(id));
                assertNextBytes(pub, Bytes.of(0x70, 0x02, 0x00, id));
            }
            id++;
            Publish p = nextPublish(sub);
            assertThat(MqttTestClient.text(p)).isEqualTo("f" + flags);
            assertThat(p.qos().value()).isEqualTo(qos);
        }
    }

    @Test
    @DisplayName("[2.2.3] [MQTT-4.8.0-1] a remaining length of more than four bytes closes the connection")
    void remainingLengthTooLong() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.of(0x30, 0x80, 0x80, 0x80, 0x80, 0x01));
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[2.2.3] [MQTT-4.8.0-1] a CONNECT whose remaining length has more than four bytes is closed without "
            + "CONNACK")
    void connectRemainingLengthTooLong() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Bytes.of(0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x01));
        assertClosedWithoutReply(c);
    }

    @ParameterizedTest(name = "[2.2.3] a PUBLISH with a {0}-byte payload (remaining length of 1 to 3 bytes) is "
            + "delivered intact")
    @ValueSource(ints = {0, 100, 121, 122, 16_000, 16_377, 16_378, 70_000})
    void remainingLengthEncodings(int payloadLength) throws IOException {
        MqttTestClient sub = subscriber("sub", "len", QoS.AT_MOST_ONCE);
        MqttTestClient pub = connect("pub");
        byte[] payload = new byte[payloadLength];
        Arrays.fill(payload, (byte) 'x');
        byte[] packet = Bytes.packet(0x30).utf8("len").raw(payload).build();
        pub.raw().send(packet);
        // The server re-encodes the same fields: the packet the subscriber gets is identical.
        assertThat(next(sub)).isEqualTo(packet);
    }

    @Test
    @DisplayName("[2.2] packets split across TCP segments at every byte boundary are reassembled")
    void packetSplitAcrossSegments() throws IOException, InterruptedException {
        MqttTestClient sub = subscriber("sub", "split/t", QoS.AT_LEAST_ONCE);
        MqttTestClient c = open();
        byte[] all = Bytes.concat(Packets.connect("splitter"),
                Packets.publish(0x02, "split/t", 5, "reassembled"), Packets.PINGREQ);
        for (byte b : all) {
            c.raw().send(new byte[] {b});
            Thread.sleep(1); // give the server separate reads
        }
        assertNextBytes(c, Packets.CONNACK_ACCEPTED);
        assertNextBytes(c, Bytes.of(0x40, 0x02, 0x00, 0x05));
        assertNextBytes(c, Packets.PINGRESP);
        assertPublish(nextPublish(sub), "split/t", "reassembled", QoS.AT_LEAST_ONCE, false);
    }

    @Test
    @DisplayName("[2.2] several packets in one TCP segment are all processed, in order")
    void manyPacketsInOneSegment() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Bytes.concat(Packets.connect("batch"), Packets.subscribe(1, "batch/t", 1),
                Packets.publish(0x02, "batch/t", 2, "to myself"), Packets.PINGREQ));
        assertNextBytes(c, Packets.CONNACK_ACCEPTED);
        assertNextBytes(c, Bytes.of(0x90, 0x03, 0x00, 0x01, 0x01));
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            rest.add(Bytes.hex(next(c)));
        }
        assertThat(rest).contains("40 02 00 02", "d0 00");
        assertThat(rest).anyMatch(h -> h.startsWith("32"));
    }
}
