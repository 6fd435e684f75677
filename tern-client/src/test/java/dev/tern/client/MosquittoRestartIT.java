package dev.tern.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.testkit.FreePort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The broker (Debian's mosquitto with persistence) is stopped and started again while a publisher
 * and a subscriber with persistent sessions exchange QoS 1 and 2 messages: the clients reconnect with
 * backoff, resume their sessions, and nothing is lost; QoS 2 arrives exactly once.
 */
class MosquittoRestartIT {
    @TempDir
    Path dir;

    // MQTT 5.0 only: with 3.1.1, Mosquitto 2.0.11 restored from its persistence file stopped forwarding
    // QoS 1 messages to the resumed subscriber after 20 although the client acknowledged each one (see
    // docs/interop.md). Connection losses at 3.1.1 are covered against Tern by ReconnectDeliveryTest.
    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_5"})
    @DisplayName("[MQTT-4.4.0-1] broker restarted with QoS 1/2 in flight: nothing lost, nothing duplicated at QoS 2")
    void brokerRestart(MqttVersion version) throws Exception {
        int port = FreePort.find();
        String conf = "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location "
                + dir + "/\nautosave_interval 1\nmax_queued_messages 10000\n";
        try (MosquittoProcess mosquitto = MosquittoProcess.start(dir, conf, port)) {
            TernClientBuilder base = TernClient.builder().serverHost("127.0.0.1").serverPort(port).version(version)
                    .cleanStart(false).sessionExpiryInterval(3600).automaticReconnect(
                            new ReconnectPolicy(Duration.ofMillis(50), Duration.ofMillis(400), 2, 0.5, 0));
            Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
            try (TernClient sub = base.clientId("restart-sub").build();
                 TernClient pub = base.clientId("restart-pub").build()) {
                sub.connect().get(5, TimeUnit.SECONDS);
                sub.subscribe(Subscription.of("restart/#", 2), m -> received
                        .computeIfAbsent(m.payloadAsString(), k -> new AtomicInteger()).incrementAndGet())
                        .get(5, TimeUnit.SECONDS);
                pub.connect().get(5, TimeUnit.SECONDS);
                List<CompletableFuture<PublishResult>> sent = new ArrayList<>();
                int n = 300;
                for (int i = 0; i < n; i++) {
                    int qos = 1 + (i % 2);
                    sent.add(pub.publish(Message.builder("restart/q" + qos).payload(qos + ":" + i).qos(QoS.of(qos))
                            .build()));
                    if (i == n / 2) {
                        mosquitto.stop();
                        mosquitto.restart();
                    }
                }
                CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                try {
                    await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == n);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    List<String> missing = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        if (!received.containsKey((1 + i % 2) + ":" + i)) {
                            missing.add((1 + i % 2) + ":" + i);
                        }
                    }
                    throw new AssertionError("missing " + missing.size() + ": " + missing + "\n" + mosquitto.log(), e);
                }
                Thread.sleep(500);
                for (int i = 0; i < n; i++) {
                    int qos = 1 + (i % 2);
                    AtomicInteger c = received.get(qos + ":" + i);
                    assertThat(c).as("message %d", i).isNotNull();
                    if (qos == 2) {
                        assertThat(c.get()).as("QoS 2 message %d once", i).isEqualTo(1);
                    }
                }
            }
        }
    }
}
