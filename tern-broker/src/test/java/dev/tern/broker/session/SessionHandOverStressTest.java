package dev.tern.broker.session;

import static dev.tern.broker.session.SessionHarness.persistent;
import static dev.tern.broker.session.SessionHarness.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.codec.QoS;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Ownership hand-over under load: one thread delivers numbered messages to a persistent session while
 * the test attaches new connections, alternating between event loops, and (in two variants) now and
 * then lets the client go offline. The union of what the connections received must be every number,
 * each sent exactly once without DUP, first sends in increasing order.
 *
 * <p>Design: the publisher is paced by permits the attaching thread hands out, so that deliveries and
 * hand-overs really interleave. Only every second attach is waited for, so consecutive connections
 * race: the later one may find the earlier still pending (handed to its loop, not yet attached), and
 * connections on different loops may even reach the registry out of order; the test only relies on
 * what holds either way. With QoS 1 and a fake client that acknowledges everything it received on a
 * still-open connection, nothing may be lost: unacknowledged messages are re-sent with DUP on the next
 * connection. QoS 0 is checked with queue_qos0_messages (offline periods must not drop it) and
 * without it but with take-overs only (the client is never offline, so nothing may be dropped).
 */
class SessionHandOverStressTest {
    private static final int MESSAGES = 20_000;
    private static final int ATTACHES = 200;
    private static final int LOOPS = 3;

    private SessionHarness h;
    private final List<FakeConnection> connections = new ArrayList<>();

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
        for (FakeConnection c : connections) {
            assertThat(c.violations()).as("threading of %s", c).isEmpty();
        }
    }

    @Test
    @DisplayName("QoS 1: nothing lost or duplicated across 200 hand-overs between event loops [MQTT-4.6.0-6]")
    void qos1SurvivesRepeatedHandOvers() throws Exception {
        run(QoS.AT_LEAST_ONCE, settings(16, 0, 0, false, null));
    }

    @Test
    @DisplayName("QoS 0 with queue_qos0_messages: every message exactly once, in order, across hand-overs")
    void qos0SurvivesRepeatedHandOvers() throws Exception {
        run(QoS.AT_MOST_ONCE, settings(16, 0, 0, true, null));
    }

    @Test
    @DisplayName("QoS 0 without queue_qos0_messages: take-overs alone never drop a message")
    void qos0IsNotDroppedByTakeOvers() throws Exception {
        goOffline = false;
        run(QoS.AT_MOST_ONCE, settings(16, 0, 0, false, null));
    }

    private boolean goOffline = true;

    private void run(QoS qos, SessionSettings settings) throws Exception {
        h = new SessionHarness(LOOPS, settings);
        boolean qos1 = qos == QoS.AT_LEAST_ONCE;
        List<FakeConnection.Event> events = Collections.synchronizedList(new ArrayList<>(MESSAGES * 2));
        FakeConnection first = newConnection("c0", 0, events, qos1);
        Session s = h.attach(first, persistent("client"));

        Semaphore permits = new Semaphore(0);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Thread publisher = new Thread(() -> {
            try {
                for (int i = 0; i < MESSAGES; i++) {
                    if (!permits.tryAcquire(10, TimeUnit.SECONDS)) {
                        throw new AssertionError("no permit for message " + i);
                    }
                    s.deliver(h.delivery(i, qos));
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        }, "publisher");
        publisher.start();

        int perRound = MESSAGES / ATTACHES;
        FakeConnection current = first;
        int offline = 0;
        for (int k = 1; k <= ATTACHES; k++) {
            permits.release(perRound); // the publisher delivers while this round's hand-over happens
            if (goOffline && k % 10 == 5) {
                current.closeAsync(); // offline for a moment: a persistent session queues
                offline++;
            }
            FakeConnection next = newConnection("c" + k, k, events, qos1);
            h.connect(next, persistent("client"));
            if (k % 2 == 0) {
                next.awaitHandled();
            }
            current = next;
        }
        publisher.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(publisher.isAlive()).isFalse();
        assertThat(failures).isEmpty();

        if (qos1) {
            await().atMost(Duration.ofSeconds(20)).until(() -> count(events, FakeConnection.Acked.class) == MESSAGES);
        } else {
            await().atMost(Duration.ofSeconds(20)).until(() -> count(events, FakeConnection.Written.class) == MESSAGES);
        }
        // Every attach has been handled: each connection is attached, taken over or closed.
        await().atMost(Duration.ofSeconds(10)).until(() -> connections.stream().allMatch(c -> c.session != null
                || !c.active));
        assertThat(h.inSession(s, () -> s.inflightMessages() + s.queuedMessages())).isZero();
        List<FakeConnection.Event> log = List.copyOf(events);
        SessionHarness.assertEachOnceInOrder(log, MESSAGES, qos1);
        if (!qos1) {
            assertThat(log).as("no re-sends of QoS 0").noneMatch(e -> e instanceof FakeConnection.Written w
                    && w.write().dup());
        }

        // Every connection was taken over at most once, and all but one are closed: the one whose
        // attach came last (connections on different loops may reach the registry out of order).
        for (FakeConnection c : connections) {
            assertThat(c.takenOverCalls).as("take-overs of %s", c).isLessThanOrEqualTo(1);
        }
        List<FakeConnection> open = connections.stream().filter(c -> c.active).toList();
        assertThat(open).as("connections still open").hasSize(1);
        assertThat(open.get(0).session).isSameAs(s);
        assertThat(connections.stream().filter(c -> c.takenOverCalls == 1).count())
                .as("take-overs").isBetween((long) ATTACHES - offline, (long) ATTACHES);
        assertThat(h.metrics.publishDropped()).isZero();
        assertThat(h.registry.size()).isEqualTo(1);
        h.assertAllReleased();
    }

    private FakeConnection newConnection(String name, int loop, List<FakeConnection.Event> events, boolean autoAck) {
        FakeConnection c = new FakeConnection(name, h.loop(loop), events::add);
        c.autoAck = autoAck;
        connections.add(c);
        return c;
    }

    private static long count(List<FakeConnection.Event> events, Class<?> type) {
        synchronized (events) {
            return events.stream().filter(type::isInstance).count();
        }
    }
}
