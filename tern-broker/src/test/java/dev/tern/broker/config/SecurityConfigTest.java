package dev.tern.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.broker.TernBroker;
import dev.tern.broker.security.ScramSha256Hash;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.MqttVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The security, TLS and limit options of mosquitto.conf, as parsed and as a running broker applies them. */
class SecurityConfigTest {
    @TempDir
    Path dir;

    private Path file(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private BrokerConfig parse(String... lines) throws Exception {
        return ConfigParser.parse(String.join("\n", lines) + "\n", dir.resolve("tern.conf"));
    }

    @Test
    @DisplayName("TLS options belong to their listener, in any order; mosquitto's names and values")
    void tlsOptions() throws Exception {
        Path cert = file("c.pem", "x");
        Path key = file("k.pem", "x");
        Path ca = file("ca.pem", "x");
        Path crl = file("crl.pem", "x");
        BrokerConfig c = parse("listener 1883", "listener 8884", "keyfile " + key, "certfile " + cert,
                "cafile " + ca, "crlfile " + crl, "require_certificate true", "use_subject_as_username true",
                "tls_version tlsv1.3", "ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
                "ciphers_tls1.3 TLS_AES_256_GCM_SHA384", "listener 8081", "protocol websockets",
                "websockets_headers_size 4096");
        assertThat(c.listeners()).hasSize(3);
        assertThat(c.listeners().get(0).tls()).isNull();
        TlsSettings t = c.listeners().get(1).tls();
        assertThat(t).isNotNull();
        assertThat(t.certFile()).isEqualTo(cert.toString());
        assertThat(t.keyFile()).isEqualTo(key.toString());
        assertThat(t.caFile()).isEqualTo(ca.toString());
        assertThat(t.crlFile()).isEqualTo(crl.toString());
        assertThat(t.requireCertificate()).isTrue();
        assertThat(t.useSubjectAsUsername()).isTrue();
        assertThat(t.useIdentityAsUsername()).isFalse();
        assertThat(t.minimumVersion()).isEqualTo("TLSv1.3");
        assertThat(t.ciphers()).containsExactly("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384");
        assertThat(t.ciphersTls13()).containsExactly("TLS_AES_256_GCM_SHA384");
        assertThat(c.listeners().get(2).isWebSocket()).isTrue();
        assertThat(c.listeners().get(2).httpHeaderSize()).isEqualTo(4096);
        assertThat(c.listeners().get(2).scheme()).isEqualTo("ws");
        assertThat(c.listeners().get(1).scheme()).isEqualTo("mqtts");
    }

    @Test
    @DisplayName("bad TLS and security values are refused naming file, line and option")
    void refusals() throws Exception {
        assertThatThrownBy(() -> parse("listener 8883", "certfile /no/such/file"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tern.conf:2: option 'certfile'")
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> parse("listener 8883", "ciphers HIGH:!aNULL"))
                .hasMessageContaining("option 'ciphers'").hasMessageContaining("OpenSSL cipher expression");
        assertThatThrownBy(() -> parse("listener 1", "plugin_opt_url x")).hasMessageContaining("needs a 'plugin NAME'");
        assertThatThrownBy(() -> parse("listener 1", "per_listener_settings true"))
                .hasMessageContaining("must come before any listener");
        assertThatThrownBy(() -> parse("certfile " + file("c2.pem", "x"))).hasMessageContaining("before any 'listener'");
        Path cert = file("c3.pem", "x");
        assertThatThrownBy(() -> parse("listener 8883", "certfile " + cert, "keyfile " + cert,
                "use_identity_as_username true")).hasMessageContaining("require_certificate is true");
    }

    @Test
    @DisplayName("plugin lines collect their plugin_opt_ options; limits and Tern's security options")
    void pluginsAndLimits() throws Exception {
        BrokerConfig c = parse("plugin http-auth", "plugin_opt_url http://x", "auth_opt_timeout_ms 5",
                "plugin second", "memory_limit 1000000", "max_publish_rate 50", "auth_failure_delay 100",
                "tls_reload_interval 0", "listener 1883");
        AuthSettings a = c.security().auth();
        assertThat(a.plugins()).hasSize(2);
        assertThat(a.plugins().get(0).name()).isEqualTo("http-auth");
        assertThat(a.plugins().get(0).options()).containsEntry("url", "http://x").containsEntry("timeout_ms", "5");
        assertThat(a.plugins().get(1).options()).isEmpty();
        assertThat(c.security().memoryLimit()).isEqualTo(1_000_000);
        assertThat(c.security().maxPublishRate()).isEqualTo(50);
        assertThat(c.security().authFailureDelay()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.security().certificateCheckPeriod()).isZero();
    }

    @Test
    @DisplayName("per_listener_settings true: each listener its own password file and allow_anonymous")
    void perListenerSettings() throws Exception {
        Path first = file("p1", entry("alice", "a"));
        Path second = file("p2", entry("bob", "b"));
        BrokerConfig c = parse("per_listener_settings true", "sys_interval 0", "auth_failure_delay 0",
                "listener 0 127.0.0.1", "password_file " + first,
                "listener 0 127.0.0.1", "password_file " + second, "allow_anonymous true",
                "listener 0 127.0.0.1");
        assertThat(c.auth(c.listeners().get(0)).passwordFile()).isEqualTo(first.toString());
        assertThat(c.auth(c.listeners().get(1)).passwordFile()).isEqualTo(second.toString());
        assertThat(c.auth(c.listeners().get(2)).authenticates()).isFalse();
        try (TernBroker broker = TernBroker.builder().config(c).build().start()) {
            int p1 = broker.ports().get(0);
            int p2 = broker.ports().get(1);
            assertThat(connack(p1, "alice", "a")).isZero();
            assertThat(connack(p1, "bob", "b")).isEqualTo(5);
            assertThat(connack(p2, "bob", "b")).isZero();
            assertThat(connack(p2, "alice", "a")).isEqualTo(5);
            assertThat(connack(p2, null, null)).as("allow_anonymous on the second listener only").isZero();
            assertThat(connack(p1, null, null)).isEqualTo(5);
        }
    }

    @Test
    @DisplayName("without per_listener_settings, password_file after a listener line applies to every listener")
    void globalSettings() throws Exception {
        Path p = file("p", entry("alice", "a"));
        BrokerConfig c = parse("listener 0 127.0.0.1", "listener 0 127.0.0.1", "password_file " + p);
        assertThat(c.auth(c.listeners().get(0)).passwordFile()).isEqualTo(p.toString());
        assertThat(c.auth(c.listeners().get(1)).passwordFile()).isEqualTo(p.toString());
    }

    private static String entry(String user, String password) {
        return user + ":" + ScramSha256Hash.create(password.getBytes(java.nio.charset.StandardCharsets.UTF_8), 4096,
                new java.security.SecureRandom()).encoded() + "\n";
    }

    private static int connack(int port, String user, String password) throws Exception {
        try (MqttTestClient c = MqttTestClient.open(port, MqttVersion.MQTT_3_1_1)) {
            return c.connect("c", user, password, null).reasonCode();
        }
    }
}
