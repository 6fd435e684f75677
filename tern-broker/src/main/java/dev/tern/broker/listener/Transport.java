package dev.tern.broker.listener;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;

/** What the transport learnt about a connection that the MQTT layer needs: its client certificates. */
public final class Transport {
    /** The verified client certificate chain (leaf first); set after a TLS handshake. */
    public static final AttributeKey<List<X509Certificate>> PEER_CERTIFICATES =
            AttributeKey.valueOf(Transport.class, "peerCertificates");

    private Transport() {}

    /** The client certificate chain of a connection, empty if it has none. */
    public static List<X509Certificate> peerCertificates(Channel channel) {
        List<X509Certificate> c = channel.attr(PEER_CERTIFICATES).get();
        return c == null ? List.of() : c;
    }

    static String address(Channel channel) {
        SocketAddress a = channel.remoteAddress();
        if (a instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(a);
    }
}
