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

/** MQTT 3.1.1 section 4.8: handling errors (protocol violations close the connection). */
class Section4_8_ErrorHandlingTest extends SpecTestBase {

    static Stream<Arguments> violations() {
        return Stream.of(
                Arguments.of("CONNACK (server-to-client packet)", Bytes.of(0x20, 0x02, 0x00, 0x00)),
                Arguments.of("SUBACK (server-to-client packet)", Bytes.of(0x90, 0x03, 0x00, 0x01, 0x00)),
                Arguments.of("UNSUBACK (server-to-client packet)", Bytes.of(0xB0, 0x02, 0x00, 0x01)),
                Arguments.of("PINGRESP (server-to-client packet)", Bytes.of(0xD0, 0x00)),
                Arguments.of("packet type 0 (reserved)", Bytes.of(0x00, 0x00)),
                Arguments.of("packet type 15 (reserved in 3.1.1)", Bytes.of(0xF0, 0x00)),
                Arguments.of("PUBLISH whose topic length exceeds the packet", Bytes.of(0x30, 0x03, 0x00, 0x05, 'a')),
                Arguments.of("QoS 1 PUBLISH without room for the packet id", Bytes.of(0x32, 0x04, 0x00, 0x01, 'a',
                        0x00)),
                Arguments.of("SUBSCRIBE with an invalid topic filter", Packets.subscribe(1, "a/#/b", 0)),
                Arguments.of("UNSUBSCRIBE truncated inside a filter", Bytes.of(0xA2, 0x05, 0x00, 0x01, 0x00, 0x05,
                        'a')));
    }

    @ParameterizedTest(name = "[MQTT-4.8.0-1] [MQTT-3.1.2-8] {0} closes the connection and publishes the will")
    @MethodSource("violations")
    void violationClosesAndPublishesWill(String what, byte[] packet) throws IOException {
        MqttTestClient sub = subscriber("sub", "err/will", QoS.AT_MOST_ONCE);
        MqttTestClient c = connectWithWill("bad", 60, "err/will", "violation", QoS.AT_MOST_ONCE, false);
        c.raw().send(packet);
        assertClosedWithoutReply(c);
        assertPublish(nextPublish(sub), "err/will", "violation", QoS.AT_MOST_ONCE, false);
    }

    static Stream<Arguments> violationsFollowedByPackets() {
        return Stream.of(
                Arguments.of("a second CONNECT", Packets.connect("c")),
                Arguments.of("an invalid topic filter", Packets.subscribe(1, "a+", 0)),
                Arguments.of("a malformed PUBREL", Bytes.of(0x60, 0x02, 0x00, 0x01)));
    }

    @ParameterizedTest(name = "[MQTT-4.8.0-1] after {0}, packets that follow in the same segment are not processed")
    @MethodSource("violationsFollowedByPackets")
    void nothingProcessedAfterViolation(String what, byte[] violation) throws IOException {
        MqttTestClient sub = subscriber("sub", "err/#", QoS.AT_MOST_ONCE);
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.concat(violation,
                Packets.publish(0x03, "err/after", 1, "after the violation"),
                Packets.PINGREQ));
        assertClosedWithoutReply(c);
        awaitSessionCount(1);
        assertNextPublishIsFence(sub, connect("pub"));
        MqttTestClient late = subscriber("late", "err/#", QoS.AT_LEAST_ONCE);
        assertNextPublishIsFence(late, late);
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] a malformed packet on one connection closes only that connection")
    void otherConnectionsUnaffected() throws IOException {
        MqttTestClient sub = subscriber("sub", "iso/t", QoS.AT_LEAST_ONCE);
        MqttTestClient pub = connect("pub");
        MqttTestClient bad = connect("bad");
        bad.raw().send(Bytes.of(0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F));
        assertClosedWithoutReply(bad);
        MqttTestClient garbage = open();
        garbage.raw().send(Packets.utf8("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertClosedWithoutReply(garbage);
        pub.publish("iso/t", "unaffected", QoS.AT_LEAST_ONCE, false);
        assertPublish(nextPublish(sub), "iso/t", "unaffected", QoS.AT_LEAST_ONCE, false);
        assertAlive(sub);
        assertAlive(pub);
    }
}
