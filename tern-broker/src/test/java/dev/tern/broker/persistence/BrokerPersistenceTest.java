package dev.tern.broker.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.TernBroker;
import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.config.ListenerConfig;
import dev.tern.broker.store.StoreTesting;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubComp;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.Subscribe;
import dev.tern.codec.packet.TopicSubscription;
import dev.tern.codec.packet.Will;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker with persistence on, restarted in the same JVM on the same store: what was acknowledged
 * comes back (queued messages, subscriptions, retained messages, QoS 2 state both ways, delayed wills),
 * acknowledgements wait for the store, and a store that cannot be written is refused cleanly.
 */
class BrokerPersistenceTest {
    @TempDir
    Path dir;
    TernBroker broker;
    final List<MqttTestClient> clients = new ArrayList<>();

    @AfterEach
    void tearDown() throws IOException {
        for (MqttTestClient c : clients) {
            c.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    int maxQueued = 1000;

    TernBroker start() throws BindException {
        BrokerConfig config = BrokerConfig.builder().sysInterval(Duration.ZERO).allowAnonymous(true)
                .maxQueuedMessages(maxQueued).listener(ListenerConfig.mqtt(0, "127.0.0.1")).build();
        broker = TernBroker.builder().config(config).persistence(dir.resolve("store")).build().start();
        return broker;
    }

    void restart() throws BindException {
        broker.close();
        broker = null;
        start();
    }

    MqttTestClient client(String id, boolean clean) throws IOException {
        MqttTestClient c = MqttTestClient.connected(broker.port(), id, clean, MqttVersion.MQTT_3_1_1);
        clients.add(c);
        return c;
    }

    /** An MQTT 5.0 client with a Session Expiry Interval (0: a session that ends with the connection). */
    MqttTestClient client5(String id, long expiry, boolean cleanStart) throws IOException {
        MqttTestClient c = MqttTestClient.open(broker.port(), MqttVersion.MQTT_5);
        clients.add(c);
        c.send(new Connect(MqttVersion.MQTT_5, id, cleanStart, 60, null, null, null,
                expiry == 0 ? MqttProperties.EMPTY : MqttProperties.builder().sessionExpiryInterval(expiry).build()));
        assertThat(c.expect(ConnAck.class).reasonCode()).isZero();
        return c;
    }

    static Publish publish(String topic, String payload, QoS qos, int id, boolean retain) {
        return new Publish(topic, qos, retain, false, id, MqttProperties.EMPTY,
                Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8));
    }

    static String text(MqttPacket p) {
        return MqttTestClient.text((Publish) p);
    }

    void drop(MqttTestClient c) throws IOException {
        c.close();
        clients.remove(c);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-4] [MQTT-3.1.2-5] [MQTT-4.1.0-1] a message queued for an offline persistent session,"
            + " and its subscription, survive a restart")
    void offlineQueueAndSubscriptionSurvive() throws Exception {
        start();
        MqttTestClient sub = client("sub", false);
        sub.subscribe("a/#", QoS.AT_LEAST_ONCE);
        sub.disconnect();
        clients.remove(sub);
        MqttTestClient pub = client("pub", true);
        pub.publish("a/1", "m1", QoS.AT_LEAST_ONCE, false);
        pub.publish("a/2", "m2", QoS.EXACTLY_ONCE, false);
        restart();

        MqttTestClient again = MqttTestClient.open(broker.port(), MqttVersion.MQTT_3_1_1);
        clients.add(again);
        ConnAck ack = again.connect("sub", false, 60, null);
        assertThat(ack.sessionPresent()).isTrue();
        Publish p1 = again.expect(Publish.class);
        Publish p2 = again.expect(Publish.class);
        assertThat(List.of(text(p1), text(p2))).containsExactly("m1", "m2");
        again.send(new PubAck(p1.packetId()));
        again.send(new PubAck(p2.packetId()));
        // The subscription came back too: a new message arrives without subscribing again.
        MqttTestClient pub2 = client("pub2", true);
        pub2.publish("a/3", "m3", QoS.AT_LEAST_ONCE, false);
        Publish p3 = again.expect(Publish.class);
        assertThat(text(p3)).isEqualTo("m3");
        again.send(new PubAck(p3.packetId()));
        assertThat(broker.sessionInfo("sub").get(5, TimeUnit.SECONDS).orElseThrow().subscriptions())
                .containsExactly("a/#");
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] acknowledged messages that were never acknowledged by their subscriber come back"
            + " after a restart,"
            + " with DUP and their packet id")
    void unacknowledgedInFlightComesBack() throws Exception {
        start();
        MqttTestClient sub = client("sub", false);
        sub.subscribe("t", QoS.AT_LEAST_ONCE);
        MqttTestClient pub = client("pub", true);
        pub.publish("t", "once", QoS.AT_LEAST_ONCE, false);
        Publish first = sub.expect(Publish.class);
        assertThat(first.dup()).isFalse();
        drop(sub); // no PUBACK
        restart();
        MqttTestClient again = MqttTestClient.open(broker.port(), MqttVersion.MQTT_3_1_1);
        clients.add(again);
        assertThat(again.connect("sub", false, 60, null).sessionPresent()).isTrue();
        Publish resent = again.expect(Publish.class);
        assertThat(text(resent)).isEqualTo("once");
        assertThat(resent.dup()).isTrue();
        assertThat(resent.packetId()).isEqualTo(first.packetId());
    }

    @Test
    @DisplayName("retained messages with MQTT 5 properties survive a restart; an empty one deletes for good")
    void retainedSurvives() throws Exception {
        start();
        MqttTestClient pub = client5("pub", 0, true);
        pub.send(new Publish("r/keep", QoS.AT_LEAST_ONCE, true, false, 1,
                MqttProperties.builder().contentType("text/plain").addUserProperty("k", "v").build(),
                Unpooled.copiedBuffer("kept", StandardCharsets.UTF_8)));
        pub.expect(PubAck.class);
        pub.send(publish("r/gone", "x", QoS.AT_LEAST_ONCE, 2, true));
        pub.expect(PubAck.class);
        pub.send(publish("r/gone", "", QoS.AT_LEAST_ONCE, 3, true));
        pub.expect(PubAck.class);
        restart();
        assertThat(broker.retainedCount()).isEqualTo(1);
        MqttTestClient sub = client5("sub", 0, true);
        sub.send(new Subscribe(1, List.of(new TopicSubscription("r/#", QoS.AT_LEAST_ONCE)), MqttProperties.EMPTY));
        sub.expect(SubAck.class);
        Publish r = sub.expect(Publish.class);
        assertThat(r.retain()).isTrue();
        assertThat(text(r)).isEqualTo("kept");
        assertThat(r.properties().contentType()).isEqualTo("text/plain");
        assertThat(r.properties().userProperties()).hasSize(1);
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] [MQTT-4.3.3-1] QoS 2 to a subscriber: a PUBREL due before the restart is re-sent"
            + " after it, not the PUBLISH")
    void outboundPubRelSurvives() throws Exception {
        start();
        MqttTestClient sub = client("sub", false);
        sub.subscribe("q2", QoS.EXACTLY_ONCE);
        MqttTestClient pub = client("pub", true);
        pub.publish("q2", "exactly", QoS.EXACTLY_ONCE, false);
        Publish p = sub.expect(Publish.class);
        sub.send(new PubRec(p.packetId()));
        assertThat(sub.expect(PubRel.class).packetId()).isEqualTo(p.packetId()); // sent once the PUBREC is stored
        drop(sub); // no PUBCOMP
        restart();
        MqttTestClient again = MqttTestClient.open(broker.port(), MqttVersion.MQTT_3_1_1);
        clients.add(again);
        assertThat(again.connect("sub", false, 60, null).sessionPresent()).isTrue();
        assertThat(again.expect(PubRel.class).packetId()).isEqualTo(p.packetId());
        again.send(new PubComp(p.packetId()));
        assertNothing(again);
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] [MQTT-4.1.0-1] QoS 2 from a publisher: its packet id survives a restart, so the"
            + " re-sent PUBLISH is not a second copy")
    void inboundQos2Survives() throws Exception {
        start();
        MqttTestClient sub = client("sub", false);
        sub.subscribe("q2", QoS.EXACTLY_ONCE);
        drop(sub);
        MqttTestClient pub = client("pub", false);
        pub.send(publish("q2", "one", QoS.EXACTLY_ONCE, 7, false));
        assertThat(pub.expect(PubRec.class).packetId()).isEqualTo(7);
        drop(pub); // no PUBREL: the publisher will send the PUBLISH again
        restart();
        MqttTestClient pub2 = MqttTestClient.open(broker.port(), MqttVersion.MQTT_3_1_1);
        clients.add(pub2);
        assertThat(pub2.connect("pub", false, 60, null).sessionPresent()).isTrue();
        pub2.send(new Publish("q2", QoS.EXACTLY_ONCE, false, true, 7, MqttProperties.EMPTY,
                Unpooled.copiedBuffer("one", StandardCharsets.UTF_8)));
        assertThat(pub2.expect(PubRec.class).packetId()).isEqualTo(7);
        pub2.send(new PubRel(7));
        assertThat(pub2.expect(PubComp.class).packetId()).isEqualTo(7);

        MqttTestClient again = MqttTestClient.open(broker.port(), MqttVersion.MQTT_3_1_1);
        clients.add(again);
        again.connect("sub", false, 60, null);
        Publish p = again.expect(Publish.class);
        assertThat(text(p)).isEqualTo("one");
        again.send(new PubRec(p.packetId()));
        again.expect(PubRel.class);
        again.send(new PubComp(p.packetId()));
        assertNothing(again);
    }

    @Test
    @DisplayName("PUBACK waits until the store has the message")
    void pubAckAfterDurable() throws Exception {
        start();
        MqttTestClient sub = client("sub", false);
        sub.subscribe("slow", QoS.AT_LEAST_ONCE);
        drop(sub);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean hold = new AtomicBoolean(true);
        StoreTesting.injectFaults(broker.store(), () -> {
            if (hold.get()) {
                release.await(20, TimeUnit.SECONDS);
            }
        });
        MqttTestClient pub = client("pub", true);
        pub.send(publish("slow", "m", QoS.AT_LEAST_ONCE, 1, false));
        assertNothing(pub);
        hold.set(false);
        release.countDown();
        assertThat(pub.expect(PubAck.class).packetId()).isEqualTo(1);
    }

    @Test
    @DisplayName("store failure: MQTT 5 publishers to persistent sessions get 0x97, QoS 0 and clean sessions go on,"
            + " and it recovers")
    void storeFailure() throws Exception {
        start();
        MqttTestClient durable = client("durable-sub", false);
        durable.subscribe("d/#", QoS.AT_LEAST_ONCE);
        MqttTestClient clean = client("clean-sub", true);
        clean.subscribe("c/#", QoS.AT_LEAST_ONCE);
        AtomicBoolean broken = new AtomicBoolean(true);
        StoreTesting.injectFaults(broker.store(), () -> {
            if (broken.get()) {
                throw new IOException("No space left on device (injected)");
            }
        });
        MqttTestClient pub = client5("pub", 0, true);
        pub.send(publish("d/1", "to a persistent session", QoS.AT_LEAST_ONCE, 1, false));
        PubAck refused = pub.expect(PubAck.class);
        assertThat(refused.reasonCode()).isEqualTo(ReasonCodes.QUOTA_EXCEEDED);
        assertThat(refused.properties().reasonString()).contains("cannot store");
        // The write that failed was the first to: an early copy of its QoS 1 message may have reached
        // the connected persistent session already (README, Durability). Once the store is known to be
        // unavailable, a refused message goes to nobody.
        try {
            MqttPacket early = durable.receive(Duration.ofMillis(500));
            assertThat(early).isInstanceOf(Publish.class);
            assertThat(text((Publish) early)).isEqualTo("to a persistent session");
        } catch (SocketTimeoutException none) {
            // the copy did not go out before the failure
        }
        pub.send(publish("d/1", "while the store is unavailable", QoS.AT_LEAST_ONCE, 4, false));
        assertThat(pub.expect(PubAck.class).reasonCode()).isEqualTo(ReasonCodes.QUOTA_EXCEEDED);
        assertNothing(durable);

        pub.send(publish("c/1", "to a clean session", QoS.AT_LEAST_ONCE, 2, false));
        assertThat(pub.expect(PubAck.class).reasonCode()).isZero();
        assertThat(text(clean.expect(Publish.class))).isEqualTo("to a clean session");
        pub.send(publish("d/2", "QoS 0 to the online persistent session", QoS.AT_MOST_ONCE, 0, false));
        assertThat(text(durable.expect(Publish.class))).isEqualTo("QoS 0 to the online persistent session");

        MqttTestClient newSession = MqttTestClient.open(broker.port(), MqttVersion.MQTT_3_1_1);
        clients.add(newSession);
        assertThat(newSession.connect("new-persistent", false, 60, null).reasonCode())
                .isEqualTo(ReasonCodes.V3_SERVER_UNAVAILABLE);

        broken.set(false);
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> broker.store().health().available());
        pub.send(publish("d/3", "after recovery", QoS.AT_LEAST_ONCE, 3, false));
        assertThat(pub.expect(PubAck.class).reasonCode()).isZero();
        Publish p = durable.expect(Publish.class);
        assertThat(text(p)).isEqualTo("after recovery");
    }

    @Test
    @DisplayName("store failure: an MQTT 3.1.1 publisher is disconnected without PUBACK, to send again later")
    void storeFailureV3() throws Exception {
        start();
        MqttTestClient sub = client("sub", false);
        sub.subscribe("d", QoS.AT_LEAST_ONCE);
        StoreTesting.injectFaults(broker.store(), () -> {
            throw new IOException("No space left on device (injected)");
        });
        MqttTestClient pub = client("pub", true);
        pub.send(publish("d", "x", QoS.AT_LEAST_ONCE, 1, false));
        assertThat(pub.raw().awaitClosed(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    @DisplayName("a clean start discards what the store kept for the session")
    void cleanStartDiscards() throws Exception {
        start();
        MqttTestClient sub = client("sub", false);
        sub.subscribe("x", QoS.AT_LEAST_ONCE);
        drop(sub);
        client("pub", true).publish("x", "old", QoS.AT_LEAST_ONCE, false);
        MqttTestClient fresh = client("sub", true);
        fresh.disconnect();
        clients.remove(fresh);
        restart();
        MqttTestClient again = MqttTestClient.open(broker.port(), MqttVersion.MQTT_3_1_1);
        clients.add(again);
        assertThat(again.connect("sub", false, 60, null).sessionPresent()).isFalse();
        assertNothing(again);
    }

    @Test
    @DisplayName("an unsubscribe survives a restart")
    void unsubscribeSurvives() throws Exception {
        start();
        MqttTestClient sub = client("sub", false);
        sub.subscribe("a", QoS.AT_LEAST_ONCE);
        sub.subscribe("b", QoS.AT_LEAST_ONCE);
        sub.unsubscribe("a");
        drop(sub);
        restart();
        assertThat(broker.sessionInfo("sub").get(5, TimeUnit.SECONDS).orElseThrow().subscriptions())
                .containsExactly("b");
    }

    @Test
    @DisplayName("a will waiting for its Will Delay Interval survives a restart and is published when due")
    void delayedWillSurvives() throws Exception {
        start();
        MqttTestClient watcher = client("watcher", false);
        watcher.subscribe("status/#", QoS.AT_LEAST_ONCE);
        drop(watcher);
        MqttTestClient c = MqttTestClient.open(broker.port(), MqttVersion.MQTT_5);
        clients.add(c);
        Will will = new Will("status/dev", "gone".getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, false,
                MqttProperties.builder().willDelayInterval(2L).build());
        c.send(new Connect(MqttVersion.MQTT_5, "dev", true, 60, null, null, will,
                MqttProperties.builder().sessionExpiryInterval(60L).build()));
        c.expect(ConnAck.class);
        drop(c); // without DISCONNECT: the will waits 2 s
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                broker.sessionInfo("dev").get().map(i -> i.willPending()).orElse(false));
        restart();
        MqttTestClient back = MqttTestClient.open(broker.port(), MqttVersion.MQTT_3_1_1);
        clients.add(back);
        back.connect("watcher", false, 60, null);
        Publish p = (Publish) back.receive(Duration.ofSeconds(10));
        assertThat(text(p)).isEqualTo("gone");
        assertThat(p.topic()).isEqualTo("status/dev");
    }

    @Test
    @DisplayName("a session that expired while the broker was down is gone after the restart")
    void expiredWhileDown() throws Exception {
        start();
        MqttTestClient c = client5("short", 1, true);
        c.send(new Subscribe(1, List.of(new TopicSubscription("s", QoS.AT_LEAST_ONCE)), MqttProperties.EMPTY));
        c.expect(SubAck.class);
        drop(c);
        broker.close();
        broker = null;
        Thread.sleep(1500);
        start();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                broker.sessionInfo("short").get().isEmpty());
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] a stored session taken over by a new connection re-sends its unacknowledged"
            + " QoS 1 messages with DUP set, then delivers the rest of its queue")
    void takeOverResendsStoredInflight() throws Exception {
        start();
        MqttTestClient first = client("taken", false);
        first.subscribe("t", QoS.AT_LEAST_ONCE);
        MqttTestClient pub = client("pub", true);
        for (int i = 0; i < 3; i++) {
            pub.publish("t", "m" + i, QoS.AT_LEAST_ONCE, false);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(text(first.expect(Publish.class))).isEqualTo("m" + i); // not acknowledged
        }
        // The same client id connects again while the first connection is still open: a take-over.
        MqttTestClient second = MqttTestClient.open(broker.port(), MqttVersion.MQTT_3_1_1);
        clients.add(second);
        assertThat(second.connect("taken", false, 60, null).sessionPresent()).isTrue();
        for (int i = 0; i < 3; i++) {
            Publish p = second.expect(Publish.class);
            assertThat(text(p)).isEqualTo("m" + i);
            assertThat(p.dup()).as("re-sent m%d has DUP", i).isTrue();
            second.send(new PubAck(p.packetId()));
        }
        pub.publish("t", "m3", QoS.AT_LEAST_ONCE, false);
        Publish next = second.expect(Publish.class);
        assertThat(text(next)).isEqualTo("m3");
        assertThat(next.dup()).isFalse();
        second.send(new PubAck(next.packetId()));
    }

    @Test
    @DisplayName("many sessions that expired while the broker was down are all removed after the restart")
    void manyExpiredWhileDown() throws Exception {
        start();
        int n = 60;
        for (int i = 0; i < n; i++) {
            MqttTestClient c = client5("short-" + i, 1, true);
            c.send(new Subscribe(1, List.of(new TopicSubscription("s", QoS.AT_LEAST_ONCE)), MqttProperties.EMPTY));
            c.expect(SubAck.class);
            drop(c);
        }
        broker.close();
        broker = null;
        Thread.sleep(1500);
        start();
        // Each expiry runs on its loop as soon as the session is restored; before the fix some ran
        // before the session was registered, so they removed nothing and the session stayed forever.
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            for (int i = 0; i < n; i++) {
                if (broker.sessionInfo("short-" + i).get().isPresent()) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    @DisplayName("5,000 messages queued offline are read back from the store in order after a restart")
    void longOfflineQueue() throws Exception {
        maxQueued = 0; // no limit
        start();
        MqttTestClient sub = client("sub", false);
        sub.subscribe("q", QoS.AT_LEAST_ONCE);
        drop(sub);
        MqttTestClient pub = client("pub", true);
        int n = 5000;
        for (int i = 0; i < n; i++) {
            pub.send(publish("q", "m" + i, QoS.AT_LEAST_ONCE, 1 + (i % 60_000), false));
        }
        for (int i = 0; i < n; i++) {
            pub.expect(PubAck.class);
        }
        assertThat(broker.sessionInfo("sub").get(5, TimeUnit.SECONDS).orElseThrow().queuedMessages()).isEqualTo(n);
        restart();
        MqttTestClient again = MqttTestClient.open(broker.port(), MqttVersion.MQTT_3_1_1);
        clients.add(again);
        again.connect("sub", false, 60, null);
        for (int i = 0; i < n; i++) {
            Publish p = again.expect(Publish.class);
            assertThat(text(p)).isEqualTo("m" + i);
            again.send(new PubAck(p.packetId()));
        }
        assertNothing(again);
    }

    @Test
    @DisplayName("max_queued_messages limits a stored queue as it limits one in memory (beyond the in-flight window)")
    void storedQueueLimit() throws Exception {
        maxQueued = 10;
        start();
        int window = broker.config().maxInflightMessages();
        MqttTestClient sub = client("sub", false);
        sub.subscribe("q", QoS.AT_LEAST_ONCE);
        drop(sub);
        MqttTestClient pub = client("pub", true);
        int published = window + maxQueued + 20;
        for (int i = 0; i < published; i++) {
            pub.publish("q", "m" + i, QoS.AT_LEAST_ONCE, false);
        }
        assertThat(broker.sessionInfo("sub").get(5, TimeUnit.SECONDS).orElseThrow().queuedMessages())
                .isEqualTo(maxQueued + window);
        assertThat(broker.metrics().publishDropped()).isEqualTo(20);
    }

    static void assertNothing(MqttTestClient c) throws IOException {
        try {
            MqttPacket p = c.receive(Duration.ofMillis(500));
            throw new AssertionError("expected nothing, got " + p);
        } catch (SocketTimeoutException expected) {
            // nothing arrived
        }
    }
}
