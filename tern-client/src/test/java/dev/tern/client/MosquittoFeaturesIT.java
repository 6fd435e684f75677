package dev.tern.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.UserProperty;
import dev.tern.testkit.MosquittoBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client's features against Debian's mosquitto 2.0.11, the reference broker until Tern's MQTT 5
 * semantics land: QoS flows, MQTT 5 properties and subscription options, topic aliases (mosquitto
 * announces a Topic Alias Maximum of 10), subscription identifiers, shared subscriptions, wills with
 * delay, persistent sessions, manual acknowledgement and streams.
 */
class MosquittoFeaturesIT {
    static MosquittoBroker mosquitto;

    @BeforeAll
    static void start() throws Exception {
        mosquitto = MosquittoBroker.start("max_inflight_messages 5");
    }

    @AfterAll
    static void stop() throws Exception {
        mosquitto.close();
    }

    private static TernClientBuilder client(MqttVersion v, String id) {
        return TernClient.builder().serverHost("127.0.0.1").serverPort(mosquitto.port()).version(v).clientId(id);
    }

    @ParameterizedTest
    @EnumSource(MqttVersion.class)
    @DisplayName("QoS 0/1/2 round trips, 200 QoS 1 messages through a Receive Maximum of 5, every version")
    void qosRoundTrips(MqttVersion v) throws Exception {
        try (BlockingClient c = client(v, "m-qos-" + v.level()).buildBlocking()) {
            ConnectResult r = c.connect();
            if (v.isV5()) {
                assertThat(r.properties().receiveMaximum()).isEqualTo(5);
            }
            MessageStream messages = c.subscribeStream(1000, Subscription.of("mq/" + v.level() + "/#", 2));
            for (int q = 0; q <= 2; q++) {
                c.publish("mq/" + v.level() + "/q" + q, "x" + q, q, false);
                Message m = messages.receive(Duration.ofSeconds(5)).orElseThrow();
                assertThat(m.qos().value()).isEqualTo(q);
                assertThat(m.payloadAsString()).isEqualTo("x" + q);
            }
            List<CompletableFuture<PublishResult>> sent = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                sent.add(c.async().publish(Message.of("mq/" + v.level() + "/burst", "b" + i, 1, false)));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            for (int i = 0; i < 200; i++) {
                assertThat(messages.receive(Duration.ofSeconds(5)).orElseThrow().payloadAsString()).isEqualTo("b" + i);
            }
        }
    }

    @Test
    @DisplayName("MQTT 5 publish properties reach the subscriber; topic aliases are used and resolved by mosquitto")
    void propertiesAndTopicAliases() throws Exception {
        try (BlockingClient sub = client(MqttVersion.MQTT_5, "m-props-sub").buildBlocking();
             BlockingClient pub = client(MqttVersion.MQTT_5, "m-props-pub").buildBlocking()) {
            sub.connect();
            ConnectResult r = pub.connect();
            assertThat(r.properties().topicAliasMaximum()).isEqualTo(10);
            MessageStream messages = sub.subscribeStream(100, Subscription.of("mp/#", 1));
            for (int i = 0; i < 3; i++) {
                pub.publish(Message.builder("mp/a/long/topic/name").payload("p" + i).qos(1).contentType("text/plain")
                        .responseTopic("mp/reply").correlationData(new byte[] {1, 2, 3}).utf8Payload(true)
                        .messageExpiryInterval(600).userProperty("k", "v").userProperty("k", "w").build());
            }
            for (int i = 0; i < 3; i++) {
                Message m = messages.receive(Duration.ofSeconds(5)).orElseThrow();
                assertThat(m.topic()).isEqualTo("mp/a/long/topic/name");
                assertThat(m.payloadAsString()).isEqualTo("p" + i);
                assertThat(m.contentType()).isEqualTo("text/plain");
                assertThat(m.responseTopic()).isEqualTo("mp/reply");
                assertThat(m.correlationData()).containsExactly(1, 2, 3);
                assertThat(m.properties().payloadFormatIndicator()).isEqualTo(1);
                assertThat(m.properties().messageExpiryInterval()).isBetween(590L, 600L);
                assertThat(m.userProperties()).containsExactly(new UserProperty("k", "v"), new UserProperty("k", "w"));
            }
        }
    }

    @Test
    @DisplayName("subscription options: No Local, Retain As Published, Retain Handling; subscription identifiers")
    void subscriptionOptions() throws Exception {
        try (BlockingClient c = client(MqttVersion.MQTT_5, "m-opts").buildBlocking()) {
            c.connect();
            c.publish(Message.of("mo/retained", "kept", 1, true));
            List<Message> own = new CopyOnWriteArrayList<>();
            c.subscribe(List.of(Subscription.of("mo/local", 1).withNoLocal(true)), MqttProperties.EMPTY, own::add);
            List<Message> rap = new CopyOnWriteArrayList<>();
            c.subscribe(List.of(Subscription.of("mo/retained", 1).withRetainAsPublished(true)
                    .withRetainHandling(RetainHandling.SEND)), MqttProperties.builder().addSubscriptionIdentifier(7)
                    .build(), rap::add);
            List<Message> none = new CopyOnWriteArrayList<>();
            c.subscribe(List.of(Subscription.of("mo/+", 1).withRetainHandling(RetainHandling.DO_NOT_SEND)),
                    MqttProperties.EMPTY, none::add);
            c.publish(Message.of("mo/local", "mine", 1, false));
            await().atMost(Duration.ofSeconds(5)).until(() -> !rap.isEmpty() && !none.isEmpty());
            assertThat(rap.get(0).retain()).isTrue();
            assertThat(rap.get(0).properties().subscriptionIdentifiers()).containsExactly(7);
            assertThat(none).extracting(Message::topic).containsOnly("mo/local");
            Thread.sleep(300);
            assertThat(own).isEmpty();
            c.publish(Message.builder("mo/retained").retain(true).qos(1).build());
        }
    }

