package dev.tern.broker.spec.v5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.spec.Bytes;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.UserProperty;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 sections 1.5 and 2.2.2: properties are validated — each at most once where the spec says
 * so, only in the packets that may carry them, values in range, strings well-formed — and a violation
 * closes that one connection with DISCONNECT 0x81 or 0x82.
 */
class Section2_2_PropertiesTest extends V5SpecTestBase {

    private void assertPublishPropsRefused(Props props, int reasonCode) throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.publish(0, "p", 0, props, "x"));
        assertDisconnect(c, reasonCode);
    }

    @Test
    @DisplayName("a property that may appear once, twice in one PUBLISH: DISCONNECT 0x82")
    void repeatedProperty() throws IOException {
        assertPublishPropsRefused(Props.of().utf8(Props.CONTENT_TYPE, "a").utf8(Props.CONTENT_TYPE, "b"),
                ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("a property not allowed in PUBLISH (Session Expiry Interval): DISCONNECT 0x82")
    void propertyNotAllowed() throws IOException {
        assertPublishPropsRefused(Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 1), ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("an undefined property identifier: DISCONNECT 0x81")
    void unknownProperty() throws IOException {
        assertPublishPropsRefused(Props.of().raw(0x04, 0x00), ReasonCodes.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("a value out of range (Payload Format Indicator 2): DISCONNECT 0x82")
    void valueOutOfRange() throws IOException {
        assertPublishPropsRefused(Props.of().u8(Props.PAYLOAD_FORMAT_INDICATOR, 2), ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("[MQTT-3.3.2-13] [MQTT-3.3.2-14] a Response Topic with a wildcard: DISCONNECT 0x82")
    void responseTopicWildcard() throws IOException {
        assertPublishPropsRefused(Props.of().utf8(Props.RESPONSE_TOPIC, "a/#"), ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("two Subscription Identifiers in one SUBSCRIBE: DISCONNECT 0x82")
    void twoSubscriptionIdentifiers() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.subscribe(1, Props.of().varInt(Props.SUBSCRIPTION_IDENTIFIER, 1)
                .varInt(Props.SUBSCRIPTION_IDENTIFIER, 2), "a", 0));
        assertDisconnect(c, ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("[MQTT-1.5.4-1] [MQTT-1.5.7-1] a User Property that is not UTF-8: DISCONNECT 0x81")
    void userPropertyNotUtf8() throws IOException {
        assertPublishPropsRefused(Props.of().raw(Props.USER_PROPERTY, 0x00, 0x01, 'k', 0x00, 0x02, 0xC3, 0x28),
                ReasonCodes.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-1.5.4-1] a Content Type with a UTF-16 surrogate encoded in UTF-8: DISCONNECT 0x81")
    void surrogate() throws IOException {
        assertPublishPropsRefused(Props.of().raw(Props.CONTENT_TYPE, 0x00, 0x03, 0xED, 0xA0, 0x80),
                ReasonCodes.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-1.5.4-2] a Content Type with U+0000: DISCONNECT 0x81")
    void nullCharacter() throws IOException {
        assertPublishPropsRefused(Props.of().raw(Props.CONTENT_TYPE, 0x00, 0x01, 0x00), ReasonCodes.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-1.5.4-3] [MQTT-1.5.7-1] a BOM (EF BB BF) in a User Property is kept and forwarded")
    void byteOrderMarkKept() throws IOException {
        MqttTestClient sub = subscriber5("sub", "bom", 0);
        connect5("pub").raw().send(V5Packets.publish(0, "bom", 0,
                Props.of().raw(Props.USER_PROPERTY, 0x00, 0x03, 0xEF, 0xBB, 0xBF, 0x00, 0x01, 'v'), "x"));
        Publish p = nextPublish(sub);
        assertThat(p.properties().userProperties()).containsExactly(new UserProperty("\uFEFF", "v"));
    }

    @Test
    @DisplayName("[MQTT-1.5.5-1] the broker encodes variable byte integers in the fewest bytes (Subscription "
            + "Identifier 128 as 80 01)")
    void minimalVarInt() throws IOException {
        MqttTestClient sub = connect5("sub");
        subscribe5(sub, 1, Props.of().varInt(Props.SUBSCRIPTION_IDENTIFIER, 128), "vi", 0, 0);
        connect5("pub").raw().send(V5Packets.publish0("vi", "x"));
        assertNextBytes(sub, Bytes.of(0x30, 0x09, 0x00, 0x02, 'v', 'i', 0x03, 0x0B, 0x80, 0x01, 'x'));
    }

    @Test
    @DisplayName("[MQTT-2.1.3-1] [MQTT-2.2.1-2] [MQTT-2.2.2-1] a QoS 0 PUBLISH from the broker has no packet id, "
            + "flags 0 and a property length 0")
    void qos0Encoding() throws IOException {
        MqttTestClient sub = subscriber5("sub", "q0", 0);
        connect5("pub").raw().send(V5Packets.publish0("q0", "x"));
        assertNextBytes(sub, Bytes.of(0x30, 0x06, 0x00, 0x02, 'q', '0', 0x00, 'x'));
    }

    @Test
    @DisplayName("[MQTT-3.1.4-1] [MQTT-4.13.1-1] a CONNECT with Receive Maximum 0 is a protocol error: CONNACK 0x82, "
            + "closed")
    void receiveMaximumZero() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connect("c", V5Packets.CLEAN_START, 60, Props.of().u16(Props.RECEIVE_MAXIMUM, 0)));
        assertConnAckRefusal(c, ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-9] [MQTT-3.1.3-11] a will with a property not allowed in will properties: CONNACK "
            + "0x82, closed")
    void badWillProperty() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connectWithWill("c", V5Packets.CLEAN_START, 60, Props.none(),
                Props.of().u16(Props.TOPIC_ALIAS, 1), "w", "x"));
        assertConnAckRefusal(c, ReasonCodes.PROTOCOL_ERROR);
    }
}
