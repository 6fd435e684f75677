package dev.tern.broker.spec.v5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.spec.Bytes;
import dev.tern.broker.spec.SpecTestBase;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Disconnect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import java.io.IOException;

/**
 * Plumbing of the MQTT 5.0 conformance suite, on top of the 3.1.1 suite's: clients that speak 5.0
 * (raw bytes out, decoded packets back), and assertions on reason codes as they are on the wire.
 */
abstract class V5SpecTestBase extends SpecTestBase {

    /** A TCP connection that decodes what it receives as MQTT 5.0; nothing sent yet. */
    protected MqttTestClient open5() throws IOException {
        return open(MqttVersion.MQTT_5);
    }

    /** Sends raw CONNECT bytes and returns the decoded reply, which must be a CONNACK. */
    protected static ConnAck connAck(MqttTestClient c, byte[] connect) throws IOException {
        c.raw().send(connect);
        MqttPacket p = c.receive(WAIT);
        assertThat(p).as("reply to CONNECT").isInstanceOf(ConnAck.class);
        return (ConnAck) p;
    }

    /** An MQTT 5.0 client connected with clean start, keep-alive 60 and the given properties. */
    protected MqttTestClient connect5(String clientId, Props props) throws IOException {
        MqttTestClient c = open5();
        ConnAck ack = connAck(c, V5Packets.connect(clientId, V5Packets.CLEAN_START, 60, props));
        assertThat(ack.reasonCode()).as("CONNACK reason code for %s", clientId).isZero();
        return c;
    }

    protected MqttTestClient connect5(String clientId) throws IOException {
        return connect5(clientId, Props.none());
    }

    /** Subscribes with raw SUBSCRIBE bytes and asserts the SUBACK's reason codes. */
    protected static void subscribe5(MqttTestClient c, int packetId, Props props, String filter, int options,
                                     int expectedCode) throws IOException {
        c.raw().send(V5Packets.subscribe(packetId, props, filter, options));
        MqttPacket p = c.receive(WAIT);
        assertThat(p).as("reply to SUBSCRIBE").isInstanceOf(SubAck.class);
        assertThat(((SubAck) p).reasonCodes()).as("SUBACK reason codes").containsExactly(expectedCode);
    }

    /**
     * A clean-start MQTT 5.0 client subscribed to the {@link #FENCE} topic and then to one filter with
     * the given options byte (its low bits are the QoS).
     */
    protected MqttTestClient subscriber5(String clientId, String filter, int options) throws IOException {
        MqttTestClient c = connect5(clientId);
        subscribe5(c, 1, Props.none(), FENCE, 0, 0);
        subscribe5(c, 2, Props.none(), filter, options, options & 0x03);
        return c;
    }

    /** {@link #assertNextPublishIsFence} with an MQTT 5.0 publisher. */
    protected static void assertNextPublishIsFence5(MqttTestClient subscriber, MqttTestClient publisher)
            throws IOException {
        publisher.raw().send(V5Packets.publish0(FENCE, "fence"));
        Publish p = nextPublish(subscriber);
        assertThat(p.topic()).as("first PUBLISH after the fence was sent (payload '%s')", MqttTestClient.text(p))
                .isEqualTo(FENCE);
    }

    /**
     * Asserts that the server sends a DISCONNECT with this reason code (checking the raw byte) and then
     * closes the connection; returns the decoded DISCONNECT.
     */
    protected static Disconnect assertDisconnect(MqttTestClient c, int reasonCode) throws IOException {
        byte[] raw = next(c);
        assertThat(raw[0] & 0xFF).as("packet type of %s", Bytes.hex(raw)).isEqualTo(0xE0);
        assertThat(reasonCodeByte(raw, 0)).as("DISCONNECT reason code in %s", Bytes.hex(raw)).isEqualTo(reasonCode);
        assertClosedWithoutReply(c);
        return (Disconnect) decode(raw);
    }

    /** Asserts the next packet is a CONNACK with this reason code (raw byte 3), then that the server closes. */
    protected static ConnAck assertConnAckRefusal(MqttTestClient c, int reasonCode) throws IOException {
        byte[] raw = next(c);
        assertThat(raw[0] & 0xFF).as("packet type of %s", Bytes.hex(raw)).isEqualTo(0x20);
        assertThat(reasonCodeByte(raw, 1)).as("CONNACK reason code in %s", Bytes.hex(raw)).isEqualTo(reasonCode);
        assertThat(raw[lengthEnd(raw)] & 0xFF).as("session present must be 0 with an error [MQTT-3.2.2-6]").isZero();
        assertClosedWithoutReply(c);
        return (ConnAck) decode(raw);
    }

    /**
     * The reason code byte of a raw packet: the first byte after the fixed header and {@code skip} more
     * bytes (1 for CONNACK's flags, 2 for a packet identifier).
     */
    protected static int reasonCodeByte(byte[] raw, int skip) {
        int i = lengthEnd(raw) + skip;
        return i < raw.length ? raw[i] & 0xFF : 0x00; // an omitted reason code is 0x00 (MQTT 5.0 section 3.4.2.1)
    }

    /** Index of the first byte after the fixed header. */
    protected static int lengthEnd(byte[] raw) {
        int i = 1;
        while ((raw[i] & 0x80) != 0) {
            i++;
        }
        return i + 1;
    }

    /** Decodes raw bytes as an MQTT 5.0 packet. */
    protected static MqttPacket decode(byte[] raw) {
        var r = new dev.tern.codec.MqttPacketDecoder(dev.tern.codec.MqttPacketDecoder.MAX_PACKET_SIZE,
                io.netty.buffer.UnpooledByteBufAllocator.DEFAULT).decode(io.netty.buffer.Unpooled.wrappedBuffer(raw),
                MqttVersion.MQTT_5);
        assertThat(r).as("decodable packet %s", Bytes.hex(raw)).isInstanceOf(dev.tern.codec.DecodeResult.Decoded.class);
        MqttPacket p = ((dev.tern.codec.DecodeResult.Decoded) r).packet();
        if (p instanceof Publish pub) {
            pub.release();
        }
        return p;
    }

    /** Asserts topic, payload, QoS and RETAIN of a received PUBLISH. */
    protected static void assertPublish5(Publish p, String topic, String payload, QoS qos, boolean retain) {
        assertPublish(p, topic, payload, qos, retain);
    }
}