    @Test
    @DisplayName("shared subscription: two members share the messages")
    void sharedSubscription() throws Exception {
        try (BlockingClient a = client(MqttVersion.MQTT_5, "m-share-a").buildBlocking();
             BlockingClient b = client(MqttVersion.MQTT_5, "m-share-b").buildBlocking();
             BlockingClient pub = client(MqttVersion.MQTT_5, "m-share-p").buildBlocking()) {
            a.connect();
            b.connect();
            pub.connect();
            List<Message> got = new CopyOnWriteArrayList<>();
            a.subscribe(Subscription.of("$share/g/ms/#", 1), got::add);
            b.subscribe(Subscription.of("$share/g/ms/#", 1), got::add);
            for (int i = 0; i < 20; i++) {
                pub.publish("ms/t", "s" + i, 1, false);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 20);
            Thread.sleep(200);
            assertThat(got).hasSize(20);
        }
    }

    @Test
    @DisplayName("will with delay: published after the delay when the connection drops, with its properties")
    void willWithDelay() throws Exception {
        try (BlockingClient watcher = client(MqttVersion.MQTT_5, "m-will-watch").buildBlocking();
             DroppingProxy proxy = new DroppingProxy(mosquitto.port())) {
            watcher.connect();
            MessageStream wills = watcher.subscribeStream(10, Subscription.of("mw/#", 1));
            TernClient dying = TernClient.builder().serverHost("127.0.0.1").serverPort(proxy.port())
                    .version(MqttVersion.MQTT_5).clientId("m-will").sessionExpiryInterval(10).willDelayInterval(1)
                    .will(Message.builder("mw/status").payload("gone").qos(1).contentType("text/plain").build()).build();
            dying.connect().get(5, TimeUnit.SECONDS);
            long dropped = System.nanoTime();
            proxy.dropAll();
            Message w = wills.receive(Duration.ofSeconds(10)).orElseThrow();
            assertThat(Duration.ofNanos(System.nanoTime() - dropped)).isGreaterThan(Duration.ofMillis(800));
            assertThat(w.payloadAsString()).isEqualTo("gone");
            assertThat(w.contentType()).isEqualTo("text/plain");
            dying.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    @DisplayName("persistent session: messages published while offline arrive on reconnect; manual acknowledgement")
    void persistentSessionAndManualAck(MqttVersion v) throws Exception {
        TernClientBuilder b = client(v, "m-persist-" + v.level()).cleanStart(false).sessionExpiryInterval(300)
                .manualAcknowledgement(true);
        List<Message> got = new CopyOnWriteArrayList<>();
        try (TernClient first = b.build()) {
            first.connect().get(5, TimeUnit.SECONDS);
            first.subscribe(Subscription.of("mps/" + v.level(), 1), got::add).get(5, TimeUnit.SECONDS);
            first.disconnect().get(5, TimeUnit.SECONDS);
        }
        try (BlockingClient pub = client(v, "m-persist-pub-" + v.level()).buildBlocking()) {
            pub.connect();
            for (int i = 0; i < 3; i++) {
                pub.publish("mps/" + v.level(), "offline " + i, 1, false);
            }
        }
        try (TernClient second = b.defaultHandler(got::add).build()) {
            ConnectResult r = second.connect().get(5, TimeUnit.SECONDS);
            assertThat(r.sessionPresent()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() >= 3);
            assertThat(got).extracting(Message::payloadAsString).startsWith("offline 0", "offline 1", "offline 2");
            got.forEach(Message::acknowledge);
            second.disconnect().get(5, TimeUnit.SECONDS);
        }
        // Acknowledged: a third connection gets nothing again.
        List<Message> again = new CopyOnWriteArrayList<>();
        try (TernClient third = b.manualAcknowledgement(false).cleanStart(false).defaultHandler(again::add).build()) {
            third.connect().get(5, TimeUnit.SECONDS);
            Thread.sleep(500);
            assertThat(again).isEmpty();
            third.disconnect(0, MqttProperties.builder().sessionExpiryInterval(0L).build()).get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("MQTT 3.1 and a client id the server assigns (MQTT 5)")
    void assignedClientId() throws Exception {
        try (BlockingClient c = client(MqttVersion.MQTT_5, "").buildBlocking()) {
            ConnectResult r = c.connect();
            assertThat(r.clientId()).isNotEmpty();
            assertThat(r.properties().assignedClientIdentifier()).isEqualTo(r.clientId());
        }
        try (BlockingClient c = client(MqttVersion.MQTT_3_1, "").buildBlocking()) {
            assertThat(c.connect().clientId()).startsWith("tern-");
            assertThat(c.publish("m31", "x", 2, false).qos()).isEqualTo(QoS.EXACTLY_ONCE);
        }
    }
}
