package dev.tern.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.UserProperty;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.Publish;
import dev.tern.testkit.FreePort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client's features against both brokers, Tern embedded and Debian's mosquitto 2.0.11, each
 * configured from the same mosquitto.conf lines ({@code max_inflight_messages 5}): QoS flows through
 * a Receive Maximum both ways, MQTT 5 properties and user properties, topic aliases both ways,
 * subscription options and identifiers, shared subscriptions, wills with delay, session expiry,
 * request/response, persistent sessions with manual acknowledgement. Where the brokers differ the
 * test says which does what (docs/interop.md).
 */
@ParameterizedClass(name = "{0}")
@EnumSource(TestBroker.Kind.class)
class ClientFeaturesIT {
    @TempDir
    static Path dir;
    static TestBroker broker;

    @Parameter
    TestBroker.Kind kind;

    @BeforeParameterizedClassInvocation
    static void start(TestBroker.Kind kind) throws Exception {
        int port = FreePort.find();
        broker = kind.start(dir, "listener " + port + " 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 5\n",
                port);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        broker.close();
    }

    private TernClientBuilder client(MqttVersion v, String id) {
        return TernClient.builder().serverHost("127.0.0.1").serverPort(broker.port()).version(v)
                .clientId(kind.name().charAt(0) + "-" + id);
    }

    private TernClientBuilder v5(String id) {
        return client(MqttVersion.MQTT_5, id);
    }

    /** Records the topic name and Topic Alias of every PUBLISH a client receives. */
    private static final class AliasTrace implements PacketTrace {
        final List<String> received = new CopyOnWriteArrayList<>();

        @Override
        public void sent(MqttPacket packet) {}

        @Override
        public void received(MqttPacket packet) {
            if (packet instanceof Publish p) {
                received.add(p.topic() + "|" + p.properties().topicAlias());
            }
        }
    }

    /** Records the topic name and Topic Alias of every PUBLISH a client sends. */
    private static final class SentAliases implements PacketTrace {
        final List<String> sent = new CopyOnWriteArrayList<>();

        @Override
        public void sent(MqttPacket packet) {
            if (packet instanceof Publish p) {
                sent.add(p.topic() + "|" + p.properties().topicAlias());
            }
        }

        @Override
        public void received(MqttPacket packet) {}
    }

