package dev.tern.broker.session;

import static dev.tern.broker.session.SessionHarness.persistent;
import static dev.tern.broker.session.SessionHarness.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.routing.Subscription;
import dev.tern.codec.QoS;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One session's outbound and inbound message handling, with fake connections on real event loops. */
class SessionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private SessionHarness h;
    private final List<FakeConnection> connections = new ArrayList<>();

    private SessionHarness harness(SessionSettings settings) {
        h = new SessionHarness(2, settings);
        return h;
    }

    private FakeConnection connection(String name, int loop) {
        FakeConnection c = new FakeConnection(name, h.loop(loop));
        connections.add(c);
        return c;
    }

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
        for (FakeConnection c : connections) {
            assertThat(c.violations()).as("threading of %s", c).isEmpty();
        }
    }

    private static List<String> range(int from, int to) {
        return IntStream.range(from, to).mapToObj(Integer::toString).toList();
    }

    @Test
    @DisplayName("Deliveries from another thread arrive in order [MQTT-4.6.0-6]")
    void deliveriesFromAnotherThreadArriveInOrder() throws Exception {
        harness(settings(10, 0, 0));
        FakeConnection c = connection("c", 0);
        c.autoAck = true;
        Session s = h.attach(c, persistent("client"));
        int n = 3000;
        Thread publisher = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                s.deliver(h.delivery(i, i % 3 == 0 ? QoS.AT_MOST_ONCE : QoS.AT_LEAST_ONCE));
            }
        }, "publisher");
        publisher.start();
        publisher.join(TIMEOUT.toMillis());
        await().atMost(TIMEOUT).until(() -> c.receivedPayloads().size() == n
                && h.inSession(s, () -> s.inflightMessages()) == 0);
        assertThat(c.receivedPayloads()).containsExactlyElementsOf(range(0, n));
        assertThat(h.metrics.publishDropped()).isZero();
        assertThat(h.metrics.publishSent()).isEqualTo(n);
        h.assertAllReleased();
    }

    @Test
    @DisplayName("Publishers on several threads racing to create a fresh session's mailbox lose nothing [MQTT-4.6.0-6]")
    void deliveriesRacingToCreateTheMailboxAllArrive() throws Exception {
        harness(settings(10, 0, 0));
        FakeConnection c = connection("c", 0);
        c.autoAck = true;
        Session s = h.attach(c, persistent("client"));
        assertThat(s.hasMailbox()).as("an idle session holds no mailbox").isFalse();
        int publishers = 4;
        int n = 500;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            String name = "p" + p + "-";
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < n; i++) {
                    s.deliver(h.delivery(name + i, i % 2 == 0 ? QoS.AT_MOST_ONCE : QoS.AT_LEAST_ONCE));
                }
            }, "publisher-" + p);
            threads.add(t);
            t.start();
        }
        start.countDown();
        for (Thread t : threads) {
            t.join(TIMEOUT.toMillis());
        }
        await().atMost(TIMEOUT).until(() -> c.receivedPayloads().size() == publishers * n
                && h.inSession(s, () -> s.inflightMessages()) == 0);
        assertThat(s.hasMailbox()).isTrue();
        List<String> received = c.receivedPayloads();
        for (int p = 0; p < publishers; p++) {
            String prefix = "p" + p + "-";
            List<String> own = received.stream().filter(x -> x.startsWith(prefix)).toList();
            assertThat(own).as("publisher %d's messages, once each and in order", p)
                    .containsExactlyElementsOf(IntStream.range(0, n).mapToObj(i -> prefix + i).toList());
        }
        assertThat(h.metrics.publishDropped()).isZero();
        h.assertAllReleased();
    }

    @Test
    @DisplayName("QoS 0 messages are not queued for an offline client unless queue_qos0_messages")
    void qos0IsDroppedWhileOffline() throws Exception {
        harness(settings(10, 0, 0, false, null));
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, persistent("client"));
        c1.close();
        s.deliver(h.delivery("q0-a", QoS.AT_MOST_ONCE));
        s.deliver(h.delivery("q1", QoS.AT_LEAST_ONCE));
        s.deliver(h.delivery("q0-b", QoS.AT_MOST_ONCE));
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(1);
        assertThat(h.refCnt("q0-a")).isZero();
        assertThat(h.refCnt("q0-b")).isZero();

        // QoS 0 already queued (here: behind an unwritable channel) is dropped when the client goes away.
        FakeConnection c2 = connection("c2", 1);
        c2.autoAck = true;
        h.attach(c2, persistent("client"));
        await().atMost(TIMEOUT).until(() -> c2.receivedPayloads().equals(List.of("q1")));
        c2.writable = false;
        s.deliver(h.delivery("q0-c", QoS.AT_MOST_ONCE));
        s.deliver(h.delivery("q1-b", QoS.AT_LEAST_ONCE));
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(2);
        c2.close();
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(1);
        assertThat(h.refCnt("q0-c")).isZero();

        FakeConnection c3 = connection("c3", 0);
        c3.autoAck = true;
        h.attach(c3, persistent("client"));
        await().atMost(TIMEOUT).until(() -> c3.receivedPayloads().equals(List.of("q1-b")));
        c3.close();
        h.assertAllReleased();
    }

    @Test
    @DisplayName("An offline session's QoS 0 copy is dropped by the routing thread, with no task for the session's loop; once reconnected it is sent")
    void qos0ForAnOfflineSessionIsDroppedAtOnce() throws Exception {
        harness(settings(10, 0, 0, false, null));
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, persistent("client"));
        c1.close();
        // Delivered from within a task on the session's own loop: a copy handed to the mailbox could not
        // be drained (and released) before the task ends, so a reference count of 0 here means dropped at once.
        int refCnt = h.inSession(s, () -> {
            s.deliver(h.delivery("q0-offline", QoS.AT_MOST_ONCE));
            return h.refCnt("q0-offline");
        });
        assertThat(refCnt).isZero();
        FakeConnection c2 = connection("c2", 0);
        h.attach(c2, persistent("client"));
        s.deliver(h.delivery("q0-online", QoS.AT_MOST_ONCE));
        await().atMost(TIMEOUT).until(() -> c2.receivedPayloads().equals(List.of("q0-online")));
        c2.close();
        h.assertAllReleased();
    }

    @Test
    @DisplayName("A session restored from the store is offline too: its QoS 0 copies are dropped at once")
    void restoredSessionDropsQos0AtOnce() throws Exception {
        harness(settings(10, 0, 0, false, null));
        h.registry.useStore(new dev.tern.broker.store.InMemoryStore());
        var record = new dev.tern.broker.store.SessionRecord("restored", 7, dev.tern.codec.MqttVersion.MQTT_3_1_1,
                dev.tern.broker.store.SessionRecord.NEVER_EXPIRES, System.currentTimeMillis());
        h.registry.restore(List.of(new dev.tern.broker.store.RecoveredSession(record,
                List.of(dev.tern.broker.store.SubscriptionRecord.of("r/t", QoS.AT_LEAST_ONCE)), java.util.Set.of(), null,
                dev.tern.broker.store.QueueSummary.EMPTY)), h.group);
        List<Subscription> found = new ArrayList<>();
        h.trie.match("r/t", found::add);
        assertThat(found).hasSize(1);
        Session s = (Session) found.get(0).subscriber();
        assertThat(s.discardsQos0()).isTrue();
        int refCnt = h.inSession(s, () -> {
            s.deliver(h.delivery("q0-restored", QoS.AT_MOST_ONCE));
            return h.refCnt("q0-restored");
        });
        assertThat(refCnt).isZero();
        h.assertAllReleased();
    }

    @Test
    @DisplayName("With queue_qos0_messages, QoS 0 messages are queued for an offline client, in order")
    void qos0IsQueuedWhileOfflineWhenConfigured() throws Exception {
        harness(settings(10, 0, 0, true, null));
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, persistent("client"));
        c1.close();
        s.deliver(h.delivery("q0-a", QoS.AT_MOST_ONCE));
        s.deliver(h.delivery("q1", QoS.AT_LEAST_ONCE));
        s.deliver(h.delivery("q0-b", QoS.AT_MOST_ONCE));
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(3);

        FakeConnection c2 = connection("c2", 1);
        c2.autoAck = true;
        h.attach(c2, persistent("client"));
        await().atMost(TIMEOUT).until(() -> c2.receivedPayloads().size() == 3);
        assertThat(c2.receivedPayloads()).containsExactly("q0-a", "q1", "q0-b");
        c2.close();
        h.assertAllReleased();
    }

    @Test
    @DisplayName("max_queued_messages bounds the queue; drops are released and counted")
    void maxQueuedMessagesBoundsTheQueue() throws Exception {
        harness(settings(1, 3, 0));
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, persistent("client"));
        c1.close();
        for (int i = 0; i < 6; i++) {
            s.deliver(h.delivery(i, QoS.AT_LEAST_ONCE));
        }
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(3);
        assertThat(h.metrics.publishDropped()).isEqualTo(3);
        for (int i = 3; i < 6; i++) {
            assertThat(h.refCnt(Integer.toString(i))).as("dropped %d", i).isZero();
        }
        for (int i = 0; i < 3; i++) {
            assertThat(h.refCnt(Integer.toString(i))).as("queued %d", i).isEqualTo(1);
        }

        // Online with a window of one: one in flight plus three queued; the fifth is dropped.
        FakeConnection c2 = connection("c2", 1);
        Session again = h.attach(c2, persistent("client"));
        assertThat(again).isSameAs(s);
        await().atMost(TIMEOUT).until(() -> c2.receivedPayloads().equals(List.of("0")));
        for (int i = 6; i < 10; i++) {
            s.deliver(h.delivery(i, QoS.AT_LEAST_ONCE));
        }
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(3);
        assertThat(h.metrics.publishDropped()).isEqualTo(3 + 3);
        c2.autoAck = true;
        c2.runOnLoop(() -> s.onPubAck(c2.received().get(0).packetId()));
        await().atMost(TIMEOUT).until(() -> c2.receivedPayloads().size() == 4);
        assertThat(c2.receivedPayloads()).containsExactly("0", "1", "2", "6");
        await().atMost(TIMEOUT).until(() -> h.inSession(s, () -> s.inflightMessages()) == 0);
        c2.close();
        h.assertAllReleased();
    }

    @Test
    @DisplayName("max_queued_bytes bounds the queue by payload size; one message always fits an empty queue")
    void maxQueuedBytesBoundsTheQueue() throws Exception {
        harness(settings(10, 0, 10));
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, persistent("client"));
        c1.close();
        s.deliver(h.delivery("aaaa", QoS.AT_LEAST_ONCE));
        s.deliver(h.delivery("bbbb", QoS.AT_LEAST_ONCE));
        s.deliver(h.delivery("cccc", QoS.AT_LEAST_ONCE)); // 12 bytes > 10
        s.deliver(h.delivery("dd", QoS.AT_LEAST_ONCE)); // exactly 10
        s.deliver(h.delivery("e", QoS.AT_LEAST_ONCE));
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(3);
        assertThat(h.metrics.publishDropped()).isEqualTo(2);
        assertThat(h.refCnt("cccc")).isZero();
        assertThat(h.refCnt("e")).isZero();

        FakeConnection c2 = connection("c2", 1);
        c2.autoAck = true;
        h.attach(c2, persistent("client"));
        await().atMost(TIMEOUT).until(() -> c2.receivedPayloads().size() == 3);
        assertThat(c2.receivedPayloads()).containsExactly("aaaa", "bbbb", "dd");
        await().atMost(TIMEOUT).until(() -> h.inSession(s, () -> s.inflightMessages()) == 0);
        c2.close();

        s.deliver(h.delivery("a message larger than the byte limit", QoS.AT_LEAST_ONCE));
        s.deliver(h.delivery("x", QoS.AT_LEAST_ONCE));
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(1);
        assertThat(h.metrics.publishDropped()).isEqualTo(3);
        assertThat(h.refCnt("x")).isZero();
    }

    @Test
    @DisplayName("The mailbox of deliveries from other threads is bounded too")
    void mailboxIsBounded() throws Exception {
        harness(settings(1, 1, 0)); // mailbox limit: max(1024, 2 * 1)
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, persistent("client"));
        c1.close();
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        c1.loop.execute(() -> { // the owner is busy: deliveries pile up in the mailbox
            blocked.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 1030; i++) {
            s.deliver(h.delivery(i, QoS.AT_LEAST_ONCE));
        }
        assertThat(h.metrics.publishDropped()).as("beyond the mailbox limit").isEqualTo(6);
        for (int i = 1024; i < 1030; i++) {
            assertThat(h.refCnt(Integer.toString(i))).isZero();
        }
        release.countDown();
        // The owner then queues one (max_queued_messages 1); the rest overflow the queue.
        await().atMost(TIMEOUT).until(() -> h.metrics.publishDropped() == 1029);
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(1);

        FakeConnection c2 = connection("c2", 1);
        c2.autoAck = true;
        h.attach(c2, persistent("client"));
        await().atMost(TIMEOUT).until(() -> c2.receivedPayloads().equals(List.of("0")));
        await().atMost(TIMEOUT).until(() -> h.inSession(s, () -> s.inflightMessages()) == 0);
        h.assertAllReleased();
    }

    @Test
    @DisplayName("The in-flight window (max_inflight_messages) holds back sends until PUBACK")
    void inflightWindowLimitsSendsUntilPubAck() throws Exception {
        harness(settings(2, 0, 0));
        FakeConnection c = connection("c", 0);
        Session s = h.attach(c, persistent("client"));
        for (int i = 0; i < 4; i++) {
            s.deliver(h.delivery(i, QoS.AT_LEAST_ONCE));
        }
        s.deliver(h.delivery("q0", QoS.AT_MOST_ONCE)); // waits behind the window, keeping the order
        await().atMost(TIMEOUT).until(() -> c.receivedPayloads().size() == 2);
        assertThat(c.receivedPayloads()).containsExactly("0", "1");
        assertThat(h.inSession(s, () -> s.inflightMessages())).isEqualTo(2);
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(3);
        List<FakeConnection.Write> first = c.received();
        assertThat(first).extracting(FakeConnection.Write::packetId).doesNotHaveDuplicates().doesNotContain(0);
        assertThat(first).extracting(FakeConnection.Write::dup).containsOnly(false);
        assertThat(first).extracting(FakeConnection.Write::qos).containsOnly(QoS.AT_LEAST_ONCE);

        // Unknown and repeated acknowledgements change nothing.
        c.runOnLoop(() -> s.onPubAck(60_000));
        assertThat(h.inSession(s, () -> s.inflightMessages())).isEqualTo(2);

        c.runOnLoop(() -> s.onPubAck(first.get(1).packetId()));
        await().atMost(TIMEOUT).until(() -> c.receivedPayloads().size() == 3);
        c.runOnLoop(() -> s.onPubAck(first.get(1).packetId()));
        assertThat(h.inSession(s, () -> s.inflightMessages())).isEqualTo(2);
        assertThat(c.receivedPayloads()).containsExactly("0", "1", "2");
        int idOf2 = c.received().get(2).packetId();
        assertThat(idOf2).isNotEqualTo(first.get(0).packetId());

        c.runOnLoop(() -> s.onPubAck(first.get(0).packetId()));
        c.runOnLoop(() -> s.onPubAck(idOf2));
        await().atMost(TIMEOUT).until(() -> c.receivedPayloads().size() == 5);
        assertThat(c.receivedPayloads()).containsExactly("0", "1", "2", "3", "q0");
        c.runOnLoop(() -> s.onPubAck(c.received().get(3).packetId()));
        assertThat(h.inSession(s, () -> s.inflightMessages())).isZero();
        assertThat(h.inSession(s, () -> s.queuedMessages())).isZero();
        h.assertAllReleased();
    }

    @Test
    void setInflightCapacityNeverExceedsTheConfiguredWindow() throws Exception {
        harness(settings(3, 0, 0));
        FakeConnection c = connection("c", 0);
        Session s = h.attach(c, persistent("client"));
        c.runOnLoop(() -> s.setInflightCapacity(100)); // a client's Receive Maximum above max_inflight_messages
        for (int i = 0; i < 5; i++) {
            s.deliver(h.delivery(i, QoS.AT_LEAST_ONCE));
        }
        await().atMost(TIMEOUT).until(() -> c.receivedPayloads().size() == 3);
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(2);
        assertThat(c.receivedPayloads()).containsExactly("0", "1", "2");
        c.runOnLoop(() -> s.setInflightCapacity(1));
        c.runOnLoop(() -> s.onPubAck(c.received().get(0).packetId()));
        assertThat(h.inSession(s, () -> s.queuedMessages())).as("window of 1, still 2 in flight").isEqualTo(2);
        c.runOnLoop(() -> {
            s.setInflightCapacity(10); // back to the configured 3
            s.sendQueued();
        });
        assertThat(c.receivedPayloads()).containsExactly("0", "1", "2", "3");
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(1);
        c.autoAck = true;
        c.runOnLoop(() -> c.received().subList(1, 4).forEach(w -> s.onPubAck(w.packetId())));
        await().atMost(TIMEOUT).until(() -> c.receivedPayloads().size() == 5
                && h.inSession(s, () -> s.inflightMessages()) == 0);
        h.assertAllReleased();
    }

    @Test
    @DisplayName("An unwritable channel stops the pump; sendQueued() resumes it")
    void unwritableConnectionStopsThePump() throws Exception {
        harness(settings(10, 0, 0));
        FakeConnection c = connection("c", 0);
        Session s = h.attach(c, persistent("client"));
        c.writeBudget = 3;
        for (int i = 0; i < 8; i++) {
            s.deliver(h.delivery(i, i % 2 == 0 ? QoS.AT_MOST_ONCE : QoS.AT_LEAST_ONCE));
        }
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(5);
        assertThat(c.receivedPayloads()).containsExactly("0", "1", "2");
        assertThat(c.written()).as("nothing written past writability").hasSize(3);

        c.writeBudget = Integer.MAX_VALUE;
        c.runOnLoop(s::sendQueued);
        assertThat(c.receivedPayloads()).as("written and flushed by sendQueued()")
                .containsExactlyElementsOf(range(0, 8));
        assertThat(h.inSession(s, () -> s.queuedMessages())).isZero();
        c.runOnLoop(() -> c.received().stream().filter(w -> w.qos() == QoS.AT_LEAST_ONCE)
                .forEach(w -> s.onPubAck(w.packetId())));
        assertThat(h.inSession(s, () -> s.inflightMessages())).isZero();
        h.assertAllReleased();
    }

    @Test
    @DisplayName("On reconnect, unacknowledged PUBLISH are re-sent with DUP and PUBREL for PUBREC'd flows, in order "
            + "[MQTT-4.4.0-1] [MQTT-3.3.1-1]")
    void reconnectResendsInflightInOriginalOrder() throws Exception {
        harness(settings(10, 0, 0));
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, persistent("client"));
        QoS[] qos = {QoS.AT_LEAST_ONCE, QoS.EXACTLY_ONCE, QoS.AT_LEAST_ONCE, QoS.EXACTLY_ONCE, QoS.AT_LEAST_ONCE};
        for (int i = 0; i < qos.length; i++) {
            s.deliver(h.delivery(i, qos[i]));
        }
        await().atMost(TIMEOUT).until(() -> c1.receivedPayloads().size() == 5);
        List<FakeConnection.Write> sent = c1.received();
        int[] ids = sent.stream().mapToInt(FakeConnection.Write::packetId).toArray();
        assertThat(sent).extracting(FakeConnection.Write::qos).containsExactly(qos);
        assertThat(c1.callOnLoop(() -> s.onPubRec(ids[1], 0))).as("PUBREL due").isEqualTo(Session.PubRecOutcome.PUBREL_NOW);
        assertThat(h.refCnt("1")).as("released at PUBREC").isZero();
        c1.runOnLoop(() -> s.onPubAck(ids[2]));
        c1.close();

        FakeConnection c2 = connection("c2", 1);
        Session again = h.attach(c2, persistent("client"));
        assertThat(again).isSameAs(s);
        assertThat(c2.sessionPresent).isTrue();
        await().atMost(TIMEOUT).until(() -> c2.written().size() == 4);
        List<String> expected = List.of(
                "PUBLISH(t 0 q1 id" + ids[0] + " dup)@c2",
                "PUBREL(" + ids[1] + ")@c2",
                "PUBLISH(t 3 q2 id" + ids[3] + " dup)@c2",
                "PUBLISH(t 4 q1 id" + ids[4] + " dup)@c2");
        assertThat(c2.written()).extracting(Object::toString).containsExactlyElementsOf(expected);
        // Nothing new was queued, so only the re-sends are pending: they must be flushed too.
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(c2.received()).as("re-sends flushed").extracting(Object::toString)
                        .containsExactlyElementsOf(expected));

        c2.runOnLoop(() -> {
            s.onPubAck(ids[0]);
            s.onPubComp(ids[1]);
            assertThat(s.onPubRec(ids[3], 0)).isEqualTo(Session.PubRecOutcome.PUBREL_NOW);
            s.onPubComp(ids[3]);
            s.onPubAck(ids[4]);
        });
        assertThat(h.inSession(s, () -> s.inflightMessages())).isZero();
        h.assertAllReleased();
    }

    @Test
    @DisplayName("Outbound QoS 2: PUBREC makes PUBREL due and releases the message, PUBCOMP completes [MQTT-4.3.3-1]")
    void outboundQos2Flow() throws Exception {
        harness(settings(1, 0, 0));
        FakeConnection c = connection("c", 0);
        Session s = h.attach(c, persistent("client"));
        s.deliver(h.delivery("m0", QoS.EXACTLY_ONCE));
        s.deliver(h.delivery("m1", QoS.AT_LEAST_ONCE));
        await().atMost(TIMEOUT).until(() -> c.receivedPayloads().equals(List.of("m0")));
        int id0 = c.received().get(0).packetId();

        c.runOnLoop(() -> {
            s.onPubComp(id0); // before PUBREC: not yet
            s.onPubAck(id0); // wrong packet for QoS 2
            assertThat(s.inflightMessages()).isEqualTo(1);
            assertThat(s.onPubRec(12_345, 0)).as("unknown id").isEqualTo(Session.PubRecOutcome.UNKNOWN);
            assertThat(s.onPubRec(id0, 0)).isEqualTo(Session.PubRecOutcome.PUBREL_NOW);
            assertThat(s.onPubRec(id0, 0)).as("repeated PUBREC: PUBREL again").isEqualTo(Session.PubRecOutcome.PUBREL_NOW);
            assertThat(s.inflightMessages()).as("awaiting PUBCOMP still occupies the window").isEqualTo(1);
        });
        assertThat(h.refCnt("m0")).isZero();
        assertThat(c.receivedPayloads()).containsExactly("m0");

        c.runOnLoop(() -> s.onPubComp(id0));
        await().atMost(TIMEOUT).until(() -> c.receivedPayloads().equals(List.of("m0", "m1")));
        int id1 = c.received().get(1).packetId();
        c.runOnLoop(() -> {
            assertThat(s.onPubRec(id1, 0)).as("PUBREC for a QoS 1 flow").isEqualTo(Session.PubRecOutcome.UNKNOWN);
            s.onPubComp(id1);
            assertThat(s.inflightMessages()).isEqualTo(1);
            s.onPubAck(id1);
            assertThat(s.inflightMessages()).isZero();
        });

        // MQTT 5.0: a PUBREC with an error reason code ends the flow.
        s.deliver(h.delivery("m2", QoS.EXACTLY_ONCE));
        await().atMost(TIMEOUT).until(() -> c.receivedPayloads().size() == 3);
        int id2 = c.received().get(2).packetId();
        c.runOnLoop(() -> {
            assertThat(s.onPubRec(id2, 0x80)).isEqualTo(Session.PubRecOutcome.ENDED);
            assertThat(s.inflightMessages()).isZero();
        });
        assertThat(h.refCnt("m2")).isZero();
        h.assertAllReleased();
    }

    @Test
    @DisplayName("Inbound QoS 2 packet ids are remembered until PUBREL, across a reconnect [MQTT-4.3.3-2]")
    void inboundQos2Ids() throws Exception {
        harness(settings(10, 0, 0));
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, persistent("client"));
        c1.runOnLoop(() -> {
            assertThat(s.endInboundQos2(5)).as("nothing yet").isFalse();
            assertThat(s.beginInboundQos2(5)).isTrue();
            assertThat(s.beginInboundQos2(5)).as("re-sent PUBLISH").isFalse();
            assertThat(s.beginInboundQos2(6)).isTrue();
            assertThat(s.endInboundQos2(5)).isTrue();
            assertThat(s.endInboundQos2(5)).isFalse();
            assertThat(s.beginInboundQos2(5)).as("id free for reuse").isTrue();
        });
        c1.close();
        FakeConnection c2 = connection("c2", 1);
        h.attach(c2, persistent("client"));
        c2.runOnLoop(() -> {
            assertThat(s.beginInboundQos2(6)).as("kept by the persistent session").isFalse();
            assertThat(s.endInboundQos2(6)).isTrue();
            assertThat(s.endInboundQos2(5)).isTrue();
        });
    }

    @Test
    void subscribeAddsToTheTrieAndUnsubscribeRemoves() throws Exception {
        harness(settings(10, 0, 0));
        FakeConnection c = connection("c", 0);
        Session s = h.attach(c, persistent("client"));
        c.runOnLoop(() -> {
            assertThat(s.subscribe(Subscription.of(s, "a/+", QoS.AT_MOST_ONCE))).isFalse();
            assertThat(s.subscribe(Subscription.of(s, "a/+", QoS.AT_LEAST_ONCE))).as("replaced").isTrue();
            assertThat(s.subscribe(Subscription.of(s, "b", QoS.EXACTLY_ONCE))).isFalse();
        });
        assertThat(h.trie.size()).isEqualTo(2);
        assertThat(c.callOnLoop(s::subscriptions)).extracting(Subscription::filter)
                .containsExactlyInAnyOrder("a/+", "b");

        // Routed messages reach the session through the trie.
        var m = h.message("via router", QoS.EXACTLY_ONCE);
        assertThat(h.router.publish(m)).isZero(); // topic "t" matches neither filter
        c.runOnLoop(() -> s.subscribe(Subscription.of(s, "t", QoS.AT_MOST_ONCE)));
        assertThat(h.router.publish(m)).isEqualTo(1);
        m.release();
        await().atMost(TIMEOUT).until(() -> c.received().size() == 1);
        assertThat(c.received().get(0).qos()).isEqualTo(QoS.AT_MOST_ONCE);

        c.runOnLoop(() -> {
            assertThat(s.unsubscribe("a/+")).isTrue();
            assertThat(s.unsubscribe("a/+")).isFalse();
            assertThat(s.unsubscribe("never")).isFalse();
        });
        assertThat(h.trie.size()).isEqualTo(2);
        assertThat(c.callOnLoop(s::subscriptions)).extracting(Subscription::filter).containsExactlyInAnyOrder("b", "t");
        h.assertAllReleased();
    }
}
