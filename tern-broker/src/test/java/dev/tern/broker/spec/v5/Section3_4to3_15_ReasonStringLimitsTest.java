package dev.tern.broker.spec.v5;

import static dev.tern.broker.spec.v5.V5Packets.CLEAN_START;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.spec.Bytes;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.ReasonCodes;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The "leave out the Reason String and User Properties if they would exceed the receiver's Maximum
 * Packet Size" rules of every acknowledgement (MQTT 5.0 sections 3.4 to 3.15): the same refusal with
 * and without a small Maximum Packet Size.
 */
class Section3_4to3_15_ReasonStringLimitsTest extends V5SpecTestBase {

    /** A client with Maximum Packet Size 16: room for CONNACK and reason codes, not for a Reason String. */
    private MqttTestClient small(String id) throws IOException {
        MqttTestClient c = open5();
        connAck(c, V5Packets.connect(id, CLEAN_START, 60, Props.of().u32(Props.MAXIMUM_PACKET_SIZE, 16)));
        return c;
    }

    @Test
    @DisplayName("[MQTT-3.4.2-2] [MQTT-3.4.2-3] PUBACK 0x87: with a Reason String normally, without it when it "
            + "would not fit")
    void pubAck() throws IOException {
        MqttTestClient big = connect5("big");
        big.raw().send(V5Packets.publish(0x02, "$SYS/x", 1, Props.none(), "x"));
        assertThat(next(big).length).isGreaterThan(16);
        MqttTestClient c = small("small");
        c.raw().send(V5Packets.publish(0x02, "$SYS/x", 1, Props.none(), "x"));
        assertNextBytes(c, Bytes.of(0x40, 0x03, 0x00, 0x01, 0x87));
    }

    @Test
    @DisplayName("[MQTT-3.5.2-2] [MQTT-3.5.2-3] PUBREC 0x87 without the Reason String when it would not fit")
    void pubRec() throws IOException {
        MqttTestClient c = small("small");
        c.raw().send(V5Packets.publish(0x04, "$SYS/x", 1, Props.none(), "x"));
        assertNextBytes(c, Bytes.of(0x50, 0x03, 0x00, 0x01, 0x87));
    }

    @Test
    @DisplayName("[MQTT-3.6.2-2] [MQTT-3.6.2-3] PUBREL 0x92 without the Reason String when it would not fit")
    void pubRel() throws IOException {
        MqttTestClient c = small("small");
        c.raw().send(V5Packets.pubrec(5));
        assertNextBytes(c, Bytes.of(0x62, 0x03, 0x00, 0x05, 0x92));
    }

    @Test
    @DisplayName("[MQTT-3.7.2-2] [MQTT-3.7.2-3] PUBCOMP 0x92 without the Reason String when it would not fit")
    void pubComp() throws IOException {
        MqttTestClient c = small("small");
        c.raw().send(V5Packets.pubrel(6));
        assertNextBytes(c, Bytes.of(0x70, 0x03, 0x00, 0x06, 0x92));
    }

    @Test
    @DisplayName("[MQTT-3.9.2-1] [MQTT-3.9.2-2] SUBACK 0x8F without the Reason String when it would not fit")
    void subAck() throws IOException {
        MqttTestClient c = small("small");
        c.raw().send(V5Packets.subscribe(7, Props.none(), "a/#/b", 0));
        assertNextBytes(c, Bytes.of(0x90, 0x04, 0x00, 0x07, 0x00, 0x8F));
    }

    @Test
    @DisplayName("[MQTT-3.11.2-1] [MQTT-3.11.2-2] UNSUBACK 0x8F without the Reason String when it would not fit")
    void unsubAck() throws IOException {
        MqttTestClient c = small("small");
        c.raw().send(V5Packets.unsubscribe(8, Props.none(), "a/#/b"));
        assertNextBytes(c, Bytes.of(0xB0, 0x04, 0x00, 0x08, 0x00, 0x8F));
    }

    @Test
    @DisplayName("[MQTT-3.15.2-2] [MQTT-3.15.2-3] [MQTT-3.2.2-19] [MQTT-3.2.2-20] the broker's AUTH carries no "
            + "Reason String or User Property; a CONNACK refusal drops its Reason String when it would not fit; a "
            + "client whose limit even a bare CONNACK exceeds is closed")
    void authAndConnAck() throws IOException {
        startBroker(b -> b.allowAnonymous(false), e -> e.scramCredentials(new dev.tern.broker.auth
                .InMemoryScramCredentialStore().addUser("u", "p")));
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connect("a", CLEAN_START, 60, Props.of().u32(Props.MAXIMUM_PACKET_SIZE, 200)
                .utf8(Props.AUTHENTICATION_METHOD, "SCRAM-SHA-256")
                .binary(Props.AUTHENTICATION_DATA, new dev.tern.broker.test.ScramClient("u", "p").clientFirst())));
        dev.tern.codec.packet.Auth challenge = (dev.tern.codec.packet.Auth) decode(next(c));
        assertThat(challenge.properties().reasonString()).isNull();
        assertThat(challenge.properties().userProperties()).isEmpty();
        MqttTestClient refused = open5();
        refused.raw().send(V5Packets.connect("anon", CLEAN_START, 60, Props.of().u32(Props.MAXIMUM_PACKET_SIZE, 5)));
        assertNextBytes(refused, Bytes.of(0x20, 0x03, 0x00, ReasonCodes.NOT_AUTHORIZED, 0x00));
        assertClosedWithoutReply(refused);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-24] a successful CONNACK larger than the client's Maximum Packet Size is not sent: "
            + "the connection is closed")
    void connAckTooLarge() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connect("tiny", CLEAN_START, 60, Props.of().u32(Props.MAXIMUM_PACKET_SIZE, 8)));
        assertClosedWithoutReply(c);
    }
}
