package dev.tern.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.codec.MqttVersion;
import dev.tern.testkit.FreePort;
import dev.tern.testkit.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TLS (server verification, host name check, client certificates), WebSocket and secure WebSocket
 * against Tern's own listeners and against Debian's mosquitto, both configured from the same
 * mosquitto.conf text, with certificates made at test time ({@link TestPki}).
 */
@ParameterizedClass(name = "{0}")
@EnumSource(TestBroker.Kind.class)
class ClientTransportIT {
    @TempDir
    static Path dir;
    static TestPki ca;
    static TestPki otherCa;
    static TestPki.Issued client;
    static String config;
    static int plain;
    static int tls;
    static int mtls;
    static int ws;
    static int wss;
    static int wrongName;
    static TestBroker broker;

    @Parameter
    TestBroker.Kind kind;

    @BeforeAll
    static void certificatesAndConfiguration() throws Exception {
        ca = TestPki.create(dir, "test");
        otherCa = TestPki.create(dir, "other");
        TestPki.Issued server = ca.server("server", List.of("localhost"), List.of("127.0.0.1"));
        TestPki.Issued elsewhere = ca.server("elsewhere", List.of("broker.example"), List.of());
        client = ca.client("client");
        plain = FreePort.find();
        tls = FreePort.find();
        mtls = FreePort.find();
        ws = FreePort.find();
        wss = FreePort.find();
        wrongName = FreePort.find();
        String tlsFiles = "cafile " + ca.caFile() + "\ncertfile " + server.certFile() + "\nkeyfile " + server.keyFile()
                + "\n";
        config = "per_listener_settings false\nallow_anonymous true\n"
                + "listener " + plain + " 127.0.0.1\n"
                + "listener " + tls + " 127.0.0.1\n" + tlsFiles
                + "listener " + mtls + " 127.0.0.1\n" + tlsFiles + "require_certificate true\n"
                + "listener " + ws + " 127.0.0.1\nprotocol websockets\n"
                + "listener " + wss + " 127.0.0.1\nprotocol websockets\n" + tlsFiles
                + "listener " + wrongName + " 127.0.0.1\ncafile " + ca.caFile() + "\ncertfile " + elsewhere.certFile()
                + "\nkeyfile " + elsewhere.keyFile() + "\n";
    }

    @BeforeParameterizedClassInvocation
    static void start(TestBroker.Kind kind) throws Exception {
        broker = kind.start(dir, config, plain, tls, mtls, ws, wss, wrongName);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        broker.close();
    }

    private static void roundTrip(TernClientBuilder b, String topic) throws Exception {
        try (BlockingClient c = b.buildBlocking()) {
            c.connect();
            try (MessageStream messages = c.subscribeStream(100, Subscription.of(topic, 1))) {
                c.publish(topic, "over " + b.describeServer(), 1, false);
                Message m = messages.receive(Duration.ofSeconds(5)).orElseThrow();
                assertThat(m.payloadAsString()).isEqualTo("over " + b.describeServer());
            }
        }
    }

    @Test
    @DisplayName("[MQTT-4.2.0-1] TLS: the server certificate is verified against --cafile or --capath (MQTT 3.1.1 and 5.0)")
    void tlsServerVerification() throws Exception {
        for (MqttVersion v : new MqttVersion[] {MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5}) {
            roundTrip(TernClient.builder().serverUri("mqtts://127.0.0.1:" + tls).version(v)
                    .tls(TlsConfig.defaults().withCaFile(ca.caFile())), "tls/" + v);
        }
        roundTrip(TernClient.builder().serverUri("mqtts://localhost:" + tls)
                .tls(TlsConfig.defaults().withCaPath(dir)), "tls/capath");
    }

