package dev.tern.broker.connection;

import dev.tern.broker.sys.BrokerMetrics;
import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.Publish;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;

/**
 * Encodes packets for one connection's protocol version and writes them; flushing is left to the
 * caller so that a batch of writes shares one flush (design practice 2). Event loop only.
 */
final class PacketWriter {
    private final ChannelHandlerContext ctx;
    private final BrokerMetrics metrics;
    private MqttVersion version = MqttVersion.MQTT_3_1_1;
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

    /** Writes a packet without flushing. */
    void write(MqttPacket packet) {
        ctx.write(MqttPacketEncoder.encode(packet, version, ctx.alloc()), ctx.voidPromise());
        metrics.packetSent();
        needsFlush = true;
    }

    /**
     * Writes a PUBLISH without copying its payload: a fresh header, then a retained duplicate of the
     * shared payload buffer. The publish's own payload reference is untouched.
     */
    void writePublish(Publish publish) {
        ctx.write(MqttPacketEncoder.encodePublishHeader(publish, version, ctx.alloc()), ctx.voidPromise());
        ByteBuf payload = publish.payload();
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
        metrics.packetSent();
        ctx.writeAndFlush(MqttPacketEncoder.encode(packet, version, ctx.alloc()))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
