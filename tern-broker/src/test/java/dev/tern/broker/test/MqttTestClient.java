package dev.tern.broker.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.codec.DecodeError;
import dev.tern.codec.DecodeResult;
import dev.tern.codec.MqttPacketDecoder;
import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.Disconnect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.Subscribe;
import dev.tern.codec.packet.TopicSubscription;
import dev.tern.codec.packet.UnsubAck;
import dev.tern.codec.packet.Unsubscribe;
import dev.tern.codec.packet.Will;
import dev.tern.testkit.RawClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A test client on raw sockets that encodes and decodes with Tern's codec: precise control of every
 * byte sent, and decoded packets to assert on. Received PUBLISH payloads live in unpooled heap
 * buffers without leak tracking, so tests need not release them.
 */
public final class MqttTestClient implements AutoCloseable {
    private static final ByteBufAllocator HEAP = new UnpooledByteBufAllocator(false, true);

    private final RawClient raw;
    private final MqttPacketDecoder decoder = new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE, HEAP);
    private MqttVersion version;
    private int nextPacketId = 1;

    private MqttTestClient(RawClient raw, MqttVersion version) {
        this.raw = raw;
        this.version = version;
    }

    /** Opens a TCP connection to 127.0.0.1:port without sending anything. */
    public static MqttTestClient open(int port, MqttVersion version) throws IOException {
        return new MqttTestClient(RawClient.connect(port), version);
    }

    /** Speaks MQTT over a raw client (e.g. one on a TLS socket). */
    public static MqttTestClient over(RawClient raw, MqttVersion version) {
        return new MqttTestClient(raw, version);
    }

    /** Sends CONNECT with credentials and returns the CONNACK. */
    public ConnAck connect(String clientId, @Nullable String username, @Nullable String password, @Nullable Will will)
            throws IOException {
        send(new Connect(version, clientId, true, 60, username,
                password == null ? null : password.getBytes(StandardCharsets.UTF_8), will, MqttProperties.EMPTY));
        MqttPacket p = receive();
        assertThat(p).as("reply to CONNECT").isInstanceOf(ConnAck.class);
        return (ConnAck) p;
    }

    /** Opens a connection and completes a clean-session CONNECT; asserts CONNACK accepted. */
    public static MqttTestClient connected(int port, String clientId) throws IOException {
        return connected(port, clientId, true, MqttVersion.MQTT_3_1_1);
    }

    /** Opens a connection and completes CONNECT; asserts CONNACK accepted. */
    public static MqttTestClient connected(int port, String clientId, boolean cleanSession, MqttVersion version)
            throws IOException {
        MqttTestClient c = open(port, version);
        ConnAck ack = c.connect(clientId, cleanSession, 60, null);
        assertThat(ack.reasonCode()).as("CONNACK code for %s", clientId).isZero();
        return c;
    }

    public RawClient raw() {
        return raw;
    }

    public MqttVersion version() {
        return version;
    }

    /** Sends CONNECT and returns the CONNACK. */
    public ConnAck connect(String clientId, boolean cleanSession, int keepAlive, @Nullable Will will)
            throws IOException {
        send(new Connect(version, clientId, cleanSession, keepAlive, null, null, will, MqttProperties.EMPTY));
        MqttPacket p = receive();
        assertThat(p).as("reply to CONNECT").isInstanceOf(ConnAck.class);
        return (ConnAck) p;
    }

    /** Encodes and sends a packet. */
    public MqttTestClient send(MqttPacket packet) throws IOException {
        ByteBuf buf = MqttPacketEncoder.encode(packet, version, HEAP);
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            raw.send(bytes);
        } finally {
            buf.release();
        }
        return this;
    }

    /** Receives and decodes the next packet. */
    public MqttPacket receive(Duration timeout) throws IOException {
        byte[] bytes = raw.readPacket(timeout);
        DecodeResult r = decoder.decode(Unpooled.wrappedBuffer(bytes), version);
        if (r instanceof DecodeResult.Decoded d) {
            return d.packet();
        }
        throw new AssertionError("server sent an undecodable packet: "
                + (r instanceof DecodeError e ? e.message() : r));
    }

    public MqttPacket receive() throws IOException {
        return receive(RawClient.DEFAULT_TIMEOUT);
    }

    /** Receives the next packet and asserts its type. */
    public <T extends MqttPacket> T expect(Class<T> type) throws IOException {
        MqttPacket p = receive();
        assertThat(p).isInstanceOf(type);
        return type.cast(p);
    }

    /** Subscribes and returns the SUBACK. */
    public SubAck subscribe(String filter, QoS qos) throws IOException {
        int id = packetId();
        send(new Subscribe(id, List.of(new TopicSubscription(filter, qos)), MqttProperties.EMPTY));
        SubAck ack = expect(SubAck.class);
        assertThat(ack.packetId()).isEqualTo(id);
        return ack;
    }

    /** Unsubscribes and returns the UNSUBACK. */
    public UnsubAck unsubscribe(String filter) throws IOException {
        int id = packetId();
        send(new Unsubscribe(id, List.of(filter), MqttProperties.EMPTY));
        UnsubAck ack = expect(UnsubAck.class);
        assertThat(ack.packetId()).isEqualTo(id);
        return ack;
    }

    /** Publishes; for QoS 1 waits for PUBACK; for QoS 2 completes PUBREC/PUBREL/PUBCOMP. */
    public void publish(String topic, String payload, QoS qos, boolean retain) throws IOException {
        int id = qos == QoS.AT_MOST_ONCE ? 0 : packetId();
        send(new Publish(topic, qos, retain, false, id, MqttProperties.EMPTY,
                Unpooled.wrappedBuffer(payload.getBytes(StandardCharsets.UTF_8))));
        if (qos == QoS.AT_LEAST_ONCE) {
            assertThat(expect(PubAck.class).packetId()).isEqualTo(id);
        } else if (qos == QoS.EXACTLY_ONCE) {
            assertThat(expect(dev.tern.codec.packet.PubRec.class).packetId()).isEqualTo(id);
            send(new dev.tern.codec.packet.PubRel(id));
            assertThat(expect(dev.tern.codec.packet.PubComp.class).packetId()).isEqualTo(id);
        }
    }

    /** Sends DISCONNECT and closes the socket. */
    public void disconnect() throws IOException {
        send(Disconnect.NORMAL);
        raw.close();
    }

    /** A fresh packet identifier. */
    public int packetId() {
        int id = nextPacketId;
        nextPacketId = nextPacketId == 65_535 ? 1 : nextPacketId + 1;
        return id;
    }

    /** The payload of a received PUBLISH as UTF-8. */
    public static String text(Publish p) {
        return p.payload().toString(StandardCharsets.UTF_8);
    }

    /** Closes the socket without DISCONNECT. */
    @Override
    public void close() throws IOException {
        raw.close();
    }
}