    @Test
    @DisplayName("TLS: an unknown CA or a certificate for another host name fails the connection; the host name check can be turned off")
    void tlsFailures() throws Exception {
        TernClient untrusted = TernClient.builder().serverUri("mqtts://127.0.0.1:" + tls)
                .tls(TlsConfig.defaults().withCaFile(otherCa.caFile())).build();
        assertThatThrownBy(() -> untrusted.toBlocking().connect()).isInstanceOf(MqttClientException.class)
                .hasMessageContaining("TLS");
        TernClient wrongHost = TernClient.builder().serverUri("mqtts://127.0.0.1:" + wrongName)
                .tls(TlsConfig.defaults().withCaFile(ca.caFile())).build();
        assertThatThrownBy(() -> wrongHost.toBlocking().connect()).isInstanceOf(MqttClientException.class)
                .hasMessageContaining("TLS");
        roundTrip(TernClient.builder().serverUri("mqtts://127.0.0.1:" + wrongName)
                .tls(TlsConfig.defaults().withCaFile(ca.caFile()).withHostnameVerification(false)), "tls/insecure");
        // Plain MQTT on a TLS port is not answered as MQTT.
        TernClient plainOnTls = TernClient.builder().serverHost("127.0.0.1").serverPort(tls)
                .connectTimeout(Duration.ofSeconds(3)).build();
        assertThatThrownBy(() -> plainOnTls.toBlocking().connect()).isInstanceOf(MqttClientException.class);
    }

    @Test
    @DisplayName("TLS client certificates: accepted with --cert/--key, refused without or from another CA")
    void clientCertificates() throws Exception {
        roundTrip(TernClient.builder().serverUri("mqtts://127.0.0.1:" + mtls)
                .tls(TlsConfig.defaults().withCaFile(ca.caFile())
                        .withClientCertificate(client.certFile(), client.keyFile(), null)), "mtls/ok");
        TernClient anonymous = TernClient.builder().serverUri("mqtts://127.0.0.1:" + mtls)
                .tls(TlsConfig.defaults().withCaFile(ca.caFile())).build();
        assertThatThrownBy(() -> anonymous.toBlocking().connect()).isInstanceOf(MqttClientException.class);
        TestPki.Issued stranger = otherCa.client("stranger");
        TernClient foreign = TernClient.builder().serverUri("mqtts://127.0.0.1:" + mtls)
                .tls(TlsConfig.defaults().withCaFile(ca.caFile())
                        .withClientCertificate(stranger.certFile(), stranger.keyFile(), null)).build();
        assertThatThrownBy(() -> foreign.toBlocking().connect()).isInstanceOf(MqttClientException.class);
    }

    @Test
    @DisplayName("[MQTT-6.0.0-1] [MQTT-6.0.0-2] [MQTT-6.0.0-3] WebSocket and secure WebSocket (subprotocol mqtt, binary frames)")
    void webSockets() throws Exception {
        for (MqttVersion v : new MqttVersion[] {MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5}) {
            roundTrip(TernClient.builder().serverUri("ws://127.0.0.1:" + ws + "/mqtt").version(v), "ws/" + v);
            roundTrip(TernClient.builder().serverUri("wss://localhost:" + wss + "/mqtt").version(v)
                    .tls(TlsConfig.defaults().withCaFile(ca.caFile())), "wss/" + v);
        }
        // A large payload spans many WebSocket frames and TCP segments.
        try (BlockingClient c = TernClient.builder().serverUri("ws://127.0.0.1:" + ws).buildBlocking()) {
            c.connect();
            MessageStream messages = c.subscribeStream(10, Subscription.of("ws/big", 1));
            byte[] big = new byte[300_000];
            new java.util.Random(1).nextBytes(big);
            c.publish(Message.builder("ws/big").payload(big).qos(1).build());
            assertThat(messages.receive(Duration.ofSeconds(10)).orElseThrow().payload()).isEqualTo(big);
        }
        // A message crosses transports: published over secure WebSocket, received over plain TCP.
        try (BlockingClient tcp = TernClient.builder().serverHost("127.0.0.1").serverPort(plain).buildBlocking();
             BlockingClient secureWs = TernClient.builder().serverUri("wss://localhost:" + wss)
                     .tls(TlsConfig.defaults().withCaFile(ca.caFile())).buildBlocking()) {
            tcp.connect();
            secureWs.connect();
            MessageStream messages = tcp.subscribeStream(10, Subscription.of("ws/cross", 1));
            secureWs.publish("ws/cross", "from wss", 1, false);
            assertThat(messages.receive(Duration.ofSeconds(5)).orElseThrow().payloadAsString()).isEqualTo("from wss");
        }
    }
}
