package dev.tern.broker.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.TernBroker;
import dev.tern.broker.config.ConfigParser;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.Publish;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** max_publish_rate and memory_limit. */
class LimitsTest {
    @TempDir
    Path dir;
    private TernBroker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private int start(String... lines) throws Exception {
        String text = "sys_interval 0\nallow_anonymous true\n" + String.join("\n", lines) + "\nlistener 0 127.0.0.1\n";
        broker = TernBroker.builder().config(ConfigParser.parse(text, dir.resolve("tern.conf"))).build().start();
        return broker.port();
    }

    private static Publish publish(String topic, QoS qos, int id) {
        return new Publish(topic, qos, false, false, qos == QoS.AT_MOST_ONCE ? 0 : id, MqttProperties.EMPTY,
                Unpooled.copiedBuffer("m" + id, StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("max_publish_rate: a client publishing faster is slowed down (not read), and loses nothing")
    void publishRate() throws Exception {
        int port = start("max_publish_rate 20");
        try (MqttTestClient sub = MqttTestClient.connected(port, "sub");
             MqttTestClient pub = MqttTestClient.connected(port, "pub")) {
            sub.subscribe("rate", QoS.AT_MOST_ONCE);
            long t0 = System.nanoTime();
            for (int i = 1; i <= 60; i++) {
                pub.send(publish("rate", QoS.AT_MOST_ONCE, i));
            }
            for (int i = 1; i <= 60; i++) {
                Publish p = sub.expect(Publish.class);
                assertThat(MqttTestClient.text(p)).isEqualTo("m" + i);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            // a burst of 20, then 40 more at 20 per second: about 2 s; without the limit a few milliseconds
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1_500));
        }
    }

    @Test
    @DisplayName("memory_limit exceeded: 5.0 publishes get 0x97 (quota exceeded); 3.1.1 QoS 0 is dropped, QoS 1 disconnects")
    void memoryLimit() throws Exception {
        int port = start("memory_limit 1"); // any buffer in use is over the limit
        try (MqttTestClient v5 = MqttTestClient.connected(port, "v5", true, MqttVersion.MQTT_5)) {
            v5.send(publish("m", QoS.AT_LEAST_ONCE, 1));
            assertThat(v5.expect(PubAck.class).reasonCode()).isEqualTo(ReasonCodes.QUOTA_EXCEEDED);
            v5.send(publish("m", QoS.EXACTLY_ONCE, 2));
            assertThat(v5.expect(PubRec.class).reasonCode()).isEqualTo(ReasonCodes.QUOTA_EXCEEDED);
        }
        try (MqttTestClient sub = MqttTestClient.connected(port, "sub");
             MqttTestClient v3 = MqttTestClient.connected(port, "v3")) {
            sub.subscribe("m", QoS.AT_MOST_ONCE);
            v3.send(publish("m", QoS.AT_MOST_ONCE, 0));
            assertThat(sub.raw().staysSilent(Duration.ofMillis(300))).isTrue();
            v3.send(publish("m", QoS.AT_LEAST_ONCE, 3));
            assertThat(v3.raw().awaitClosed(Duration.ofSeconds(5))).as("no PUBACK: the client resends later").isTrue();
        }
        assertThat(broker.metrics()).isNotNull();
    }

    @Test
    @DisplayName("MemoryGuard: refuses above the limit, accepts again below it; 0 means no limit")
    void guard() {
        AtomicLong used = new AtomicLong(100);
        MemoryGuard g = new MemoryGuard(1_000, used::get);
        assertThat(g.overLimit()).isFalse();
        used.set(2_000);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(1)).until(g::overLimit);
        used.set(10);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(1)).until(() -> !g.overLimit());
        assertThat(MemoryGuard.unlimited().overLimit()).isFalse();
        assertThat(MemoryGuard.of(-1).limit()).isPositive();
        assertThat(MemoryGuard.of(0).limit()).isZero();
    }
}
