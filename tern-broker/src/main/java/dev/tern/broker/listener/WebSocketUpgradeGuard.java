package dev.tern.broker.listener;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the HTTP request that opens a WebSocket before Netty's handshaker sees it: it must be a GET
 * upgrade to {@code /mqtt} or {@code /} offering the subprotocol {@code mqtt} (or MQTT 3.1's
 * {@code mqttv3.1}) [MQTT-6.0.0-3], [MQTT-6.0.0-4]. Anything else is answered with an HTTP error,
 * logged and closed. Removes itself after the first request.
 */
final class WebSocketUpgradeGuard extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger("dev.tern.broker.connection");

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        String refusal = refusal(request);
        if (refusal != null) {
            HttpResponseStatus status = refusal.startsWith("path") ? HttpResponseStatus.NOT_FOUND
                    : request.decoderResult().cause() instanceof TooLongFrameException
                    ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE : HttpResponseStatus.BAD_REQUEST;
            LOG.warn("WebSocket upgrade from {} refused ({}): {}.", Transport.address(ctx.channel()), status.code(),
                    refusal);
            request.release();
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(refusal + "\r\n", StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(request);
    }

    private static String refusal(FullHttpRequest request) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            return "malformed HTTP request (" + result.cause().getMessage() + ")";
        }
        if (!request.method().equals(HttpMethod.GET)) {
            return "expected GET, got " + request.method();
        }
        String path = new QueryStringDecoder(request.uri()).path();
        if (!path.equals("/mqtt") && !path.equals("/")) {
            return "path '" + path + "' is not /mqtt or /";
        }
        if (!request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            return "not a WebSocket upgrade request";
        }
        String protocols = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        if (protocols == null) {
            return "no Sec-WebSocket-Protocol header; MQTT needs the subprotocol 'mqtt' [MQTT-6.0.0-3]";
        }
        for (String p : protocols.split(",")) {
            String s = p.strip();
            if (s.equals("mqtt") || s.equals("mqttv3.1")) {
                return null;
            }
        }
        return "subprotocols '" + protocols + "' do not include 'mqtt' [MQTT-6.0.0-3]";
    }
}
