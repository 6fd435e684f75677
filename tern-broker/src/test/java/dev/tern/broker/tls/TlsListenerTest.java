package dev.tern.broker.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.TernBroker;
import dev.tern.broker.config.ConfigParser;
import dev.tern.broker.test.LogCapture;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.PingReq;
import dev.tern.codec.packet.PingResp;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import dev.tern.testkit.RawClient;
import dev.tern.testkit.TestPki;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS listeners: server certificates, client certificates (require_certificate, CRLs), versions, reloads, bad input. */
class TlsListenerTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki otherPki;
    static TestPki.Issued server;
    static TestPki.Issued client;
    static TestPki.Issued revoked;
    static TestPki.Issued expired;
    static TestPki.Issued stranger;
    static Path crl;

    private TernBroker broker;

    @BeforeAll
    static void certificates() throws Exception {
        pki = TestPki.create(dir, "tern");
        otherPki = TestPki.create(dir, "other");
        server = pki.server("server");
        client = pki.client("sensor-1");
        revoked = pki.client("stolen");
        expired = pki.expiredClient("old");
        stranger = otherPki.client("sensor-1");
        crl = pki.crl("tern.crl", revoked.certificate());
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private TernBroker start(String... lines) throws Exception {
        String text = "sys_interval 0\nallow_anonymous true\n" + String.join("\n", lines) + "\n";
        broker = TernBroker.builder().config(ConfigParser.parse(text, dir.resolve("tern.conf"))).build().start();
        return broker;
    }

    private String serverTls() {
        return "certfile " + server.certFile() + "\nkeyfile " + server.keyFile();
    }

    private String requireClientCertificates() {
        return serverTls() + "\ncafile " + pki.caFile() + "\nrequire_certificate true";
    }

    private static void assertMqttWorks(SSLContext ctx, int port) throws IOException {
        try (MqttTestClient c = TlsClient.mqtt(ctx, port, MqttVersion.MQTT_3_1_1)) {
            assertThat(c.connect("tls-client", true, 60, null).reasonCode()).isZero();
            c.send(PingReq.INSTANCE);
            assertThat(c.receive()).isInstanceOf(PingResp.class);
        }
    }

    /** The connection must fail: in the handshake, or (TLS 1.3 reports client certificate errors late) on the first read. */
    private static void assertRefused(SSLContext ctx, int port) {
        assertThatThrownBy(() -> {
            try (SSLSocket s = TlsClient.connect(ctx, port)) {
                MqttTestClient c = MqttTestClient.over(RawClient.over(s), MqttVersion.MQTT_3_1_1);
                c.connect("tls-client", true, 60, null);
            }
        }).isInstanceOfAny(IOException.class, AssertionError.class);
    }

    @Test
    @DisplayName("MQTT over TLS: the server presents its certificate, clients verify it by name and connect")
    void serverCertificate() throws Exception {
        start("listener 0 127.0.0.1", serverTls());
        SSLContext ctx = TlsClient.context(pki.caCertificate(), null);
        assertMqttWorks(ctx, broker.port());
        try (SSLSocket s = TlsClient.connect(ctx, broker.port())) {
            X509Certificate presented = (X509Certificate) s.getSession().getPeerCertificates()[0];
            assertThat(presented.getSerialNumber()).isEqualTo(server.certificate().getSerialNumber());
        }
    }

    @Test
    @DisplayName("TLS 1.2 and 1.3 are accepted by default; tls_version tlsv1.3 refuses a TLS 1.2 client")
    void versions() throws Exception {
        start("listener 0 127.0.0.1", serverTls(), "listener 0 127.0.0.1", serverTls(), "tls_version tlsv1.3");
        SSLContext ctx = TlsClient.context(pki.caCertificate(), null);
        int both = broker.ports().get(0);
        int only13 = broker.ports().get(1);
        for (String v : new String[] {"TLSv1.2", "TLSv1.3"}) {
            try (SSLSocket s = TlsClient.connect(ctx, both, v)) {
                assertThat(s.getSession().getProtocol()).isEqualTo(v);
            }
        }
        try (SSLSocket s = TlsClient.connect(ctx, only13, "TLSv1.3")) {
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
        assertThatThrownBy(() -> TlsClient.connect(ctx, only13, "TLSv1.2").close()).isInstanceOf(IOException.class);
    }

    @Test
    @DisplayName("ciphers (OpenSSL names) limits the TLS 1.2 cipher suites offered")
    void cipherList() throws Exception {
        start("listener 0 127.0.0.1", serverTls(), "ciphers ECDHE-ECDSA-AES128-GCM-SHA256");
        SSLContext ctx = TlsClient.context(pki.caCertificate(), null);
        try (SSLSocket s = TlsClient.connect(ctx, broker.port(), "TLSv1.2")) {
            assertThat(s.getSession().getCipherSuite()).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        }
        assertThatThrownBy(() -> {
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", broker.port());
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"});
            s.setSoTimeout(5_000);
            try (s) {
                s.startHandshake();
            }
        }).isInstanceOf(IOException.class);
    }

    @Test
    @DisplayName("plain MQTT and garbage on a TLS port close only that connection, with a log line")
    void plainTextAndGarbage() throws Exception {
        start("listener 0 127.0.0.1", serverTls());
        SSLContext ctx = TlsClient.context(pki.caCertificate(), null);
        try (LogCapture log = LogCapture.start();
             MqttTestClient bystander = TlsClient.mqtt(ctx, broker.port(), MqttVersion.MQTT_3_1_1)) {
            assertThat(bystander.connect("bystander", true, 60, null).reasonCode()).isZero();
            try (MqttTestClient plain = MqttTestClient.open(broker.port(), MqttVersion.MQTT_3_1_1)) {
                plain.send(new dev.tern.codec.packet.Connect(MqttVersion.MQTT_3_1_1, "plain", true, 60, null, null,
                        null, dev.tern.codec.MqttProperties.EMPTY));
                assertThat(plain.raw().awaitClosed(Duration.ofSeconds(5))).isTrue();
            }
            try (RawClient garbage = RawClient.connect(broker.port())) {
                // a TLS record header (handshake, TLS 1.2, 16 bytes) followed by 16 bytes that are no ClientHello
                garbage.send(new byte[] {0x16, 0x03, 0x03, 0x00, 0x10, 0x01, 0x00, 0x00, 0x0c, (byte) 0xde, (byte) 0xad,
                    (byte) 0xbe, (byte) 0xef, 9, 8, 7, 6, 5, 4, 3, 2});
                assertThat(garbage.awaitClosed(Duration.ofSeconds(5))).isTrue();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> log.contains("TLS handshake with 127.0.0.1", "failed"));
            assertThat(log.contains("not TLS (plain MQTT on a TLS port?)")).isTrue();
            bystander.send(PingReq.INSTANCE);
            assertThat(bystander.receive()).as("the TLS client noticed nothing").isInstanceOf(PingResp.class);
        }
    }

    @Test
    @DisplayName("a client that opens a TLS connection and never finishes the handshake is closed after connect_timeout")
    void stalledHandshake() throws Exception {
        start("connect_timeout 1", "listener 0 127.0.0.1", serverTls());
        try (RawClient idle = RawClient.connect(broker.port())) {
            assertThat(idle.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
        try (RawClient half = RawClient.connect(broker.port())) {
            half.send(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01}); // the start of a ClientHello, then silence
            assertThat(half.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    @DisplayName("require_certificate: a certificate from the CA is accepted; none, another CA's and an expired one are refused")
    void clientCertificates() throws Exception {
        start("listener 0 127.0.0.1", requireClientCertificates());
        int port = broker.port();
        assertMqttWorks(TlsClient.context(pki.caCertificate(), client), port);
        try (LogCapture log = LogCapture.start()) {
            assertRefused(TlsClient.context(pki.caCertificate(), null), port);
            assertRefused(TlsClient.context(pki.caCertificate(), stranger), port);
            assertRefused(TlsClient.context(pki.caCertificate(), expired), port);
            await().atMost(Duration.ofSeconds(5)).until(() -> log.messages().stream()
                    .filter(m -> m.contains("TLS handshake with") && m.contains("failed")).count() >= 3);
        }
        assertMqttWorks(TlsClient.context(pki.caCertificate(), client), port);
    }

    @Test
    @DisplayName("crlfile: a revoked client certificate is refused, others are accepted")
    void revokedCertificate() throws Exception {
        start("listener 0 127.0.0.1", requireClientCertificates(), "crlfile " + crl);
        assertRefused(TlsClient.context(pki.caCertificate(), revoked), broker.port());
        assertMqttWorks(TlsClient.context(pki.caCertificate(), client), broker.port());
    }

    @Test
    @DisplayName("capath: CA certificates are read from a directory")
    void caPath() throws Exception {
        Path cas = Files.createDirectories(dir.resolve("cas"));
        Files.copy(pki.caFile(), cas.resolve("tern-ca.pem"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(cas.resolve("README"), "not a certificate");
        start("listener 0 127.0.0.1", serverTls(), "capath " + cas, "require_certificate true");
        assertMqttWorks(TlsClient.context(pki.caCertificate(), client), broker.port());
        assertRefused(TlsClient.context(pki.caCertificate(), stranger), broker.port());
    }

    @Test
    @DisplayName("use_identity_as_username and use_subject_as_username name the user from the certificate, for ACLs")
    void certificateAsUsername() throws Exception {
        Path acl = dir.resolve("cert.acl");
        Files.writeString(acl, "user sensor-1\ntopic readwrite cn/#\n"
                + "user CN=sensor-1,OU=devices,O=Tern tests\ntopic readwrite subject/#\n");
        start("acl_file " + acl, "listener 0 127.0.0.1", requireClientCertificates(), "use_identity_as_username true",
                "listener 0 127.0.0.1", requireClientCertificates(), "use_subject_as_username true");
        SSLContext ctx = TlsClient.context(pki.caCertificate(), client);
        try (MqttTestClient c = TlsClient.mqtt(ctx, broker.ports().get(0), MqttVersion.MQTT_3_1_1)) {
            assertThat(c.connect("id", "ignored", "ignored", null).reasonCode())
                    .as("the password file is not consulted").isZero();
            assertThat(c.subscribe("cn/#", QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(0);
            assertThat(c.subscribe("subject/#", QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(0x80);
        }
        try (MqttTestClient c = TlsClient.mqtt(ctx, broker.ports().get(1), MqttVersion.MQTT_3_1_1)) {
            assertThat(c.connect("subj", true, 60, null).reasonCode()).isZero();
            SubAck ack = c.subscribe("subject/#", QoS.AT_MOST_ONCE);
            assertThat(ack.reasonCodes()).containsExactly(0);
            assertThat(c.subscribe("cn/#", QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(0x80);
        }
    }

    @Test
    @DisplayName("RSA keys in PKCS#1 form (BEGIN RSA PRIVATE KEY), as older openssl writes them, are read")
    void pkcs1Key() throws Exception {
        TestPki.Issued rsa = pki.rsaServerPkcs1("rsa-server");
        assertThat(Files.readString(rsa.keyFile())).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        start("listener 0 127.0.0.1", "certfile " + rsa.certFile(), "keyfile " + rsa.keyFile());
        assertMqttWorks(TlsClient.context(pki.caCertificate(), null), broker.port());
    }

    @Test
    @DisplayName("EC keys in SEC1 form (BEGIN EC PRIVATE KEY), as openssl ecparam writes them, are read")
    void sec1Key() throws Exception {
        Path key = dir.resolve("sec1.key");
        // openssl ecparam -genkey writes the named curve in the key's [0] parameters
        var info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(server.key().getEncoded());
        var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256,
                ((java.security.interfaces.ECPrivateKey) server.key()).getS(), info.getPrivateKeyAlgorithm().getParameters());
        java.io.StringWriter w = new java.io.StringWriter();
        try (var pem = new org.bouncycastle.util.io.pem.PemWriter(w)) {
            pem.writeObject(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        }
        Files.writeString(key, w.toString());
        assertThat(w.toString()).startsWith("-----BEGIN EC PRIVATE KEY-----");
        start("listener 0 127.0.0.1", "certfile " + server.certFile(), "keyfile " + key);
        assertMqttWorks(TlsClient.context(pki.caCertificate(), null), broker.port());
    }

    @Test
    @DisplayName("a certificate and key that do not belong together stop the broker from starting, naming the file")
    void mismatchedKey() throws Exception {
        TestPki.Issued other = pki.server("other-server");
        assertThatThrownBy(() -> start("listener 0 127.0.0.1", "certfile " + server.certFile(),
                "keyfile " + other.keyFile())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(server.certFile().toString());
    }

    @Test
    @DisplayName("reload swaps the server certificate for new connections without dropping open ones; a broken file keeps the old one")
    void reloadWithoutDroppingConnections() throws Exception {
        Path cert = dir.resolve("live.crt");
        Path key = dir.resolve("live.key");
        Files.copy(server.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(server.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
        start("tls_reload_interval 0", "listener 0 127.0.0.1", "certfile " + cert, "keyfile " + key);
        SSLContext ctx = TlsClient.context(pki.caCertificate(), null);
        try (MqttTestClient open = TlsClient.mqtt(ctx, broker.port(), MqttVersion.MQTT_3_1_1)) {
            assertThat(open.connect("stays", true, 60, null).reasonCode()).isZero();
            assertThat(open.subscribe("t", QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(0);

            TestPki.Issued renewed = pki.server("renewed");
            Files.copy(renewed.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(renewed.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
            assertThat(broker.reload()).isTrue();
            assertThat(presentedSerial(ctx)).isEqualTo(renewed.certificate().getSerialNumber());

            Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
            broker.reload();
            assertThat(presentedSerial(ctx)).as("kept the last good certificate")
                    .isEqualTo(renewed.certificate().getSerialNumber());

            try (MqttTestClient other = TlsClient.mqtt(ctx, broker.port(), MqttVersion.MQTT_3_1_1)) {
                assertThat(other.connect("pub", true, 60, null).reasonCode()).isZero();
                other.publish("t", "after reload", QoS.AT_MOST_ONCE, false);
            }
            Publish p = open.expect(Publish.class);
            assertThat(MqttTestClient.text(p)).as("the connection from before the reloads still works")
                    .isEqualTo("after reload");
        }
    }

    @Test
    @DisplayName("changed certificate files are picked up without SIGHUP (tls_reload_interval)")
    void reloadOnFileChange() throws Exception {
        Path cert = dir.resolve("watched.crt");
        Path key = dir.resolve("watched.key");
        Files.copy(server.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(server.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
        start("tls_reload_interval 1", "listener 0 127.0.0.1", "certfile " + cert, "keyfile " + key);
        SSLContext ctx = TlsClient.context(pki.caCertificate(), null);
        assertThat(presentedSerial(ctx)).isEqualTo(server.certificate().getSerialNumber());
        TestPki.Issued renewed = pki.server("renewed-watch");
        // write the key first: the check may fire between the two copies, and then retries later
        Path tmpKey = dir.resolve("watched.key.new");
        Path tmpCert = dir.resolve("watched.crt.new");
        Files.copy(renewed.keyFile(), tmpKey, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(renewed.certFile(), tmpCert, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmpKey, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmpCert, cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> presentedSerial(ctx).equals(renewed.certificate().getSerialNumber()));
    }

    private BigInteger presentedSerial(SSLContext ctx) throws IOException {
        try (SSLSocket s = TlsClient.connect(ctx, broker.port())) {
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    @Test
    @DisplayName("a listener with TLS options but no keyfile is a configuration error naming the option")
    void incompleteTls() throws Exception {
        assertThatThrownBy(() -> ConfigParser.parse("listener 8883\ncertfile " + server.certFile() + "\n",
                dir.resolve("x.conf"))).hasMessageContaining("keyfile").hasMessageContaining("x.conf:1");
        assertThatThrownBy(() -> ConfigParser.parse("listener 8883\n" + serverTls() + "\nrequire_certificate true\n",
                dir.resolve("x.conf"))).hasMessageContaining("require_certificate needs cafile or capath");
    }

}
