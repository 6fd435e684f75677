package dev.tern.broker.listener;

import dev.tern.broker.connection.PeerCertificates;
import dev.tern.broker.security.CertificateNames;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits behind the {@link SslHandler}: logs a failed handshake (plain text on a TLS port, garbage, an
 * untrusted, expired or revoked client certificate) in one line and closes only that connection, and
 * after a successful handshake records the client's certificate chain for the connection layer.
 */
final class TlsErrorHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger("dev.tern.broker.connection");
    private boolean reported;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            if (e.isSuccess()) {
                ctx.channel().attr(PeerCertificates.KEY).set(peerCertificates(ctx));
            } else {
                report(ctx, e.cause());
                ctx.close();
                return;
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && (cause.getCause() instanceof SSLException
                || cause.getCause() instanceof NotSslRecordException) || cause instanceof SSLException) {
            report(ctx, cause);
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private void report(ChannelHandlerContext ctx, Throwable cause) {
        if (reported) {
            return;
        }
        reported = true;
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : root.toString();
        boolean notTls = cause instanceof NotSslRecordException || root instanceof NotSslRecordException
                || message.contains("BAD_PACKET_LENGTH") || message.contains("WRONG_VERSION_NUMBER")
                || message.contains("HTTP_REQUEST");
        String why = notTls ? "not TLS (plain MQTT on a TLS port?): " + message : message;
        LOG.warn("TLS handshake with {} failed, closing: {}", Transport.address(ctx.channel()), why);
    }

    private static List<X509Certificate> peerCertificates(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return List.of();
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : ssl.engine().getSession().getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    out.add(x);
                }
            }
            if (!out.isEmpty()) {
                LOG.debug("Client {} presented certificate '{}'.", Transport.address(ctx.channel()),
                        CertificateNames.subject(out.get(0)));
            }
            return List.copyOf(out);
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }
}
