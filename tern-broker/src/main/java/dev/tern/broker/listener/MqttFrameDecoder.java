package dev.tern.broker.listener;

import dev.tern.broker.sys.BrokerMetrics;
import dev.tern.codec.DecodeError;
import dev.tern.codec.DecodeResult;
import dev.tern.codec.MqttPacketDecoder;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.packet.Connect;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Turns the byte stream into packets with the codec. Emits each packet, or one {@link DecodeError}
 * after which it discards all further input: the stream cannot be resynchronised, and the connection
 * handler closes the connection. The protocol version is learnt from the first CONNECT. It also counts
 * the bytes received for {@code $SYS/broker/bytes/received}: here rather than in a handler of its own,
 * whose pipeline context would cost every connection 64 bytes.
 */
public final class MqttFrameDecoder extends ByteToMessageDecoder {
    private final int maximumPacketSize;
    private final BrokerMetrics metrics;
    private @Nullable MqttPacketDecoder decoder;
    private @Nullable MqttVersion version;
    private boolean failed;

    /**
     * @param maximumPacketSize largest packet accepted, checked before the body is buffered
     * @param metrics           where the bytes read are counted
     */
    public MqttFrameDecoder(int maximumPacketSize, BrokerMetrics metrics) {
        this.maximumPacketSize = maximumPacketSize;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf b) {
            metrics.bytesReceived(b.readableBytes()); // also what a failed stream discards
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Payloads are copied into buffers from the channel's allocator.
        decoder = new MqttPacketDecoder(maximumPacketSize, ctx.alloc());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed || decoder == null) {
            in.skipBytes(in.readableBytes());
            return;
        }
        DecodeResult result = decoder.decode(in, version);
        switch (result) {
            case DecodeResult.Incomplete incomplete -> { }
            case DecodeResult.Decoded decoded -> {
                if (version == null && decoded.packet() instanceof Connect connect) {
                    version = connect.version();
                }
                out.add(decoded.packet());
            }
            case DecodeError error -> {
                failed = true;
                in.skipBytes(in.readableBytes());
                out.add(error);
            }
        }
    }
}
