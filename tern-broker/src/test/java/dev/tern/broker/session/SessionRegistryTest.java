package dev.tern.broker.session;

import static dev.tern.broker.session.SessionHarness.clean;
import static dev.tern.broker.session.SessionHarness.persistent;
import static dev.tern.broker.session.SessionHarness.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.routing.Subscription;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import io.netty.channel.EventLoop;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Session life cycle: attach, take-over (on one loop and across loops), clean start, detach, expiry. */
class SessionRegistryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private SessionHarness h;
    private final List<FakeConnection> connections = new ArrayList<>();

    private SessionHarness harness(int loops, SessionSettings settings) {
        h = new SessionHarness(loops, settings);
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

    /** Blocks a loop until the returned latch is counted down. */
    private static CountDownLatch block(FakeConnection onLoopOf) throws InterruptedException {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        onLoopOf.loop.execute(() -> {
            blocked.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    @Test
    @DisplayName("Take-over on the same loop: the old connection is closed, the new one attached [MQTT-3.1.4-2]")
    void takeOverOnTheSameLoop() throws Exception {
        harness(2, settings(10, 0, 0));
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, persistent("client"));
        assertThat(c1.sessionPresent).isFalse();
        FakeConnection c2 = connection("c2", 0);
        assertThat(h.attach(c2, persistent("client"))).isSameAs(s);
        assertThat(c2.sessionPresent).isTrue();
        assertThat(c1.takenOverCalls).isEqualTo(1);
        assertThat(c2.takenOverCalls).isZero();
        assertThat(h.registry.size()).isEqualTo(1);

        s.deliver(h.delivery("after", QoS.AT_MOST_ONCE));
        await().atMost(TIMEOUT).until(() -> c2.receivedPayloads().equals(List.of("after")));
        assertThat(c1.written()).isEmpty();
    }

    @Test
    @DisplayName("Take-over from another event loop hands the session's ownership over [MQTT-3.1.4-2]")
    void takeOverAcrossLoopsHandsOwnershipOver() throws Exception {
        harness(3, settings(10, 0, 0));
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, persistent("client"));
        c1.runOnLoop(() -> s.subscribe(Subscription.of(s, "t", QoS.AT_LEAST_ONCE)));
        s.deliver(h.delivery("m0", QoS.AT_LEAST_ONCE)); // stays unacknowledged on c1
        await().atMost(TIMEOUT).until(() -> c1.receivedPayloads().equals(List.of("m0")));

        FakeConnection c2 = connection("c2", 1);
        assertThat(h.attach(c2, persistent("client"))).isSameAs(s);
        assertThat(c2.sessionPresent).isTrue();
        assertThat(c1.takenOverCalls).isEqualTo(1);
        assertThat(h.inSession(s, () -> c2.loop.inEventLoop())).as("c2's loop owns the session").isTrue();
        await().atMost(TIMEOUT).until(() -> c2.received().size() == 1);
        FakeConnection.Write resent = c2.received().get(0);
        assertThat(resent.payload()).isEqualTo("m0");
        assertThat(resent.dup()).isTrue();
        c2.runOnLoop(() -> s.onPubAck(resent.packetId()));
        assertThat(c2.callOnLoop(s::subscriptions)).extracting(Subscription::filter).containsExactly("t");

        // Routed messages now reach c2, on c2's loop.
        var m = h.message("m1", QoS.AT_LEAST_ONCE);
        h.router.publish(m);
        m.release();
        await().atMost(TIMEOUT).until(() -> c2.receivedPayloads().equals(List.of("m0", "m1")));

        // And back to the first loop, then a third.
        FakeConnection c3 = connection("c3", 0);
        assertThat(h.attach(c3, persistent("client"))).isSameAs(s);
        assertThat(c2.takenOverCalls).isEqualTo(1);
        assertThat(h.inSession(s, () -> c3.loop.inEventLoop())).isTrue();
        await().atMost(TIMEOUT).until(() -> c3.receivedPayloads().equals(List.of("m1")));
        assertThat(c3.received().get(0).dup()).isTrue();
        FakeConnection c4 = connection("c4", 2);
        assertThat(h.attach(c4, persistent("client"))).isSameAs(s);
        assertThat(c3.takenOverCalls).isEqualTo(1);
        await().atMost(TIMEOUT).until(() -> c4.receivedPayloads().equals(List.of("m1")));
        c4.runOnLoop(() -> s.onPubAck(c4.received().get(0).packetId()));
        assertThat(h.inSession(s, () -> s.inflightMessages())).isZero();
        assertThat(c1.written()).hasSize(1);
        h.assertAllReleased();
    }

    @Test
    @DisplayName("Take-over across loops while another thread delivers: nothing lost or duplicated, order kept")
    void takeOverWhileAnotherThreadDelivers() throws Exception {
        harness(3, settings(8, 0, 0));
        List<FakeConnection.Event> events = Collections.synchronizedList(new ArrayList<>());
        FakeConnection first = new FakeConnection("first", h.loop(0), events::add);
        first.autoAck = true;
        connections.add(first);
        Session s = h.attach(first, persistent("client"));
        int n = 4000;
        Thread publisher = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                s.deliver(h.delivery(i, QoS.AT_LEAST_ONCE));
                if (i % 100 == 0) {
                    Thread.yield();
                }
            }
        }, "publisher");
        publisher.start();
        FakeConnection last = first;
        for (int k = 1; k <= 30; k++) {
            FakeConnection c = new FakeConnection("c" + k, h.loop(k), events::add);
            c.autoAck = true;
            connections.add(c);
            h.connect(c, persistent("client"));
            c.awaitAttached();
            assertThat(last.takenOverCalls).as("%s taken over", last).isEqualTo(1);
            assertThat(c.sessionPresent).isTrue();
            last = c;
        }
        publisher.join(TIMEOUT.toMillis());
        assertThat(publisher.isAlive()).isFalse();
        FakeConnection end = last;
        await().atMost(TIMEOUT).until(() -> events.stream()
                .filter(e -> e instanceof FakeConnection.Acked).count() == n);
        SessionHarness.assertEachOnceInOrder(List.copyOf(events), n, true);
        assertThat(h.inSession(s, () -> s.inflightMessages() + s.queuedMessages())).isZero();
        assertThat(h.metrics.publishDropped()).isZero();
        assertThat(end.takenOverCalls).isZero();
        h.assertAllReleased();
    }

    /**
     * An event loop that runs a hook once, in the first {@code execute} called from the {@code from}
     * loop's thread, before passing the task on: there, in a hand-over, the old owner has already made
     * this loop the owner but not yet queued the completion of the attach.
     */
    private static EventLoop hookedLoop(EventLoop real, EventLoop from, AtomicReference<Runnable> hook) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("execute") && args.length == 1 && from.inEventLoop()) {
                Runnable r = hook.getAndSet(null);
                if (r != null) {
                    r.run();
                }
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (EventLoop) Proxy.newProxyInstance(EventLoop.class.getClassLoader(), new Class<?>[] {EventLoop.class},
                handler);
    }

    @Test
    @DisplayName("A QoS 0 message that reaches the new loop before the hand-over completes is sent, not dropped")
    void qos0DuringHandOverIsNotDropped() throws Exception {
        harness(2, settings(10, 0, 0, false, null)); // QoS 0 is not queued for offline clients
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, persistent("client"));
        AtomicReference<Runnable> hook = new AtomicReference<>();
        FakeConnection c2 = new FakeConnection("c2", hookedLoop(h.loop(1), h.loop(0), hook));
        connections.add(c2);
        // Runs on the old owner between "the new loop owns the session" and "complete the attach there":
        // the delivery's drain reaches the new loop first, while c2 is still pending.
        hook.set(() -> s.deliver(h.delivery("during hand-over", QoS.AT_MOST_ONCE)));
        assertThat(h.attach(c2, persistent("client"))).isSameAs(s);
        assertThat(hook.get()).as("hook ran").isNull();
        assertThat(c1.takenOverCalls).isEqualTo(1);
        await().atMost(TIMEOUT).until(() -> c2.receivedPayloads().equals(List.of("during hand-over")));
        assertThat(h.metrics.publishDropped()).isZero();
        h.assertAllReleased();
    }

    @Test
    @DisplayName("Clean session / Clean Start discards the previous session's state [MQTT-3.1.2-6] [MQTT-3.2.2-1]")
    void cleanAttachResetsState() throws Exception {
        harness(2, settings(1, 0, 0));
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, persistent("client"));
        c1.runOnLoop(() -> {
            s.subscribe(Subscription.of(s, "a/#", QoS.AT_LEAST_ONCE));
            s.beginInboundQos2(3);
        });
        s.deliver(h.delivery("in flight", QoS.AT_LEAST_ONCE));
        s.deliver(h.delivery("queued", QoS.AT_LEAST_ONCE));
        await().atMost(TIMEOUT).until(() -> c1.receivedPayloads().size() == 1);
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(1);
        assertThat(h.trie.size()).isEqualTo(1);

        FakeConnection c2 = connection("c2", 1);
        assertThat(h.attach(c2, clean("client"))).isSameAs(s);
        assertThat(c2.sessionPresent).as("session present").isFalse();
        assertThat(c1.takenOverCalls).isEqualTo(1);
        assertThat(h.trie.size()).isZero();
        assertThat(h.refCnt("in flight")).isZero();
        assertThat(h.refCnt("queued")).isZero();
        c2.runOnLoop(() -> {
            assertThat(s.subscriptions()).isEmpty();
            assertThat(s.inflightMessages()).isZero();
            assertThat(s.queuedMessages()).isZero();
            assertThat(s.beginInboundQos2(3)).as("inbound QoS 2 ids forgotten").isTrue();
        });
        assertThat(c2.written()).isEmpty();
        h.assertAllReleased();
    }

    @Test
    @DisplayName("Session present reflects a kept session [MQTT-3.2.2-2] [MQTT-3.2.2-3]")
    void sessionPresentFlag() throws Exception {
        harness(2, settings(10, 0, 0));
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, persistent("client"));
        assertThat(c1.sessionPresent).as("new session").isFalse();
        c1.close();
        FakeConnection c2 = connection("c2", 1);
        assertThat(h.attach(c2, persistent("client"))).isSameAs(s);
        assertThat(c2.sessionPresent).as("kept while offline").isTrue();

        // MQTT 5.0 Clean Start with a session expiry: fresh state, kept afterwards.
        FakeConnection c3 = connection("c3", 0);
        assertThat(h.attach(c3, new ConnectRequest("client", true, true, MqttVersion.MQTT_5))).isSameAs(s);
        assertThat(c3.sessionPresent).isFalse();
        c3.close();
        assertThat(h.registry.size()).isEqualTo(1);

        // A session that is not kept after its connection is not "present" for a take-over either
        // (as in Mosquitto, which requires the old session's expiry interval to be above 0).
        FakeConnection c4 = connection("c4", 1);
        h.attach(c4, new ConnectRequest("client", false, false, MqttVersion.MQTT_5));
        assertThat(c4.sessionPresent).isTrue();
        FakeConnection c5 = connection("c5", 0);
        h.attach(c5, persistent("client"));
        assertThat(c5.sessionPresent).isFalse();
    }

    @Test
    @DisplayName("A clean session ends with its connection: removed from the registry and the trie [MQTT-3.1.2-6]")
    void detachOfCleanSessionRemovesIt() throws Exception {
        harness(2, settings(10, 0, 0));
        FakeConnection c = connection("c", 0);
        Session s = h.attach(c, clean("client"));
        c.runOnLoop(() -> {
            s.subscribe(Subscription.of(s, "x", QoS.AT_LEAST_ONCE));
            s.subscribe(Subscription.of(s, "y/#", QoS.AT_MOST_ONCE));
        });
        c.writable = false;
        s.deliver(h.delivery("queued", QoS.AT_LEAST_ONCE));
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(1);
        assertThat(h.registry.size()).isEqualTo(1);
        assertThat(h.trie.size()).isEqualTo(2);

        c.close();
        assertThat(h.registry.size()).isZero();
        assertThat(h.trie.size()).isZero();
        assertThat(h.refCnt("queued")).isZero();

        // A delivery that was routed before the session ended is released, not leaked.
        s.deliver(h.delivery("late", QoS.AT_LEAST_ONCE));
        await().atMost(TIMEOUT).until(() -> h.refCnt("late") == 0);

        // The client id starts afresh.
        FakeConnection again = connection("again", 1);
        Session fresh = h.attach(again, clean("client"));
        assertThat(fresh).isNotSameAs(s);
        assertThat(again.sessionPresent).isFalse();
        again.close();
        assertThat(h.registry.size()).isZero();
        h.assertAllReleased();
    }

    @Test
    void connectRacingWithDiscardStartsANewSession() throws Exception {
        harness(2, settings(10, 0, 0));
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, clean("client"));
        CountDownLatch release = block(c1);
        // Queued behind the block, in this order: c1 goes away (discarding the session), then the
        // attach of c2, which the registry handed to the old session before it was discarded.
        c1.loop.execute(() -> {
            c1.active = false;
            s.detach(c1);
        });
        FakeConnection c2 = connection("c2", 1);
        h.registry.connect(persistent("client"), c2);
        release.countDown();
        Session second = c2.awaitAttached();
        assertThat(second).isNotSameAs(s);
        assertThat(c2.sessionPresent).isFalse();
        assertThat(h.registry.size()).isEqualTo(1);
        assertThat(c1.takenOverCalls).isZero();
        second.deliver(h.delivery("to the new session", QoS.AT_MOST_ONCE));
        await().atMost(TIMEOUT).until(() -> c2.receivedPayloads().equals(List.of("to the new session")));
    }

    @Test
    void connectionClosedWhileAttachingLeavesTheSessionOffline() throws Exception {
        harness(2, settings(10, 0, 0));
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, persistent("client"));
        FakeConnection c2 = connection("c2", 1);
        CountDownLatch release = block(c2);
        h.connect(c2, persistent("client")); // queued behind the block on c2's loop
        c2.active = false; // the channel died before the session could attach it
        release.countDown();
        await().atMost(TIMEOUT).until(() -> c1.takenOverCalls == 1);
        // The session is offline now: QoS 1 is queued for the next connection.
        s.deliver(h.delivery("queued", QoS.AT_LEAST_ONCE));
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(1);
        assertThat(c2.session).isNull();
        FakeConnection c3 = connection("c3", 0);
        c3.autoAck = true;
        assertThat(h.attach(c3, persistent("client"))).isSameAs(s);
        await().atMost(TIMEOUT).until(() -> c3.receivedPayloads().equals(List.of("queued")));
        assertThat(c2.written()).isEmpty();
    }

    @Test
    @DisplayName("persistent_client_expiration discards an offline persistent session")
    void persistentSessionExpires() throws Exception {
        harness(2, settings(10, 0, 0, false, Duration.ofMillis(200)));
        FakeConnection c = connection("c", 0);
        Session s = h.attach(c, persistent("client"));
        c.runOnLoop(() -> s.subscribe(Subscription.of(s, "t", QoS.AT_LEAST_ONCE)));
        c.close();
        s.deliver(h.delivery("queued", QoS.AT_LEAST_ONCE));
        assertThat(h.inSession(s, () -> s.queuedMessages())).isEqualTo(1);
        await().atMost(TIMEOUT).until(() -> h.registry.size() == 0);
        assertThat(System.nanoTime() - c.closedAtNanos).as("not before the expiration")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(h.metrics.expiredSessions()).isEqualTo(1);
        assertThat(h.trie.size()).isZero();
        assertThat(h.refCnt("queued")).isZero();

        FakeConnection again = connection("again", 1);
        assertThat(h.attach(again, persistent("client"))).isNotSameAs(s);
        assertThat(again.sessionPresent).isFalse();
        h.assertAllReleased();
    }

    @Test
    @DisplayName("A reconnect before persistent_client_expiration cancels the expiry")
    void reconnectInTimeCancelsExpiry() throws Exception {
        harness(2, settings(10, 0, 0, false, Duration.ofMillis(200)));
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, persistent("client"));
        c1.close();
        FakeConnection c2 = connection("c2", 1);
        assertThat(h.attach(c2, persistent("client"))).isSameAs(s);
        assertThat(c2.sessionPresent).isTrue();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> h.registry.size() == 1 && h.metrics.expiredSessions() == 0);

        // Offline again: the expiry is armed afresh.
        c2.close();
        await().atMost(TIMEOUT).until(() -> h.registry.size() == 0);
        assertThat(h.metrics.expiredSessions()).isEqualTo(1);
    }

    @Test
    @DisplayName("An expiry timer that fired while a reconnect was pending does not end the new session")
    void staleExpiryTimerIsIgnored() throws Exception {
        harness(2, settings(10, 0, 0, false, Duration.ofMillis(300)));
        FakeConnection c1 = connection("c1", 0);
        Session s = h.attach(c1, persistent("client"));
        c1.close(); // timer due in 300 ms, on c1's loop
        CountDownLatch release = block(c1);
        // Behind the block: c2 (same loop) attaches and goes away again at once, arming a new timer.
        FakeConnection c2 = connection("c2", 0);
        h.connect(c2, persistent("client"));
        c2.loop.execute(c2::closeAsync); // a second hop: runs after the attach that connect() queues
        // Keep the loop blocked until the first timer is overdue.
        await().atMost(TIMEOUT).until(() -> System.nanoTime() - c1.closedAtNanos > TimeUnit.MILLISECONDS.toNanos(400));
        release.countDown();
        assertThat(c2.awaitAttached()).isSameAs(s);
        assertThat(c2.sessionPresent).isTrue();
        // The first timer (overdue) must not end the session; the second one, 300 ms later, does.
        await().atMost(TIMEOUT).until(() -> h.registry.size() == 0);
        assertThat(c2.closedAtNanos).isNotZero();
        assertThat(System.nanoTime() - c2.closedAtNanos).as("expired by the second timer, not the first")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
        assertThat(h.metrics.expiredSessions()).isEqualTo(1);
    }
}
