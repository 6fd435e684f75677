package dev.tern.broker.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.config.ConfigParser;
import dev.tern.codec.MqttVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AccessControl without a network: logins, the login cache and SCRAM credentials. */
class AccessControlTest {
    @TempDir
    Path dir;
    private BrokerSecurity security;

    @org.junit.jupiter.api.AfterEach
    void close() {
        if (security != null) {
            security.close();
        }
    }

    private AccessControl accessControl(String passwd) throws Exception {
        Path p = dir.resolve("passwd");
        Files.writeString(p, passwd);
        BrokerConfig c = ConfigParser.parse("auth_failure_delay 0\npassword_file " + p + "\nlistener 0 127.0.0.1\n",
                dir.resolve("tern.conf"));
        security = BrokerSecurity.create(c);
        return security.forListener(c.listeners().get(0));
    }

    private static AuthRequest request(String user, String password) {
        return new AuthRequest("c", user, password.getBytes(StandardCharsets.UTF_8),
                new InetSocketAddress("127.0.0.1", 1), 1883, MqttVersion.MQTT_3_1_1, List.of());
    }

    @Test
    @DisplayName("SCRAM-SHA-256 credentials come from Tern's entries; mosquitto_passwd's entries have none")
    void scramCredentials() throws Exception {
        AccessControl ac = accessControl(AuthenticationTest.entry("alice", "a")
                + "bob:$7$101$59rtV6Vbf/98RBz7$J9yWhC5AitXE9zR8JB6DBDzNzGkYLV42WPpdV53VEsZxu/gNWym2ij4ZaLoX59vnj1JdGGD"
                + "uA/V2Cip46pKCSQ==\n");
        ScramSha256Hash s = ac.scramCredentials("alice").orElseThrow();
        assertThat(s.iterations()).isEqualTo(4096);
        assertThat(s.storedKey()).hasSize(32);
        assertThat(s.serverKey()).hasSize(32);
        assertThat(ac.scramCredentials("bob")).isEmpty();
        assertThat(ac.scramCredentials("nobody")).isEmpty();
    }

    @Test
    @DisplayName("a second login with the same password is served from the cache; a wrong one is not")
    void loginCache() throws Exception {
        AccessControl ac = accessControl(AuthenticationTest.entry("alice", "a"));
        assertThat(ac.login(request("alice", "a")).get().accepted()).isTrue();
        assertThat(ac.login(request("alice", "a")).get().accepted()).isTrue();
        LoginResult wrong = ac.login(request("alice", "b")).get();
        assertThat(wrong.outcome()).isEqualTo(LoginResult.Outcome.BAD_CREDENTIALS);
        assertThat(request("alice", "secret").toString()).doesNotContain("secret");
    }
}
