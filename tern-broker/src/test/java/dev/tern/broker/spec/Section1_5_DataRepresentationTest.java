package dev.tern.broker.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** MQTT 3.1.1 section 1.5.3: UTF-8 encoded strings. */
class Section1_5_DataRepresentationTest extends SpecTestBase {

    static Stream<Arguments> illFormedUtf8() {
        return Stream.of(
                Arguments.of("a lone continuation byte", Bytes.of('a', 0x80)),
                Arguments.of("a truncated two-byte sequence", Bytes.of('a', 0xC3)),
                Arguments.of("an overlong encoding of '/'", Bytes.of('a', 0xC0, 0xAF)),
                Arguments.of("an overlong encoding of U+0000", Bytes.of('a', 0xC0, 0x80)),
                Arguments.of("the high surrogate U+D800", Bytes.of('a', 0xED, 0xA0, 0x80)),
                Arguments.of("the low surrogate U+DFFF", Bytes.of('a', 0xED, 0xBF, 0xBF)),
                Arguments.of("a code point above U+10FFFF", Bytes.of('a', 0xF4, 0x90, 0x80, 0x80)),
                Arguments.of("the byte 0xFF", Bytes.of('a', 0xFF)));
    }

    @ParameterizedTest(name = "[MQTT-1.5.3-1] a topic name with {0} closes the connection")
    @MethodSource("illFormedUtf8")
    void illFormedTopicNameCloses(String what, byte[] topic) throws IOException {
        MqttTestClient sub = subscriber("sub", "#", QoS.AT_MOST_ONCE);
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.packet(0x30).string(topic).payload("x").build());
        assertClosedWithoutReply(c);
        assertNextPublishIsFence(sub, connect("pub"));
    }

    @ParameterizedTest(name = "[MQTT-1.5.3-1] a topic filter with {0} closes the connection")
    @MethodSource("illFormedUtf8")
    void illFormedTopicFilterCloses(String what, byte[] filter) throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.packet(0x82).u16(1).string(filter).u8(0).build());
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-1.5.3-1] a client id with a surrogate code point closes the connection without CONNACK")
    void illFormedClientIdCloses() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connectHeader("MQTT", 4, Packets.CLEAN, 60).string(Bytes.of(0xED, 0xB0, 0x80)).build());
        assertClosedWithoutReply(c);
    }

    static Stream<Arguments> nullCharacterPlaces() {
        byte[] withNull = Bytes.of('a', 0x00, 'b');
        return Stream.of(
                Arguments.of("client id", true, Packets.connectHeader("MQTT", 4, Packets.CLEAN, 60).string(withNull)
                        .build()),
                Arguments.of("will topic", true, Packets.connectHeader("MQTT", 4, Packets.CLEAN | Packets.WILL, 60)
                        .utf8("c").string(withNull).utf8("m").build()),
                Arguments.of("user name", true, Packets.connectHeader("MQTT", 4, Packets.CLEAN | Packets.USERNAME, 60)
                        .utf8("c").string(withNull).build()),
                Arguments.of("topic name", false, Bytes.packet(0x30).string(withNull).payload("x").build()),
                Arguments.of("SUBSCRIBE filter", false, Bytes.packet(0x82).u16(1).string(withNull).u8(0).build()),
                Arguments.of("UNSUBSCRIBE filter", false, Bytes.packet(0xA2).u16(1).string(withNull).build()));
    }

    @ParameterizedTest(name = "[MQTT-1.5.3-2] [MQTT-4.7.3-2] U+0000 in the {0} closes the connection")
    @MethodSource("nullCharacterPlaces")
    void nullCharacterCloses(String where, boolean isConnect, byte[] packet) throws IOException {
        MqttTestClient c = isConnect ? open() : connect("c");
        c.raw().send(packet);
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-1.5.3-3] a leading BOM (0xEF 0xBB 0xBF) is part of the string: not stripped, not skipped")
    void byteOrderMarkKept() throws IOException {
        String bom = "\uFEFF";
        MqttTestClient sub = connect("sub");
        sub.subscribe(FENCE, QoS.AT_MOST_ONCE);
        sub.raw().send(Bytes.packet(0x82).u16(1).string(Bytes.concat(Bytes.of(0xEF, 0xBB, 0xBF), Packets.utf8("bom")))
                .u8(1).build());
        assertNextBytes(sub, Bytes.of(0x90, 0x03, 0x00, 0x01, 0x01));
        MqttTestClient pub = connect("pub");
        pub.publish("bom", "no BOM: other topic", QoS.AT_LEAST_ONCE, false);
        pub.publish(bom + "bom", "with BOM", QoS.AT_LEAST_ONCE, false);
        byte[] delivered = next(sub);
        // QoS 1 PUBLISH whose topic is 6 bytes long and starts with the BOM's bytes.
        assertThat(Bytes.hex(delivered)).startsWith("32")
                .contains("00 06 ef bb bf 62 6f 6d").endsWith(Bytes.hex(Packets.utf8("with BOM")));
        assertNextPublishIsFence(sub, pub);
    }

    @Test
    @DisplayName("[MQTT-1.5.3-1] [MQTT-4.7.3-4] well-formed multi-byte UTF-8 (2, 3 and 4 bytes) round-trips unchanged")
    void multiByteUtf8RoundTrips() throws IOException {
        String topic = "caf\u00e9/\u6e29\u5ea6/\uD83D\uDE00";
        MqttTestClient sub = subscriber("sub", "caf\u00e9/+/#", QoS.AT_LEAST_ONCE);
        connect("pub").publish(topic, "ok", QoS.AT_LEAST_ONCE, false);
        assertPublish(nextPublish(sub), topic, "ok", QoS.AT_LEAST_ONCE, false);
    }
}