    @ParameterizedTest
    @EnumSource(MqttVersion.class)
    @DisplayName("[MQTT-3.3.4-7] [MQTT-4.9.0-2] QoS 0/1/2 round trips, 200 QoS 1 messages through the server's Receive Maximum of 5, every version")
    void qosRoundTrips(MqttVersion v) throws Exception {
        try (BlockingClient c = client(v, "qos-" + v.level()).buildBlocking()) {
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
            List<CompletableFuture<PublishResult>> sent = new ArrayList<>();
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
    @DisplayName("[MQTT-3.2.2-17] [MQTT-3.3.2-9] MQTT 5 publish and user properties reach the subscriber in order; the client's topic aliases are resolved by the server")
    void propertiesAndOutboundTopicAliases() throws Exception {
        SentAliases trace = new SentAliases();
        try (BlockingClient sub = v5("props-sub").buildBlocking();
             BlockingClient pub = v5("props-pub").packetTrace(trace).buildBlocking()) {
            sub.connect();
            ConnectResult r = pub.connect();
            assertThat(r.properties().topicAliasMaximum()).isEqualTo(10);
            MessageStream messages = sub.subscribeStream(100, Subscription.of("mp/#", 1));
            for (int i = 0; i < 3; i++) {
                pub.publish(Message.builder("mp/a/long/topic/name").payload("p" + i).qos(1).contentType("text/plain")
                        .responseTopic("mp/reply").correlationData(new byte[] {1, 2, 3}).utf8Payload(true)
                        .messageExpiryInterval(600).userProperty("k", "v").userProperty("k", "w")
                        .userProperty("a", "b").build());
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
                assertThat(m.userProperties()).containsExactly(new UserProperty("k", "v"), new UserProperty("k", "w"),
                        new UserProperty("a", "b"));
            }
        }
        // The first PUBLISH names the topic and the alias, the others only the alias.
        assertThat(trace.sent).containsExactly("mp/a/long/topic/name|1", "|1", "|1");
    }

    @Test
    @DisplayName("[MQTT-3.3.2-10] a client announcing a Topic Alias Maximum: Tern sends aliases (topic once, then the alias alone), mosquitto sends none; topics resolve")
    void inboundTopicAliases() throws Exception {
        AliasTrace trace = new AliasTrace();
        try (BlockingClient sub = v5("alias-sub").topicAliasMaximum(5).packetTrace(trace).buildBlocking();
             BlockingClient pub = v5("alias-pub").topicAliases(false).buildBlocking()) {
            sub.connect();
            pub.connect();
            MessageStream messages = sub.subscribeStream(100, Subscription.of("ma/#", 1));
            for (int i = 0; i < 3; i++) {
                pub.publish("ma/sensor/temperature", "t" + i, 1, false);
                pub.publish("ma/sensor/humidity", "h" + i, 1, false);
            }
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Message m = messages.receive(Duration.ofSeconds(5)).orElseThrow();
                got.add(m.topic() + " " + m.payloadAsString());
                assertThat(m.properties().topicAlias()).as("the alias is the connection's business").isNull();
            }
            assertThat(got).containsExactly("ma/sensor/temperature t0", "ma/sensor/humidity h0",
                    "ma/sensor/temperature t1", "ma/sensor/humidity h1", "ma/sensor/temperature t2",
                    "ma/sensor/humidity h2");
        }
        if (kind == TestBroker.Kind.TERN) {
            assertThat(trace.received).containsExactly("ma/sensor/temperature|1", "ma/sensor/humidity|2", "|1", "|2",
                    "|1", "|2");
        } else {
            assertThat(trace.received).allMatch(s -> s.endsWith("|null"));
        }
    }

    @Test
    @DisplayName("subscription options: No Local, Retain As Published, Retain Handling; subscription identifiers")
    void subscriptionOptions() throws Exception {
        try (BlockingClient c = v5("opts").buildBlocking();
             BlockingClient other = v5("opts-other").buildBlocking()) {
            c.connect();
            other.connect();
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
            // Another client's message to the same topic does reach the No Local subscription, and
            // arrives after ours would have.
            other.publish(Message.of("mo/local", "theirs", 1, false));
            await().atMost(Duration.ofSeconds(5)).until(() -> !own.isEmpty());
            assertThat(own).extracting(Message::payloadAsString).containsExactly("theirs");
            c.publish(Message.builder("mo/retained").retain(true).qos(1).build());
        }
    }

    @Test
    @DisplayName("shared subscription: two members share the messages, each message reaches exactly one")
    void sharedSubscription() throws Exception {
        try (BlockingClient a = v5("share-a").buildBlocking();
             BlockingClient b = v5("share-b").buildBlocking();
             BlockingClient pub = v5("share-p").buildBlocking()) {
            a.connect();
            b.connect();
            pub.connect();
            List<String> gotA = new CopyOnWriteArrayList<>();
            List<String> gotB = new CopyOnWriteArrayList<>();
            a.subscribe(Subscription.of("$share/g/ms/#", 1), m -> gotA.add(m.payloadAsString()));
            b.subscribe(Subscription.of("$share/g/ms/#", 1), m -> gotB.add(m.payloadAsString()));
            for (int i = 0; i < 20; i++) {
                pub.publish("ms/t", "s" + i, 1, false);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> gotA.size() + gotB.size() >= 20);
            // A marker through a plain subscription of each member shows that nothing else is on its way.
            a.subscribe(Subscription.of("ms-end", 1), m -> gotA.add("end"));
            b.subscribe(Subscription.of("ms-end", 1), m -> gotB.add("end"));
            pub.publish("ms-end", "x", 1, false);
            await().atMost(Duration.ofSeconds(5)).until(() -> gotA.contains("end") && gotB.contains("end"));
            List<String> all = new ArrayList<>(gotA);
            all.addAll(gotB);
            all.removeIf("end"::equals);
            assertThat(all).hasSize(20).doesNotHaveDuplicates();
            assertThat(gotA).hasSizeGreaterThan(1);
            assertThat(gotB).hasSizeGreaterThan(1);
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.3-9] will with delay: published after the delay when the connection drops, with its properties; a reconnection within the delay cancels it")
    void willWithDelay() throws Exception {
        try (BlockingClient watcher = v5("will-watch").buildBlocking();
             DroppingProxy proxy = new DroppingProxy(broker.port())) {
            watcher.connect();
            MessageStream wills = watcher.subscribeStream(10, Subscription.of("mw/#", 1));
            TernClientBuilder dyingBase = TernClient.builder().serverHost("127.0.0.1").serverPort(proxy.port())
                    .version(MqttVersion.MQTT_5).sessionExpiryInterval(10).willDelayInterval(1).cleanStart(false);
            try (TernClient dying = dyingBase.clientId(kind.name() + "-will")
                    .will(Message.builder("mw/status").payload("gone").qos(1).contentType("text/plain").build())
                    .build()) {
                dying.connect().get(5, TimeUnit.SECONDS);
                long dropped = System.nanoTime();
                proxy.dropAll();
                Message w = wills.receive(Duration.ofSeconds(10)).orElseThrow();
                assertThat(Duration.ofNanos(System.nanoTime() - dropped)).isGreaterThan(Duration.ofMillis(800));
                assertThat(w.payloadAsString()).isEqualTo("gone");
                assertThat(w.contentType()).isEqualTo("text/plain");
            }

            AtomicInteger connections = new AtomicInteger();
            try (TernClient back = dyingBase.clientId(kind.name() + "-will-back")
                    .will(Message.of("mw/back", "gone too", 1, false))
                    .automaticReconnect(ReconnectDeliveryTest.FAST)
                    .connectionListener(new ConnectionListener() {
                        @Override
                        public void connected(ConnectResult result) {
                            connections.incrementAndGet();
                        }
                    }).build()) {
                back.connect().get(5, TimeUnit.SECONDS);
                long dropped = System.nanoTime();
                proxy.dropAll();
                await().atMost(Duration.ofSeconds(5)).until(() -> connections.get() == 2);
                assertThat(back.lastConnectResult().sessionPresent()).isTrue();
                // The delay passes; the resumed session's will must not come.
                Thread.sleep(Math.max(0, 1500 - Duration.ofNanos(System.nanoTime() - dropped).toMillis()));
                watcher.publish("mw/marker", "after", 1, false);
                assertThat(wills.receive(Duration.ofSeconds(5)).orElseThrow().topic()).isEqualTo("mw/marker");
                back.disconnect(0, MqttProperties.builder().sessionExpiryInterval(0L).build()).get(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-23 (5.0)] session expiry: a session outlives its connection for the interval and no longer; "
            + "the client subscribes again when the server lost it")
    void sessionExpiry() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        TernClientBuilder b = v5("expiry").cleanStart(false).sessionExpiryInterval(1);
        try (TernClient first = b.build()) {
            first.connect().get(5, TimeUnit.SECONDS);
            first.subscribe(Subscription.of("mx/t", 1), m -> got.add(m.payloadAsString())).get(5, TimeUnit.SECONDS);
            first.disconnect().get(5, TimeUnit.SECONDS);
            // Within the interval the session is there.
            assertThat(first.connect().get(5, TimeUnit.SECONDS).sessionPresent()).isTrue();
            first.disconnect().get(5, TimeUnit.SECONDS);
            Thread.sleep(2_100); // past the 1 s interval (mosquitto checks expiry once a second)
            ConnectResult r = first.connect().get(5, TimeUnit.SECONDS);
            assertThat(r.sessionPresent()).isFalse();
            // The client made its subscription again by itself.
            try (BlockingClient pub = v5("expiry-pub").buildBlocking()) {
                pub.connect();
                await().atMost(Duration.ofSeconds(5)).until(() -> {
                    pub.publish("mx/t", "again", 1, false);
                    return got.contains("again");
                });
            }
            // A Session Expiry Interval of 0 in DISCONNECT ends the session at once.
            first.disconnect(0, MqttProperties.builder().sessionExpiryInterval(0L).build()).get(5, TimeUnit.SECONDS);
            assertThat(first.connect().get(5, TimeUnit.SECONDS).sessionPresent()).isFalse();
            first.disconnect(0, MqttProperties.builder().sessionExpiryInterval(0L).build()).get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("request/response: Response Topic and Correlation Data travel to the responder and back; "
            + "Response Information when asked for (Tern only)")
    void requestResponse() throws Exception {
        try (BlockingClient requester = v5("requester").requestResponseInformation(true).buildBlocking();
             BlockingClient responder = v5("responder").buildBlocking()) {
            ConnectResult r = requester.connect();
            if (kind == TestBroker.Kind.TERN) {
                assertThat(r.properties().responseInformation()).isEqualTo("response/" + r.clientId());
            } else {
                assertThat(r.properties().responseInformation()).isNull();
            }
            responder.connect();
            responder.subscribe(Subscription.of("rr/service", 1), m -> responder.async().publish(
                    Message.builder(m.responseTopic()).payload("answer to " + m.payloadAsString()).qos(1)
                            .correlationData(m.correlationData()).userProperty("served-by", "responder").build()));
            MessageStream replies = requester.subscribeStream(10, Subscription.of("rr/replies/requester", 1));
            for (int i = 0; i < 3; i++) {
                requester.publish(Message.builder("rr/service").payload("q" + i).qos(1)
                        .responseTopic("rr/replies/requester").correlationData(new byte[] {(byte) i}).build());
            }
            for (int i = 0; i < 3; i++) {
                Message reply = replies.receive(Duration.ofSeconds(5)).orElseThrow();
                assertThat(reply.payloadAsString()).isEqualTo("answer to q" + i);
                assertThat(reply.correlationData()).containsExactly(i);
                assertThat(reply.userProperties()).containsExactly(new UserProperty("served-by", "responder"));
            }
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.4-9] the client's Receive Maximum: Tern keeps at most that many QoS 1 messages unacknowledged; "
            + "mosquitto 2.0.11 overshoots after the first PUBACK and the client disconnects with 0x93")
    void clientReceiveMaximum() throws Exception {
        List<Message> got = new CopyOnWriteArrayList<>();
        List<Throwable> lost = new CopyOnWriteArrayList<>();
        try (TernClient sub = v5("rm-sub").receiveMaximum(3).manualAcknowledgement(true)
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void disconnected(Throwable cause, boolean reconnecting) {
                        lost.add(cause);
                    }
                }).build();
             BlockingClient pub = v5("rm-pub").buildBlocking()) {
            sub.connect().get(5, TimeUnit.SECONDS);
            sub.subscribe(Subscription.of("rm/t", 1), got::add).get(5, TimeUnit.SECONDS);
            pub.connect();
            for (int i = 0; i < 10; i++) {
                pub.publish("rm/t", "r" + i, 1, false);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() >= 3);
            Thread.sleep(300); // a fourth message would arrive now
            assertThat(got).hasSize(3);
            if (kind == TestBroker.Kind.MOSQUITTO) {
                // Mosquitto 2.0.11 answers each PUBACK with Receive Maximum new messages (docs/interop.md):
                // 5 unacknowledged after the first one. The client says so and closes [MQTT-3.3.4-9].
                got.get(0).acknowledge();
                await().atMost(Duration.ofSeconds(5)).until(() -> !lost.isEmpty());
                assertThat(lost.get(0)).isInstanceOf(MqttClientException.class)
                        .hasMessageContaining("Receive Maximum exceeded");
                assertThat(((MqttClientException) lost.get(0)).reasonCode()).isEqualTo(0x93);
                return;
            }
            for (int acked = 0; acked < 10; acked++) {
                got.get(acked).acknowledge();
                int expected = Math.min(10, acked + 4);
                await().atMost(Duration.ofSeconds(5)).until(() -> got.size() >= expected);
                assertThat(got).hasSize(expected);
            }
            assertThat(got).extracting(Message::payloadAsString)
                    .containsExactly("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9");
            assertThat(lost).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
    @DisplayName("persistent session: messages published while offline arrive on reconnect; manual acknowledgement")
    void persistentSessionAndManualAck(MqttVersion v) throws Exception {
        TernClientBuilder b = client(v, "persist-" + v.level()).cleanStart(false).sessionExpiryInterval(300)
                .manualAcknowledgement(true);
        List<Message> got = new CopyOnWriteArrayList<>();
        try (TernClient first = b.build()) {
            first.connect().get(5, TimeUnit.SECONDS);
            first.subscribe(Subscription.of("mps/" + v.level(), 1), got::add).get(5, TimeUnit.SECONDS);
            first.disconnect().get(5, TimeUnit.SECONDS);
        }
        try (BlockingClient pub = client(v, "persist-pub-" + v.level()).buildBlocking()) {
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
            // A server reads a connection's packets in order: once this UNSUBACK is back it has read the
            // PUBACKs. Without it the third connection can overtake them: the server takes the session over
            // from a connection whose last PUBACKs it has not read yet, and rightly sends those messages again.
            second.unsubscribe("mps-none/" + v.level()).get(5, TimeUnit.SECONDS);
            second.disconnect().get(5, TimeUnit.SECONDS);
        }
        // Acknowledged: a third connection gets nothing again (a marker published after it connected
        // arrives alone).
        List<Message> again = new CopyOnWriteArrayList<>();
        try (TernClient third = b.manualAcknowledgement(false).cleanStart(false).defaultHandler(again::add).build();
             BlockingClient pub = client(v, "persist-pub-" + v.level()).buildBlocking()) {
            third.connect().get(5, TimeUnit.SECONDS);
            pub.connect();
            pub.publish("mps/" + v.level(), "marker", 1, false);
            await().atMost(Duration.ofSeconds(5)).until(() -> !again.isEmpty());
            assertThat(again).extracting(Message::payloadAsString).containsExactly("marker");
            third.disconnect(0, MqttProperties.builder().sessionExpiryInterval(0L).build()).get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("MQTT 3.1 and a client id the server assigns (MQTT 5)")
    void assignedClientId() throws Exception {
        try (BlockingClient c = TernClient.builder().serverHost("127.0.0.1").serverPort(broker.port())
                .version(MqttVersion.MQTT_5).buildBlocking()) {
            ConnectResult r = c.connect();
            assertThat(r.clientId()).startsWith("auto-");
            assertThat(r.properties().assignedClientIdentifier()).isEqualTo(r.clientId());
        }
        try (BlockingClient c = TernClient.builder().serverHost("127.0.0.1").serverPort(broker.port())
                .version(MqttVersion.MQTT_3_1).buildBlocking()) {
            assertThat(c.connect().clientId()).startsWith("tern-");
            assertThat(c.publish("m31", "x", 2, false).qos()).isEqualTo(QoS.EXACTLY_ONCE);
        }
    }
}
