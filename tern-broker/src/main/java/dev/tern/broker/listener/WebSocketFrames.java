package dev.tern.broker.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT over WebSocket frames: the payloads of binary (and continuation) frames form the MQTT byte
 * stream, whatever the frame boundaries [MQTT-6.0.0-2]; a text frame closes the connection
 * [MQTT-6.0.0-1]. Outgoing bytes are gathered until flush and sent as one binary frame, so that a
 * packet header and its shared payload buffer still go out without a copy. Event loop only.
 */
final class WebSocketFrames extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger("dev.tern.broker.connection");
    private @Nullable CompositeByteBuf pending;
    private @Nullable ChannelPromise pendingPromise;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
            ByteBuf content = ((WebSocketFrame) msg).content();
            if (content.isReadable()) {
                ctx.fireChannelRead(content);
            } else {
                content.release();
            }
            return;
        }
        if (msg instanceof WebSocketFrame frame) {
            String type = frame.getClass().getSimpleName();
            frame.release();
            LOG.warn("Client {} sent a {} over WebSocket; MQTT travels in binary frames only [MQTT-6.0.0-1], "
                    + "closing.", Transport.address(ctx.channel()), type);
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE))
                    .addListener(f -> ctx.close());
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.write(msg, promise);
            return;
        }
        if (pending == null) {
            pending = ctx.alloc().compositeBuffer(64);
        }
        pending.addComponent(true, buf);
        if (!promise.isVoid()) {
            // Real promises complete when the frame that carries these bytes is written.
            if (pendingPromise == null) {
                pendingPromise = ctx.newPromise();
            }
            pendingPromise.addListener(f -> {
                if (f.isSuccess()) {
                    promise.trySuccess();
                } else {
                    promise.tryFailure(f.cause());
                }
            });
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        writePending(ctx);
        ctx.flush();
    }

    private void writePending(ChannelHandlerContext ctx) {
        CompositeByteBuf p = pending;
        if (p == null) {
            return;
        }
        pending = null;
        ChannelPromise promise = pendingPromise != null ? pendingPromise : ctx.voidPromise();
        pendingPromise = null;
        ctx.write(new BinaryWebSocketFrame(p), promise);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException e) {
            LOG.warn("Client {} sent a bad WebSocket frame, closing: {}", Transport.address(ctx.channel()),
                    e.getMessage());
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    private void release() {
        if (pending != null) {
            ReferenceCountUtil.release(pending);
            pending = null;
        }
        if (pendingPromise != null) {
            pendingPromise.tryFailure(new java.nio.channels.ClosedChannelException());
            pendingPromise = null;
        }
    }
}
