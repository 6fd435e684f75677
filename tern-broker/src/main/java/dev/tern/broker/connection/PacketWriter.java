package dev.tern.broker.connection;

import dev.tern.broker.sys.BrokerMetrics;
import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.packet.Auth;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Disconnect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubComp;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.UnsubAck;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes packets for one connection's protocol version and writes them; flushing is left to the
 * caller so that a batch of writes shares one flush (design practice 2). Counts the bytes sent for
 * {@code $SYS/broker/bytes/sent} (every MQTT packet of the connection is written here). Event loop only.
 *
 * <p>For MQTT 5.0 it applies what the client asked for in CONNECT to every packet but PUBLISH: with
 * Request Problem Information 0 no Reason String or User Property goes out except on CONNACK and
 * DISCONNECT (MQTT-3.1.2-29), and a Reason String or User Property that would make a packet larger
 * than the client's Maximum Packet Size is left out (MQTT-3.2.2-19, -20, 3.4.2-2, -3 and the like).
 * PUBLISH sizes are checked by the session before a message enters flight.
 */
final class PacketWriter {
    private static final Logger LOG = LoggerFactory.getLogger(PacketWriter.class);

    private final ChannelHandlerContext ctx;
    private final BrokerMetrics metrics;
    private MqttVersion version = MqttVersion.MQTT_3_1_1;
    private long maximumPacketSize = Long.MAX_VALUE;
    private boolean problemInformation = true;
    private boolean needsFlush;

    PacketWriter(ChannelHandlerContext ctx, BrokerMetrics metrics) {
        this.ctx = ctx;
        this.metrics = metrics;
    }

    void version(MqttVersion v) {
        this.version = v;
    }

    MqttVersion version() {
        return version;
    }

    /** The client's MQTT 5.0 Maximum Packet Size and Request Problem Information. */
    void clientLimits(long maximumPacketSize, boolean problemInformation) {
        this.maximumPacketSize = maximumPacketSize;
        this.problemInformation = problemInformation;
    }

    /** The largest packet the client accepts. */
    long maximumPacketSize() {
        return maximumPacketSize;
    }

    /** Whether the client wants Reason Strings and User Properties on acknowledgements. */
    boolean problemInformation() {
        return problemInformation;
    }

    /** Writes a packet without flushing. */
    void write(MqttPacket packet) {
        ByteBuf encoded = encode(packet);
        if (encoded == null) {
            if (packet instanceof ConnAck) {
                // Even without optional properties the CONNACK exceeds the client's limit: it cannot be
                // told it is connected, so it is not (MQTT-3.1.2-24 forbids sending it).
                ctx.close();
            }
            return;
        }
        metrics.bytesSent(encoded.readableBytes());
        ctx.write(encoded, ctx.voidPromise());
        metrics.packetSent();
        needsFlush = true;
    }

    /**
     * Writes a PUBLISH without copying its payload: a fresh header, then a retained duplicate of the
     * shared payload buffer. The publish's own payload reference is untouched.
     */
    void writePublish(Publish publish) {
        ByteBuf header = MqttPacketEncoder.encodePublishHeader(publish, version, ctx.alloc());
        ByteBuf payload = publish.payload();
        metrics.bytesSent(header.readableBytes() + payload.readableBytes());
        ctx.write(header, ctx.voidPromise());
        if (payload.isReadable()) {
            ctx.write(payload.retainedDuplicate(), ctx.voidPromise());
        }
        metrics.packetSent();
        needsFlush = true;
    }

    /** Flushes if anything was written since the last flush. */
    void flush() {
        if (needsFlush) {
            needsFlush = false;
            ctx.flush();
        }
    }

    /** Writes a last packet, flushes, and closes the connection once it is out. */
    void writeAndClose(MqttPacket packet) {
        needsFlush = false;
        ByteBuf encoded = encode(packet);
        if (encoded == null) {
            ctx.flush();
            ctx.close();
            return;
        }
        metrics.packetSent();
        metrics.bytesSent(encoded.readableBytes());
        ctx.writeAndFlush(encoded).addListener(ChannelFutureListener.CLOSE);
    }

    /** Encodes, leaving out what the client does not want or cannot take; null if it cannot fit at all. */
    private ByteBuf encode(MqttPacket packet) {
        if (!version.isV5()) {
            return MqttPacketEncoder.encode(packet, version, ctx.alloc());
        }
        MqttPacket p = packet;
        boolean exempt = p instanceof ConnAck || p instanceof Disconnect || p instanceof Publish;
        if (!problemInformation && !exempt) {
            p = withoutProblemInformation(p);
        }
        ByteBuf out = MqttPacketEncoder.encode(p, version, ctx.alloc());
        if (out.readableBytes() <= maximumPacketSize) {
            return out;
        }
        MqttPacket smaller = withoutProblemInformation(p);
        if (smaller != p) {
            out.release();
            out = MqttPacketEncoder.encode(smaller, version, ctx.alloc());
            if (out.readableBytes() <= maximumPacketSize) {
                return out;
            }
        }
        out.release();
        LOG.debug("Dropped a {} larger than the client's maximum packet size {}.", packet.type(), maximumPacketSize);
        return null;
    }

    /** The packet without Reason String and User Properties (the same object if it has neither). */
    static MqttPacket withoutProblemInformation(MqttPacket p) {
        MqttProperties props = switch (p) {
            case PubAck a -> a.properties();
            case PubRec a -> a.properties();
            case PubRel a -> a.properties();
            case PubComp a -> a.properties();
            case SubAck a -> a.properties();
            case UnsubAck a -> a.properties();
            case ConnAck a -> a.properties();
            case Disconnect a -> a.properties();
            case Auth a -> a.properties();
            default -> MqttProperties.EMPTY;
        };
        if (props.reasonString() == null && props.userProperties().isEmpty()) {
            return p;
        }
        MqttProperties stripped = props.toBuilder().reasonString(null).clearUserProperties().build();
        return switch (p) {
            case PubAck a -> new PubAck(a.packetId(), a.reasonCode(), stripped);
            case PubRec a -> new PubRec(a.packetId(), a.reasonCode(), stripped);
            case PubRel a -> new PubRel(a.packetId(), a.reasonCode(), stripped);
            case PubComp a -> new PubComp(a.packetId(), a.reasonCode(), stripped);
            case SubAck a -> new SubAck(a.packetId(), a.reasonCodes(), stripped);
            case UnsubAck a -> new UnsubAck(a.packetId(), a.reasonCodes(), stripped);
            case ConnAck a -> new ConnAck(a.sessionPresent(), a.reasonCode(), stripped);
            case Disconnect a -> new Disconnect(a.reasonCode(), stripped);
            case Auth a -> new Auth(a.reasonCode(), stripped);
            default -> p;
        };
    }
}
