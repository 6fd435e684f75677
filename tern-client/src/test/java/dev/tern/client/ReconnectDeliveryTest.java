package dev.tern.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.TernBroker;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Automatic reconnection with QoS 1 and 2 in flight in both directions: every connection is cut
 * several times while a publisher and a subscriber with persistent sessions exchange messages through
 * an embedded Tern. Nothing is lost; QoS 2 messages arrive exactly once.
 */
class ReconnectDeliveryTest {
    static final ReconnectPolicy FAST = new ReconnectPolicy(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0.5, 0);

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    @DisplayName("[MQTT-4.4.0-1] [MQTT-4.3.3-2 (3.1.1)] [MQTT-3.1.2-23 (5.0)] [MQTT-4.1.0-1] connections cut mid-stream: QoS 1 at least once, QoS 2 exactly once, all resumed")
    void cutConnectionsMidStream(MqttVersion version) throws Exception {
        try (TernBroker broker = TernBroker.builder().port(0).build().start();
             DroppingProxy proxy = new DroppingProxy(broker.port())) {
            TernClientBuilder base = TernClient.builder().serverHost("127.0.0.1").serverPort(proxy.port())
                    .version(version).cleanStart(false).sessionExpiryInterval(600).automaticReconnect(FAST);
            Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
            AtomicInteger connections = new AtomicInteger();
            try (TernClient sub = base.clientId("rc-sub-" + version)
                    .connectionListener(new ConnectionListener() {
                        @Override
                        public void connected(ConnectResult result) {
                            connections.incrementAndGet();
                        }
                    }).build();
                 TernClient pub = base.clientId("rc-pub-" + version).build()) {
                sub.connect().get(5, TimeUnit.SECONDS);
                sub.subscribe(Subscription.of("rc/#", 2),
                        m -> received.computeIfAbsent(m.topic() + " " + m.payloadAsString(), k -> new AtomicInteger())
                                .incrementAndGet()).get(5, TimeUnit.SECONDS);
                pub.connect().get(5, TimeUnit.SECONDS);
                List<CompletableFuture<PublishResult>> sent = new ArrayList<>();
                int n = 400;
                for (int i = 0; i < n; i++) {
                    int qos = 1 + (i % 2);
                    sent.add(pub.publish(Message.builder("rc/q" + qos).payload("m" + i).qos(QoS.of(qos)).build()));
                    if (i % 100 == 50) {
                        proxy.dropAll();
                    }
                    if (i % 20 == 0) {
                        Thread.sleep(5);
                    }
                }
                CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == n);
                Thread.sleep(300); // late duplicates would show up now
                for (int i = 0; i < n; i++) {
                    int qos = 1 + (i % 2);
                    AtomicInteger count = received.get("rc/q" + qos + " m" + i);
                    assertThat(count).as("message %d (QoS %d)", i, qos).isNotNull();
                    if (qos == 2) {
                        assertThat(count.get()).as("QoS 2 message %d delivered once", i).isEqualTo(1);
                    }
                }
                assertThat(connections.get()).isGreaterThan(1);
            }
        }
    }
}
