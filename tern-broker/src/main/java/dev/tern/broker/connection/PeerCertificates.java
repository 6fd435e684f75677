package dev.tern.broker.connection;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** The verified client certificate chain of a TLS connection, which the transport records for CONNECT. */
public final class PeerCertificates {
    /** Set by the TLS layer after a successful handshake (leaf first). */
    public static final AttributeKey<List<X509Certificate>> KEY =
            AttributeKey.valueOf(PeerCertificates.class, "peerCertificates");

    private PeerCertificates() {}

    /** The client certificate chain of a connection, empty if it has none. */
    public static List<X509Certificate> of(Channel channel) {
        List<X509Certificate> c = channel.attr(KEY).get();
        return c == null ? List.of() : c;
    }
}
