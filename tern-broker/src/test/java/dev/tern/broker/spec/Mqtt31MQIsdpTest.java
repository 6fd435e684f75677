package dev.tern.broker.spec;

import static dev.tern.broker.spec.Packets.CLEAN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MQTT 3.1 (protocol name "MQIsdp", level 3): the same packet formats as 3.1.1, with an empty client
 * id always refused (0x02) and no session present flag (the CONNACK's first byte is reserved).
 */
class Mqtt31MQIsdpTest extends SpecTestBase {

    private MqttTestClient open31() throws IOException {
        return open(MqttVersion.MQTT_3_1);
    }

    /** A 3.1 client connected with a clean session. */
    private MqttTestClient connect31(String clientId) throws IOException {
        MqttTestClient c = open31();
        c.raw().send(Packets.connect31(clientId, CLEAN, 60));
        assertNextBytes(c, Packets.CONNACK_ACCEPTED);
        return c;
    }

    @Test
    @DisplayName("[3.1] [MQTT-3.1.4-4] CONNECT with protocol name MQIsdp and level 3 is accepted with CONNACK 0")
    void mqisdpAccepted() throws IOException {
        MqttTestClient c = open31();
        c.raw().send(Packets.connect31("client31", CLEAN, 60));
        assertNextBytes(c, Packets.CONNACK_ACCEPTED);
        assertAlive(c);
    }

    @Test
    @DisplayName("[3.1] [MQTT-3.1.3-9] an empty client id is refused with CONNACK 0x02 even with clean session, then "
            + "the connection is closed")
    void emptyClientIdRefused() throws IOException {
        MqttTestClient c = open31();
        c.raw().send(Packets.connect31("", CLEAN, 60));
        assertRepliesThenCloses(c, Bytes.of(0x20, 0x02, 0x00, 0x02));
    }

    @Test
    @DisplayName("[3.1] client ids longer than the 23 characters MQTT 3.1 asks for are accepted (as Mosquitto does)")
    void longClientIdAccepted() throws IOException {
        MqttTestClient c = open31();
        c.raw().send(Packets.connect31("a-client-id-longer-than-23-characters", CLEAN, 60));
        assertNextBytes(c, Packets.CONNACK_ACCEPTED);
    }

    static Stream<Arguments> mismatchedNameAndLevel() {
        return Stream.of(
                Arguments.of("MQIsdp", 4),
                Arguments.of("MQIsdp", 5),
                Arguments.of("MQIsdp", 2),
                Arguments.of("MQTT", 3));
    }

    @ParameterizedTest(name = "[3.1] [MQTT-3.1.2-2] protocol name {0} with level {1} gets CONNACK 0x01, then the "
            + "connection is closed")
    @MethodSource("mismatchedNameAndLevel")
    void mismatchedNameAndLevelRefused(String name, int level) throws IOException {
        MqttTestClient c = open31();
        c.raw().send(Packets.connectHeader(name, level, CLEAN, 60).utf8("c").build());
        assertRepliesThenCloses(c, Bytes.of(0x20, 0x02, 0x00, 0x01));
    }

    @Test
    @DisplayName("[3.1] [MQTT-3.1.2-22] a password without a user name closes the connection without CONNACK")
    void passwordWithoutUserName() throws IOException {
        MqttTestClient c = open31();
        c.raw().send(Packets.connectHeader("MQIsdp", 3, CLEAN | Packets.PASSWORD, 60).utf8("c").utf8("pw").build());
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[3.1] [MQTT-3.1.0-2] a second CONNECT closes the connection")
    void secondConnect() throws IOException {
        MqttTestClient c = connect31("twice");
        c.raw().send(Packets.connect31("twice", CLEAN, 60));
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[3.1] [MQTT-3.3.4-1] [MQTT-3.8.4-1] SUBSCRIBE, QoS 0/1/2 PUBLISH, UNSUBSCRIBE and PINGREQ use the "
            + "3.1.1 packet formats")
    void packetFormats() throws IOException {
        MqttTestClient sub = connect31("sub31");
        sub.raw().send(Packets.subscribe(1, "v31/#", 2, FENCE, 0));
        assertNextBytes(sub, Bytes.of(0x90, 0x04, 0x00, 0x01, 0x02, 0x00));
        MqttTestClient pub = connect31("pub31");
        pub.raw().send(Packets.publish0("v31/t", "zero"));
        pub.raw().send(Packets.publish(0x02, "v31/t", 10, "one"));
        assertNextBytes(pub, Bytes.of(0x40, 0x02, 0x00, 10));
        pub.raw().send(Packets.publish(0x04, "v31/t", 11, "two"));
        assertNextBytes(pub, Bytes.of(0x50, 0x02, 0x00, 11));
        pub.raw().send(Packets.pubrel(11));
        assertNextBytes(pub, Bytes.of(0x70, 0x02, 0x00, 11));
        assertNextBytes(sub, Bytes.packet(0x30).utf8("v31/t").payload("zero").build());
        Publish one = nextPublish(sub);
        assertPublish(one, "v31/t", "one", QoS.AT_LEAST_ONCE, false);
        sub.raw().send(Packets.puback(one.packetId()));
        Publish two = nextPublish(sub);
        assertPublish(two, "v31/t", "two", QoS.EXACTLY_ONCE, false);
        sub.raw().send(Packets.pubrec(two.packetId()));
        assertNextBytes(sub, Bytes.of(0x62, 0x02, two.packetId() >> 8, two.packetId() & 0xFF));
        sub.raw().send(Packets.pubcomp(two.packetId()));
        sub.raw().send(Packets.unsubscribe(2, "v31/#"));
        assertNextBytes(sub, Bytes.of(0xB0, 0x02, 0x00, 0x02));
        pub.raw().send(Packets.publish0("v31/t", "after unsubscribe"));
        assertNextPublishIsFence(sub, pub);
        assertAlive(sub);
    }

    @Test
    @DisplayName("[3.1] [MQTT-3.3.1-8] retained messages reach 3.1 subscribers with RETAIN=1")
    void retained() throws IOException {
        connect("pub311").publish("v31/retained", "kept", QoS.AT_LEAST_ONCE, true);
        MqttTestClient sub = connect31("sub31");
        sub.raw().send(Packets.subscribe(1, "v31/retained", 1));
        assertNextBytes(sub, Bytes.of(0x90, 0x03, 0x00, 0x01, 0x01));
        assertPublish(nextPublish(sub), "v31/retained", "kept", QoS.AT_LEAST_ONCE, true);
    }

    @Test
    @DisplayName("[3.1] [MQTT-3.1.2-8] the will of a 3.1 client is published when its connection closes abnormally")
    void will() throws IOException {
        MqttTestClient sub = subscriber("sub311", "v31/will", QoS.AT_LEAST_ONCE);
        MqttTestClient c = open31();
        c.raw().send(Packets.connectHeader("MQIsdp", 3, CLEAN | Packets.WILL | Packets.WILL_QOS_1, 60)
                .utf8("dying31").utf8("v31/will").utf8("gone").build());
        assertNextBytes(c, Packets.CONNACK_ACCEPTED);
        c.close();
        assertPublish(nextPublish(sub), "v31/will", "gone", QoS.AT_LEAST_ONCE, false);
    }

    @Test
    @DisplayName("[3.1] [MQTT-4.4.0-1] a 3.1 persistent session is resumed with unacknowledged messages re-sent "
            + "(DUP 1); the CONNACK's reserved first byte stays 0")
    void persistentSession() throws IOException {
        MqttTestClient first = open31();
        first.raw().send(Packets.connect31("persist31", 0, 60));
        assertNextBytes(first, Packets.CONNACK_ACCEPTED);
        first.raw().send(Packets.subscribe(1, "v31/p", 1));
        assertNextBytes(first, Bytes.of(0x90, 0x03, 0x00, 0x01, 0x01));
        connect("pub").publish("v31/p", "unacked", QoS.AT_LEAST_ONCE, false);
        Publish original = nextPublish(first);
        first.close();
        MqttTestClient again = open31();
        again.raw().send(Packets.connect31("persist31", 0, 60));
        assertNextBytes(again, Packets.CONNACK_ACCEPTED);
        Publish resent = nextPublish(again);
        assertPublish(resent, "v31/p", "unacked", QoS.AT_LEAST_ONCE, false);
        assertThat(resent.dup()).isTrue();
        assertThat(resent.packetId()).isEqualTo(original.packetId());
    }

    @Test
    @DisplayName("[3.1] messages flow between MQTT 3.1 and MQTT 3.1.1 clients in both directions")
    void mixedVersions() throws IOException {
        MqttTestClient sub31 = connect31("sub31");
        sub31.raw().send(Packets.subscribe(1, "mixed/#", 2));
        assertNextBytes(sub31, Bytes.of(0x90, 0x03, 0x00, 0x01, 0x02));
        MqttTestClient sub311 = subscriber("sub311", "mixed/#", QoS.EXACTLY_ONCE);
        MqttTestClient pub31 = connect31("pub31");
        pub31.raw().send(Packets.publish(0x02, "mixed/from31", 1, "hello 3.1.1"));
        assertNextBytes(pub31, Bytes.of(0x40, 0x02, 0x00, 0x01));
        connect("pub311").publish("mixed/from311", "hello 3.1", QoS.AT_LEAST_ONCE, false);
        assertPublish(nextPublish(sub311), "mixed/from31", "hello 3.1.1", QoS.AT_LEAST_ONCE, false);
        assertPublish(nextPublish(sub311), "mixed/from311", "hello 3.1", QoS.AT_LEAST_ONCE, false);
        assertPublish(nextPublish(sub31), "mixed/from31", "hello 3.1.1", QoS.AT_LEAST_ONCE, false);
        assertPublish(nextPublish(sub31), "mixed/from311", "hello 3.1", QoS.AT_LEAST_ONCE, false);
    }
}
