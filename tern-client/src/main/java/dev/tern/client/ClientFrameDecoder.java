package dev.tern.client;

import dev.tern.codec.DecodeError;
import dev.tern.codec.DecodeResult;
import dev.tern.codec.MqttPacketDecoder;
import dev.tern.codec.MqttVersion;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Turns the server's byte stream into packets; emits one {@link DecodeError} and discards the rest
 * of the stream on malformed input, after which the client closes the connection.
 */
final class ClientFrameDecoder extends ByteToMessageDecoder {
    private final MqttVersion version;
    private final int maximumPacketSize;
    private MqttPacketDecoder decoder;
    private boolean failed;

    ClientFrameDecoder(MqttVersion version, int maximumPacketSize) {
        this.version = version;
        this.maximumPacketSize = maximumPacketSize;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        decoder = new MqttPacketDecoder(maximumPacketSize, ctx.alloc());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        switch (decoder.decode(in, version)) {
            case DecodeResult.Incomplete incomplete -> { }
            case DecodeResult.Decoded decoded -> out.add(decoded.packet());
            case DecodeError error -> {
                failed = true;
                in.skipBytes(in.readableBytes());
                out.add(error);
            }
        }
    }
}
