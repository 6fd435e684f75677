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
        // hasAttr first: attr() would create the channel's attribute table (about 60 bytes) on every
        // plain connection, which never has certificates.
        List<X509Certificate> c = channel.hasAttr(KEY) ? channel.attr(KEY).get() : null;
        return c == null ? List.of() : c;
    }
}
