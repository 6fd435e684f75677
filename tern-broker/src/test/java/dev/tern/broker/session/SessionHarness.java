package dev.tern.broker.session;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.routing.Delivery;
import dev.tern.broker.routing.Message;
import dev.tern.broker.routing.RetainedStore;
import dev.tern.broker.routing.Router;
import dev.tern.broker.routing.SubscriptionTrie;
import dev.tern.broker.sys.BrokerMetrics;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Sessions without a network: real Netty event loops, a registry, a router and metrics, plus helpers
 * to make messages and to run code on a session's owner loop. Closing it stops the loops and releases
 * what sessions still hold.
 */
final class SessionHarness implements AutoCloseable {
    final MultiThreadIoEventLoopGroup group;
    final List<EventLoop> loops = new ArrayList<>();
    final BrokerMetrics metrics = new BrokerMetrics();
    final SubscriptionTrie trie = new SubscriptionTrie();
    final Router router = new Router(trie, new RetainedStore(), false);
    final SessionSettings settings;
    final SessionRegistry registry;
    private final List<Message> messages = new ArrayList<>(); // guarded by this
    private final Map<String, Message> byText = new HashMap<>(); // guarded by this

    SessionHarness(int loopCount, SessionSettings settings) {
        this.group = new MultiThreadIoEventLoopGroup(loopCount, NioIoHandler.newFactory());
        for (EventExecutor e : group) {
            loops.add((EventLoop) e);
        }
        this.settings = settings;
        this.registry = new SessionRegistry(settings, router, metrics);
    }

    /** Settings with the given limits; no expiry, QoS 0 not queued offline. */
    static SessionSettings settings(int maxInflight, int maxQueuedMessages, long maxQueuedBytes) {
        return new SessionSettings(maxInflight, maxQueuedMessages, maxQueuedBytes, false, null);
    }

    static SessionSettings settings(int maxInflight, int maxQueuedMessages, long maxQueuedBytes, boolean queueQos0,
                                    @Nullable Duration expiration) {
        return new SessionSettings(maxInflight, maxQueuedMessages, maxQueuedBytes, queueQos0, expiration);
    }

    EventLoop loop(int i) {
        return loops.get(i % loops.size());
    }

    /** MQTT 3.1.1, clean session 0: the session outlives the connection. */
    static ConnectRequest persistent(String clientId) {
        return new ConnectRequest(clientId, false, true, MqttVersion.MQTT_3_1_1);
    }

    /** MQTT 3.1.1, clean session 1. */
    static ConnectRequest clean(String clientId) {
        return new ConnectRequest(clientId, true, false, MqttVersion.MQTT_3_1_1);
    }

    /** Starts connecting, from the connection's own loop as a channel handler does. */
    void connect(FakeConnection c, ConnectRequest request) {
        c.loop.execute(() -> registry.connect(request, c));
    }

    /** Connects and waits for the session to attach. */
    Session attach(FakeConnection c, ConnectRequest request) throws InterruptedException {
        connect(c, request);
        return c.awaitAttached();
    }

    /** A message on topic "t" with the text as payload; the caller (or its delivery) holds the one reference. */
    Message message(String text, QoS qos) {
        byte[] bytes = text.getBytes(UTF_8);
        Message m = new Message("t", Unpooled.buffer(bytes.length).writeBytes(bytes), qos, false,
                MqttProperties.EMPTY, "publisher");
        synchronized (this) {
            messages.add(m);
            byText.put(text, m);
        }
        return m;
    }

    /** A delivery that owns the only reference to a fresh message. */
    Delivery delivery(String text, QoS qos) {
        return new Delivery(message(text, qos), qos, false, List.of());
    }

    Delivery delivery(int number, QoS qos) {
        return delivery(Integer.toString(number), qos);
    }

    /**
     * Runs a task on the session's owner loop once everything already in its mailbox has been handled,
     * including the sends that follow (a mailbox task runs before the pump that ends the drain), and
     * waits for the result.
     */
    <T> T inSession(Session s, Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        s.execute(() -> {
            EventLoop here = loops.stream().filter(EventLoop::inEventLoop).findFirst().orElseThrow();
            here.execute(() -> {
                try {
                    f.complete(task.call());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        });
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("task in session failed", e);
        }
    }

    /** Reference count of the message with this payload text (the last one made with it). */
    synchronized int refCnt(String text) {
        Message m = byText.get(text);
        if (m == null) {
            throw new IllegalArgumentException("no message " + text);
        }
        return m.payload().refCnt();
    }

    /** Asserts that every message made here has been released by whoever held it. */
    synchronized void assertAllReleased() {
        List<String> held = new ArrayList<>();
        for (Message m : messages) {
            if (m.payload().refCnt() != 0) {
                held.add(m + " refCnt=" + m.payload().refCnt());
            }
        }
        assertThat(held).as("messages still referenced").isEmpty();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        registry.releaseAllAfterShutdown();
    }

    /**
     * Checks a log of writes and acknowledgements for numbered QoS 0/1 messages 0..n-1: every number
     * is sent exactly once without DUP, first sends are in increasing order, a DUP re-send only repeats
     * an unacknowledged message, comes before any new message on its connection and keeps the order of
     * the first sends, and every number is acknowledged exactly once if {@code acked}.
     */
    static void assertEachOnceInOrder(List<FakeConnection.Event> events, int n, boolean acked) {
        List<Integer> firstSends = new ArrayList<>();
        Set<Integer> sent = new HashSet<>();
        Set<Integer> ackedNumbers = new HashSet<>();
        Set<FakeConnection> sentNew = new HashSet<>();
        Map<FakeConnection, Integer> lastDup = new HashMap<>();
        int dups = 0;
        // Plain checks: assertions on whole collections would make this quadratic in n.
        for (FakeConnection.Event e : events) {
            switch (e) {
                case FakeConnection.Written(FakeConnection.Write w) -> {
                    check(!w.pubRel(), "unexpected %s", w);
                    int number = w.number();
                    if (!w.dup()) {
                        check(sent.add(number), "%s sent twice without DUP", w);
                        firstSends.add(number);
                        sentNew.add(w.connection());
                    } else {
                        dups++;
                        check(sent.contains(number), "%s re-sent before it was sent", w);
                        check(!ackedNumbers.contains(number), "%s re-sent after it was acknowledged", w);
                        check(!sentNew.contains(w.connection()), "%s re-sent after new messages on that connection", w);
                        Integer previous = lastDup.put(w.connection(), number);
                        check(previous == null || previous < number, "%s re-sent out of order", w);
                    }
                }
                case FakeConnection.Acked(FakeConnection c, int number) -> {
                    check(sent.contains(number), "ack of unsent %s on %s", number, c);
                    check(ackedNumbers.add(number), "%s acknowledged twice", number);
                }
            }
        }
        List<Integer> expected = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            expected.add(i);
        }
        if (!firstSends.equals(expected)) {
            // Point at the first difference rather than printing 20,000 numbers.
            int i = 0;
            while (i < Math.min(firstSends.size(), n) && firstSends.get(i) == i) {
                i++;
            }
            throw new AssertionError("first sends differ from 0.." + (n - 1) + " at index " + i + ": "
                    + firstSends.subList(i, Math.min(firstSends.size(), i + 10)) + " (" + firstSends.size()
                    + " first sends, " + dups + " DUP re-sends)");
        }
        if (acked) {
            assertThat(ackedNumbers).hasSize(n);
        }
    }

    private static void check(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new AssertionError(String.format(format, args));
        }
    }
}
