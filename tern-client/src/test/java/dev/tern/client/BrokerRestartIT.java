package dev.tern.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.TernBroker;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.testkit.FreePort;
import dev.tern.testkit.MosquittoBroker;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The broker is stopped and started again under the clients' feet. With Debian's mosquitto and its
 * persistence file, the sessions survive: clients with persistent sessions resume them with QoS 1 and
 * 2 in flight and nothing is lost, QoS 2 arrives exactly once. Tern keeps sessions in memory until
 * durable storage lands (issue 5), so a restarted Tern has lost them: the clients notice (session
 * present 0), subscribe again and send what waited while the broker was down.
 */
class BrokerRestartIT {
    @TempDir
    Path dir;

    private static Map<String, AtomicInteger> counter() {
        return new ConcurrentHashMap<>();
    }

    private static MessageHandler counting(Map<String, AtomicInteger> received) {
        return m -> received.computeIfAbsent(m.payloadAsString(), k -> new AtomicInteger()).incrementAndGet();
    }

    // MQTT 5.0 only: with 3.1.1, Mosquitto 2.0.11 restored from its persistence file stopped forwarding
    // QoS 1 messages to the resumed subscriber after 20 although the client acknowledged each one (see
    // docs/interop.md). Connection losses at 3.1.1 are covered against Tern by ReconnectDeliveryTest.
    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_5"})
    @DisplayName("[MQTT-4.4.0-1] mosquitto restarted from its persistence file with QoS 1/2 in flight: nothing lost, nothing duplicated at QoS 2")
    void mosquittoRestartWithPersistence(MqttVersion version) throws Exception {
        int port = FreePort.find();
        String conf = "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location "
                + dir + "/\nautosave_interval 1\nmax_queued_messages 10000\n";
        try (MosquittoBroker mosquitto = MosquittoBroker.start(dir, conf, port)) {
            TernClientBuilder base = TernClient.builder().serverHost("127.0.0.1").serverPort(port).version(version)
                    .cleanStart(false).sessionExpiryInterval(3600).automaticReconnect(
                            new ReconnectPolicy(Duration.ofMillis(50), Duration.ofMillis(400), 2, 0.5, 0));
            Map<String, AtomicInteger> received = counter();
            try (TernClient sub = base.clientId("restart-sub").build();
                 TernClient pub = base.clientId("restart-pub").build()) {
                sub.connect().get(5, TimeUnit.SECONDS);
                sub.subscribe(Subscription.of("restart/#", 2), counting(received)).get(5, TimeUnit.SECONDS);
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
                Thread.sleep(500); // late duplicates would show up now
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

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    @DisplayName("[MQTT-3.2.2-5 (5.0)] Tern restarted without its sessions: the clients see session present 0, subscribe again and send what waited offline")
    void ternRestartWithoutSessions(MqttVersion version) throws Exception {
        int port = FreePort.find();
        TernBroker.Builder tern = TernBroker.builder().port(port);
        TernBroker broker = tern.build().start();
        try {
            TernClientBuilder base = TernClient.builder().serverHost("127.0.0.1").serverPort(port).version(version)
                    .cleanStart(false).sessionExpiryInterval(3600);
            Map<String, AtomicInteger> received = counter();
            List<ConnectResult> subConnects = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<ConnectResult> pubConnects = new java.util.concurrent.CopyOnWriteArrayList<>();
            // The subscriber comes back quickly; the publisher waits 3 s, so that the subscription is
            // made again before the queued messages arrive (nobody would receive them otherwise).
            try (TernClient sub = base.clientId("tr-sub-" + version.level()).connectionListener(listener(subConnects))
                    .automaticReconnect(new ReconnectPolicy(Duration.ofMillis(50), Duration.ofMillis(200), 2, 0, 0))
                    .build();
                 TernClient pub = base.clientId("tr-pub-" + version.level()).connectionListener(listener(pubConnects))
                         .automaticReconnect(new ReconnectPolicy(Duration.ofSeconds(3), Duration.ofSeconds(3), 1, 0, 0))
                         .build()) {
                sub.connect().get(5, TimeUnit.SECONDS);
                sub.subscribe(Subscription.of("tr/#", 2), counting(received)).get(5, TimeUnit.SECONDS);
                pub.connect().get(5, TimeUnit.SECONDS);
                List<CompletableFuture<PublishResult>> sent = new ArrayList<>();
                int n = 100;
                for (int i = 0; i < n; i++) {
                    sent.add(pub.publish(Message.builder("tr/q" + (1 + i % 2)).payload("before " + i)
                            .qos(QoS.of(1 + i % 2)).build()));
                }
                CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == n);

                broker.close();
                await().atMost(Duration.ofSeconds(5)).until(() -> !sub.isConnected() && !pub.isConnected());
                for (int i = 0; i < n; i++) {
                    sent.add(pub.publish(Message.builder("tr/q" + (1 + i % 2)).payload("offline " + i)
                            .qos(QoS.of(1 + i % 2)).build()));
                }
                assertThat(pub.queuedCount()).isEqualTo(n);
                broker = tern.build().start();
                TernBroker restarted = broker;
                await().atMost(Duration.ofSeconds(10)).until(() -> subConnects.size() == 2
                        && restarted.subscriptionCount() == 1);
                assertThat(pubConnects).as("the publisher came back after the subscription").hasSize(1);
                assertThat(subConnects.get(1).sessionPresent()).isFalse();
                CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
                assertThat(pubConnects.get(1).sessionPresent()).isFalse();
                await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2 * n);
                Thread.sleep(300); // late duplicates would show up now
                for (int i = 0; i < n; i++) {
                    if (i % 2 == 1) {
                        assertThat(received.get("offline " + i).get()).as("QoS 2 message %d once", i).isEqualTo(1);
                    }
                }
            }
        } finally {
            broker.close();
        }
    }

    private static ConnectionListener listener(List<ConnectResult> connects) {
        return new ConnectionListener() {
            @Override
            public void connected(ConnectResult result) {
                connects.add(result);
            }
        };
    }

    @Test
    @DisplayName("a Tern restart between two publishes: a client without automatic reconnection reports the loss and reconnects on request")
    void manualReconnectAfterRestart() throws Exception {
        int port = FreePort.find();
        TernBroker.Builder tern = TernBroker.builder().port(port);
        TernBroker broker = tern.build().start();
        try (BlockingClient c = TernClient.builder().serverHost("127.0.0.1").serverPort(port)
                .version(MqttVersion.MQTT_5).clientId("tr-manual").buildBlocking()) {
            c.connect();
            c.publish("tr/m", "one", 1, false);
            broker.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> !c.isConnected());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.publish("tr/m", "lost", 1, false))
                    .isInstanceOf(MqttClientException.class).hasMessageContaining("not connected");
            broker = tern.build().start();
            assertThat(c.connect().isSuccess()).isTrue();
            assertThat(c.publish("tr/m", "two", 1, false).reasonCode()).isEqualTo(0x10); // no subscribers
        } finally {
            broker.close();
        }
    }
}
