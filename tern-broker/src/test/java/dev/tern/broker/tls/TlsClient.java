package dev.tern.broker.tls;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.MqttVersion;
import dev.tern.testkit.RawClient;
import dev.tern.testkit.TestPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/** JDK TLS client sockets for tests: trusting a test CA, optionally with a client certificate. */
public final class TlsClient {
    private TlsClient() {}

    /** An SSLContext trusting {@code ca} and presenting {@code client} if given. */
    public static SSLContext context(X509Certificate ca, TestPki.@Nullable Issued client) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (client != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", client.key(), new char[0], new X509Certificate[] {client.certificate()});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** A TLS socket to 127.0.0.1:port after a completed handshake. */
    public static SSLSocket connect(SSLContext ctx, int port, String... protocols) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(5_000);
        if (protocols.length > 0) {
            s.setEnabledProtocols(protocols);
        }
        var params = s.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS"); // check the server certificate's name, as clients do
        s.setSSLParameters(params);
        s.startHandshake();
        return s;
    }

    /** An MQTT test client over a TLS connection. */
    public static MqttTestClient mqtt(SSLContext ctx, int port, MqttVersion version) throws IOException {
        return MqttTestClient.over(RawClient.over(connect(ctx, port)), version);
    }
}
