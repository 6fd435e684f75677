package dev.tern.broker.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 3.1.1 sections 3.8 and 3.9: SUBSCRIBE and SUBACK. */
class Section3_8_SubscribeTest extends SpecTestBase {

    // ---- 3.8.1 Fixed header ----------------------------------------------------------------

    @ParameterizedTest(name = "[MQTT-3.8.1-1] [MQTT-2.2.2-2] a SUBSCRIBE with first byte 0x{0} is malformed and "
            + "closes the connection")
    @ValueSource(strings = {"80", "81", "83", "84", "8a", "8f"})
    void wrongFlagsClose(String firstByteHex) throws IOException {
        MqttTestClient c = connect("c");
        byte[] valid = Packets.subscribe(1, "a/b", 0);
        valid[0] = (byte) Integer.parseInt(firstByteHex, 16);
        c.raw().send(valid);
        assertClosedWithoutReply(c);
    }

    // ---- 3.8.3 Payload ---------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.8.3-1] [MQTT-1.5.3-1] a topic filter that is not well-formed UTF-8 closes the connection")
    void filterNotUtf8() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.packet(0x82).u16(1).string(Bytes.of('a', '/', 0xC0, 0xAF)).u8(0).build());
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.8.3-2] wildcard filters are supported and granted")
    void wildcardsSupported() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.subscribe(3, "#", 0, "+", 1, "a/+/c", 2, "a/#", 1));
        assertNextBytes(c, Bytes.of(0x90, 0x06, 0x00, 0x03, 0x00, 0x01, 0x02, 0x01));
    }

    @Test
    @DisplayName("[MQTT-3.8.3-3] a SUBSCRIBE without any topic filter is a protocol violation and closes the connection")
    void emptySubscribeCloses() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.packet(0x82).u16(1).build());
        assertClosedWithoutReply(c);
    }

    static Stream<Arguments> badRequestedQos() {
        return Stream.of(
                Arguments.of("QoS 3", 0x03),
                Arguments.of("reserved bit 2", 0x04),
                Arguments.of("reserved bit 7", 0x80),
                Arguments.of("reserved bits with QoS 1", 0xFD));
    }

    @ParameterizedTest(name = "[MQTT-3.8.3-4] requested QoS byte with {0} is malformed and closes the connection")
    @MethodSource("badRequestedQos")
    void reservedBitsOrQos3Close(String what, int qosByte) throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.subscribe(1, "ok/a", 0, "ok/b", qosByte));
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.8.3-4] a filter without its requested QoS byte closes the connection")
    void missingQosByteCloses() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.packet(0x82).u16(1).utf8("a/b").build());
        assertClosedWithoutReply(c);
    }

    // ---- 3.8.4 Response --------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.8.4-1] [MQTT-3.8.4-2] SUBSCRIBE is answered with a SUBACK with the same packet id")
    void subAckWithSameId() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.subscribe(0x4242, "a/b", 2));
        assertNextBytes(c, Bytes.of(0x90, 0x03, 0x42, 0x42, 0x02));
    }

    @Test
    @DisplayName("[MQTT-3.8.4-3] subscribing again to the same filter replaces the subscription (new QoS, one copy)")
    void resubscribeReplaces() throws IOException {
        MqttTestClient sub = subscriber("sub", "rep/t", QoS.EXACTLY_ONCE);
        assertThat(sub.subscribe("rep/t", QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(0);
        MqttTestClient pub = connect("pub");
        pub.publish("rep/t", "now QoS 0", QoS.EXACTLY_ONCE, false);
        assertPublish(nextPublish(sub), "rep/t", "now QoS 0", QoS.AT_MOST_ONCE, false);
        assertNextPublishIsFence(sub, pub);
        assertThat(broker().broker().subscriptionCount()).as("subscriptions: sub's rep/t and fence").isEqualTo(2);
    }

    @Test
    @DisplayName("[MQTT-3.8.4-3] [MQTT-3.3.1-6] replacing a subscription re-sends the matching retained messages")
    void resubscribeResendsRetained() throws IOException {
        MqttTestClient pub = connect("pub");
        pub.publish("rep/r", "retained", QoS.AT_LEAST_ONCE, true);
        MqttTestClient sub = subscriber("sub", "rep/r", QoS.AT_LEAST_ONCE);
        assertPublish(nextPublish(sub), "rep/r", "retained", QoS.AT_LEAST_ONCE, true);
        sub.raw().send(Packets.subscribe(50, "rep/r", 0));
        assertNextBytes(sub, Bytes.of(0x90, 0x03, 0x00, 50, 0x00));
        assertPublish(nextPublish(sub), "rep/r", "retained", QoS.AT_MOST_ONCE, true);
    }

    @Test
    @DisplayName("[MQTT-3.8.4-3] replacing a subscription does not interrupt the flow of publications")
    void resubscribeKeepsFlow() throws IOException {
        MqttTestClient sub = subscriber("sub", "flow/t", QoS.AT_LEAST_ONCE);
        MqttTestClient pub = connect("pub");
        for (int i = 0; i < 20; i++) {
            pub.raw().send(Packets.publish(0x02, "flow/t", i + 1, "m" + i));
        }
        sub.raw().send(Packets.subscribe(99, "flow/t", 1));
        for (int i = 20; i < 40; i++) {
            pub.raw().send(Packets.publish(0x02, "flow/t", i + 1, "m" + i));
        }
        int next = 0;
        boolean subAck = false;
        while (next < 40) {
            MqttPacket packet = sub.receive(WAIT);
            if (packet instanceof SubAck ack) {
                assertThat(ack).isEqualTo(new SubAck(99, List.of(1), MqttProperties.EMPTY));
                subAck = true;
                continue;
            }
            assertThat(packet).isInstanceOf(Publish.class);
            Publish p = (Publish) packet;
            assertThat(MqttTestClient.text(p)).isEqualTo("m" + next);
            sub.raw().send(Packets.puback(p.packetId()));
            next++;
        }
        if (!subAck) {
            assertNextBytes(sub, Bytes.of(0x90, 0x03, 0x00, 99, 0x01));
        }
    }

    @Test
    @DisplayName("[MQTT-3.8.4-4] a SUBSCRIBE with several filters acts as several SUBSCRIBEs answered by one SUBACK")
    void severalFiltersOneSubAck() throws IOException {
        MqttTestClient pub = connect("pub");
        pub.publish("many/r1", "retained 1", QoS.AT_LEAST_ONCE, true);
        pub.publish("many/r2", "retained 2", QoS.AT_LEAST_ONCE, true);
        MqttTestClient sub = connect("sub");
        sub.subscribe(FENCE, QoS.AT_MOST_ONCE);
        sub.raw().send(Packets.subscribe(8, "many/r1", 1, "many/r2", 1, "many/live", 2));
        assertNextBytes(sub, Bytes.of(0x90, 0x05, 0x00, 0x08, 0x01, 0x01, 0x02));
        Set<String> retained = new TreeSet<>();
        retained.add(nextPublish(sub).topic());
        retained.add(nextPublish(sub).topic());
        assertThat(retained).containsExactly("many/r1", "many/r2");
        pub.publish("many/live", "live", QoS.EXACTLY_ONCE, false);
        assertPublish(nextPublish(sub), "many/live", "live", QoS.EXACTLY_ONCE, false);
    }

    @Test
    @DisplayName("[MQTT-3.8.4-4] [MQTT-3.8.4-3] the same filter twice in one SUBSCRIBE: the later one replaces the "
            + "earlier")
    void sameFilterTwiceInOneSubscribe() throws IOException {
        MqttTestClient sub = connect("sub");
        sub.subscribe(FENCE, QoS.AT_MOST_ONCE);
        sub.raw().send(Packets.subscribe(9, "twice/t", 2, "twice/t", 1));
        assertNextBytes(sub, Bytes.of(0x90, 0x04, 0x00, 0x09, 0x02, 0x01));
        MqttTestClient pub = connect("pub");
        pub.publish("twice/t", "one copy at QoS 1", QoS.EXACTLY_ONCE, false);
        assertPublish(nextPublish(sub), "twice/t", "one copy at QoS 1", QoS.AT_LEAST_ONCE, false);
        assertNextPublishIsFence(sub, pub);
    }

    @Test
    @DisplayName("[MQTT-3.8.4-5] [MQTT-3.9.3-2] the SUBACK grants at most the server's maximum QoS")
    void grantedQosCappedByServer() throws IOException {
        startBroker(b -> b.maxQos(1));
        MqttTestClient c = connect("c");
        c.raw().send(Packets.subscribe(4, "cap/0", 0, "cap/1", 1, "cap/2", 2));
        assertNextBytes(c, Bytes.of(0x90, 0x05, 0x00, 0x04, 0x00, 0x01, 0x01));
    }

    @ParameterizedTest(name = "[MQTT-3.8.4-6] a QoS {0} message to a subscription granted QoS {1} is delivered at "
            + "QoS {2}")
    @MethodSource("qosMatrix")
    void deliveredAtMinimumQos(int published, int granted, int delivered) throws IOException {
        MqttTestClient sub = subscriber("sub", "min/t", QoS.of(granted));
        connect("pub").publish("min/t", "m", QoS.of(published), false);
        assertPublish(nextPublish(sub), "min/t", "m", QoS.of(delivered), false);
    }

    static Stream<Arguments> qosMatrix() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (int published = 0; published <= 2; published++) {
            for (int granted = 0; granted <= 2; granted++) {
                b.add(Arguments.of(published, granted, Math.min(published, granted)));
            }
        }
        return b.build();
    }

    // ---- 3.9 SUBACK ------------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.9.3-1] [MQTT-3.8.4-5] SUBACK return codes follow the order of the filters")
    void returnCodesInOrder() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.subscribe(5, "o/2", 2, "o/0", 0, "o/1", 1, "o/00", 0, "o/22", 2));
        assertNextBytes(c, Bytes.of(0x90, 0x07, 0x00, 0x05, 0x02, 0x00, 0x01, 0x00, 0x02));
    }
}
