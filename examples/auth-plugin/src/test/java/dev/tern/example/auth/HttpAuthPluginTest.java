package dev.tern.example.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.tern.broker.TernBroker;
import dev.tern.broker.config.ConfigParser;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example plug-in loaded by a real broker through ServiceLoader, against a small HTTP auth service. */
class HttpAuthPluginTest {
    @TempDir
    Path dir;
    private HttpServer service;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private TernBroker broker;

    @BeforeEach
    void startService() throws Exception {
        service = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        service.createContext("/auth", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(body);
            // the password of "alice" is "wonderland" (Base64 d29uZGVybGFuZA==)
            int status = body.contains("\"username\":\"alice\"") && body.contains("d29uZGVybGFuZA==") ? 200 : 403;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        service.start();
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
        service.stop(0);
    }

    private int startBroker() throws Exception {
        String conf = "sys_interval 0\nauth_failure_delay 0\nlistener 0 127.0.0.1\nplugin http-auth\n"
                + "plugin_opt_url http://127.0.0.1:" + service.getAddress().getPort() + "/auth\n"
                + "plugin_opt_topic_root users\n";
        Path file = dir.resolve("tern.conf");
        Files.writeString(file, conf);
        broker = TernBroker.builder().config(ConfigParser.parse(file)).build().start();
        return broker.port();
    }

    private static MqttClient connect(int port, String user, String password) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, "c-" + user, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(user);
        o.setPassword(password.toCharArray());
        c.connect(o);
        return c;
    }

    @Test
    @DisplayName("the service decides who connects; the plug-in confines each user to users/NAME/#")
    void pluginDecides() throws Exception {
        int port = startBroker();
        MqttClient alice = connect(port, "alice", "wonderland");
        assertThat(requests).hasSize(1).first().asString().contains("\"clientid\":\"c-alice\"");
        assertThat(alice.subscribeWithResponse("users/alice/#").getGrantedQos()).containsExactly(1);
        assertThat(alice.subscribeWithResponse("users/bob/#").getGrantedQos()).containsExactly(0x80);
        alice.disconnect();
        alice.close();
        assertThatThrownBy(() -> connect(port, "alice", "guess")).isInstanceOf(MqttException.class)
                .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(5));
        assertThatThrownBy(() -> connect(port, "mallory", "x")).isInstanceOf(MqttException.class);
    }

    @Test
    @DisplayName("an unknown plug-in name or a missing option stops the broker with a message")
    void badConfiguration() throws Exception {
        Path file = dir.resolve("bad.conf");
        Files.writeString(file, "listener 0 127.0.0.1\nplugin no-such-plugin\n");
        assertThatThrownBy(() -> TernBroker.builder().config(ConfigParser.parse(file)).build().start())
                .hasMessageContaining("no plug-in named 'no-such-plugin'").hasMessageContaining("http-auth");
        Files.writeString(file, "listener 0 127.0.0.1\nplugin http-auth\n");
        assertThatThrownBy(() -> TernBroker.builder().config(ConfigParser.parse(file)).build().start())
                .hasMessageContaining("plugin_opt_url");
    }
}
