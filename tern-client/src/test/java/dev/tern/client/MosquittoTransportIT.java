package dev.tern.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.codec.MqttVersion;
import dev.tern.testkit.FreePort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS (server verification, host name check, client certificates), WebSocket and secure WebSocket
 * against Debian's mosquitto configured for them, with certificates made at test time.
 */
class MosquittoTransportIT {
    @TempDir
    static Path dir;
    static TestCertificates ca;
    static TestCertificates otherCa;
    static Path[] client;
    static MosquittoProcess mosquitto;
    static int tls;
    static int mtls;
    static int ws;
    static int wss;
    static int wrongName;

    @BeforeAll
    static void start() throws Exception {
        ca = TestCertificates.newCa(dir, "test-ca");
        otherCa = TestCertificates.newCa(dir, "other-ca");
        Path[] server = ca.issue("server", List.of("localhost"), List.of("127.0.0.1"));
        Path[] elsewhere = ca.issue("elsewhere", List.of("broker.example"), List.of());
        client = ca.issue("client", List.of(), List.of());
        int plain = FreePort.find();
        tls = FreePort.find();
        mtls = FreePort.find();
        ws = FreePort.find();
        wss = FreePort.find();
        wrongName = FreePort.find();
        String tlsFiles = "cafile " + ca.caCert + "\ncertfile " + server[0] + "\nkeyfile " + server[1] + "\n";
        String conf = "per_listener_settings false\nallow_anonymous true\n"
                + "listener " + plain + " 127.0.0.1\n"
                + "listener " + tls + " 127.0.0.1\n" + tlsFiles
                + "listener " + mtls + " 127.0.0.1\n" + tlsFiles + "require_certificate true\n"
                + "listener " + ws + " 127.0.0.1\nprotocol websockets\n"
                + "listener " + wss + " 127.0.0.1\nprotocol websockets\n" + tlsFiles
                + "listener " + wrongName + " 127.0.0.1\ncafile " + ca.caCert + "\ncertfile " + elsewhere[0]
                + "\nkeyfile " + elsewhere[1] + "\n";
        mosquitto = MosquittoProcess.start(dir, conf, plain, tls, mtls, ws, wss, wrongName);
    }

    @AfterAll
    static void stop() throws Exception {
        mosquitto.close();
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
    @DisplayName("TLS: the server certificate is verified against --cafile (MQTT 3.1.1 and 5.0)")
    void tlsServerVerification() throws Exception {
        for (MqttVersion v : new MqttVersion[] {MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5}) {
            roundTrip(TernClient.builder().serverUri("mqtts://127.0.0.1:" + tls).version(v)
                    .tls(TlsConfig.defaults().withCaFile(ca.caCert)), "tls/" + v);
        }
        roundTrip(TernClient.builder().serverUri("mqtts://localhost:" + tls)
                .tls(TlsConfig.defaults().withCaPath(dir)), "tls/capath");
    }

    @Test
    @DisplayName("TLS: an unknown CA or a certificate for another host name fails the connection; host name check can be turned off")
    void tlsFailures() throws Exception {
        TernClient untrusted = TernClient.builder().serverUri("mqtts://127.0.0.1:" + tls)
                .tls(TlsConfig.defaults().withCaFile(otherCa.caCert)).build();
        assertThatThrownBy(() -> untrusted.toBlocking().connect()).isInstanceOf(MqttClientException.class)
                .hasMessageContaining("TLS");
        TernClient wrongHost = TernClient.builder().serverUri("mqtts://127.0.0.1:" + wrongName)
                .tls(TlsConfig.defaults().withCaFile(ca.caCert)).build();
        assertThatThrownBy(() -> wrongHost.toBlocking().connect()).isInstanceOf(MqttClientException.class)
                .hasMessageContaining("TLS");
        roundTrip(TernClient.builder().serverUri("mqtts://127.0.0.1:" + wrongName)
                .tls(TlsConfig.defaults().withCaFile(ca.caCert).withHostnameVerification(false)), "tls/insecure");
    }

    @Test
    @DisplayName("TLS client certificates: accepted with --cert/--key, refused without")
    void clientCertificates() throws Exception {
        roundTrip(TernClient.builder().serverUri("mqtts://127.0.0.1:" + mtls)
                .tls(TlsConfig.defaults().withCaFile(ca.caCert).withClientCertificate(client[0], client[1], null)),
                "mtls/ok");
        TernClient anonymous = TernClient.builder().serverUri("mqtts://127.0.0.1:" + mtls)
                .tls(TlsConfig.defaults().withCaFile(ca.caCert)).build();
        assertThatThrownBy(() -> anonymous.toBlocking().connect()).isInstanceOf(MqttClientException.class);
    }

    @Test
    @DisplayName("[MQTT-6.0.0-1] [MQTT-6.0.0-2] [MQTT-6.0.0-3] WebSocket and secure WebSocket (subprotocol mqtt, binary frames)")
    void webSockets() throws Exception {
        for (MqttVersion v : new MqttVersion[] {MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5}) {
            roundTrip(TernClient.builder().serverUri("ws://127.0.0.1:" + ws + "/mqtt").version(v), "ws/" + v);
            roundTrip(TernClient.builder().serverUri("wss://localhost:" + wss + "/mqtt").version(v)
                    .tls(TlsConfig.defaults().withCaFile(ca.caCert)), "wss/" + v);
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
    }
}
