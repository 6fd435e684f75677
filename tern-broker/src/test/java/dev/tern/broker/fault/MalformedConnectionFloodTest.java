package dev.tern.broker.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.broker.test.TestBroker;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.Publish;
import dev.tern.testkit.RawClient;
import java.io.ByteArrayOutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 10,000 broken connections in a row (Mosquitto's test/broker/01-bad-initial-packets.py, at volume)
 * while a well-behaved publisher and subscriber exchange QoS 1 messages: none is lost, the broker
 * closes every connection that broke the protocol, and it still accepts clients afterwards.
 */
class MalformedConnectionFloodTest {
    private static final int CONNECTIONS = 10_000;
    private static final int THREADS = 4;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    /** CONNECT with protocol name "MQTX", level 4. */
    private static final byte[] BAD_PROTOCOL_NAME = bytes(0x10, 13, 0, 4, 'M', 'Q', 'T', 'X', 4, 0x02, 0, 60, 0, 1, 'x');
    /** CONNECT whose remaining length runs to a fifth byte [MQTT-1.5.3 / 2.2.3]. */
    private static final byte[] FIVE_BYTE_LENGTH = bytes(0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x01);

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    @DisplayName("10,000 malformed connections: every one closed, a QoS 1 exchange alongside loses nothing")
    void floodOfMalformedConnections() throws Exception {
        try (TestBroker broker = TestBroker.start(b -> b.connectionMessages(false));
             MqttTestClient sub = MqttTestClient.connected(broker.port(), "steady-sub");
             MqttTestClient pub = MqttTestClient.connected(broker.port(), "steady-pub")) {
            sub.subscribe("steady/t", QoS.AT_LEAST_ONCE);
            SteadyPair pair = new SteadyPair(pub, sub);
            pair.start();
            Level previous = FaultSupport.logLevel("dev.tern.broker.connection", Level.ERROR);
            long start = System.nanoTime();
            try {
                flood(broker.port());
            } finally {
                FaultSupport.logLevel("dev.tern.broker.connection", previous);
            }
            long elapsed = System.nanoTime() - start;
            int published = pair.stop();

            assertThat(pair.failure.get()).isNull();
            assertThat(published).as("QoS 1 messages published during the flood").isGreaterThan(50);
            assertThat(pair.received.get()).as("QoS 1 messages received").isEqualTo(published);
            assertThat(Duration.ofNanos(elapsed)).isLessThan(Duration.ofSeconds(60));

            var metrics = broker.broker().metrics();
            assertThat(metrics.connectionsAccepted()).isGreaterThanOrEqualTo(CONNECTIONS + 2);
            // Kinds 1, 2 and 3 are malformed by construction; random garbage adds more.
            assertThat(metrics.malformedPackets()).isGreaterThanOrEqualTo(CONNECTIONS * 3 / 5);
            // Everything the flood created is gone again: only the steady pair is connected.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(metrics.connectedClients()).isEqualTo(2);
                assertThat(broker.broker().sessionCount()).isEqualTo(2);
            });

            try (MqttTestClient late = MqttTestClient.connected(broker.port(), "late")) {
                late.subscribe("late/t", QoS.AT_LEAST_ONCE);
                pub.publish("late/t", "still here", QoS.AT_LEAST_ONCE, false);
                assertThat(MqttTestClient.text(late.expect(Publish.class))).isEqualTo("still here");
            }
        }
    }

    private static void flood(int port) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int first = t;
                tasks.add(pool.submit(() -> {
                    for (int i = first; i < CONNECTIONS; i += THREADS) {
                        badConnection(port, i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : tasks) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** One broken connection of kind {@code i % 5}. */
    private static void badConnection(int port, int i) throws Exception {
        try (RawClient c = RawClient.connect(port)) {
            switch (i % 5) {
                case 0 -> { // garbage; the client gives up at once
                    Random random = new Random(i);
                    byte[] garbage = new byte[1 + random.nextInt(64)];
                    random.nextBytes(garbage);
                    c.send(garbage);
                }
                case 1 -> {
                    c.send(BAD_PROTOCOL_NAME);
                    assertClosed(c, i, "bad protocol name");
                }
                case 2 -> {
                    c.send(FIVE_BYTE_LENGTH);
                    assertClosed(c, i, "five-byte remaining length");
                }
                case 3 -> { // a valid CONNECT, then a packet of reserved type 0
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    out.write(FaultSupport.connectBytes("flood-" + i, true));
                    out.write(new byte[] {0x00, 0x00});
                    c.send(out.toByteArray());
                    assertClosed(c, i, "malformed packet after CONNECT");
                }
                default -> { // half a CONNECT, then the client closes
                    byte[] connect = FaultSupport.connectBytes("half-" + i, true);
                    c.send(Arrays.copyOf(connect, connect.length / 2));
                }
            }
        }
    }

    private static void assertClosed(RawClient c, int i, String kind) throws Exception {
        if (!c.awaitClosed(CLOSE_WAIT)) {
            throw new AssertionError("connection " + i + " (" + kind + ") still open after " + CLOSE_WAIT);
        }
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** A publisher and a subscriber exchanging numbered QoS 1 messages on their own threads. */
    private static final class SteadyPair {
        final AtomicInteger received = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicInteger published = new AtomicInteger();
        private final MqttTestClient pub;
        private final MqttTestClient sub;
        private volatile boolean stop;
        private final Thread publisher;
        private final Thread subscriber;

        SteadyPair(MqttTestClient pub, MqttTestClient sub) {
            this.pub = pub;
            this.sub = sub;
            this.publisher = new Thread(this::publish, "steady-pub");
            this.subscriber = new Thread(this::subscribe, "steady-sub");
            publisher.setDaemon(true);
            subscriber.setDaemon(true);
        }

        void start() {
            publisher.start();
            subscriber.start();
        }

        private void publish() {
            try {
                // Bounded: at most one message per millisecond for at most 60 s.
                for (int i = 0; i < 60_000 && !stop; i++) {
                    pub.publish("steady/t", Integer.toString(i), QoS.AT_LEAST_ONCE, false);
                    published.incrementAndGet();
                    Thread.sleep(1);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }

        private void subscribe() {
            try {
                // Ends when everything published has arrived (stop() bounds the wait).
                while (!(stop && !publisher.isAlive() && received.get() == published.get())) {
                    try {
                        accept((Publish) sub.receive(Duration.ofMillis(200)));
                    } catch (SocketTimeoutException e) {
                        // nothing this moment; check again
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }

        private void accept(Publish p) throws Exception {
            String text = p.payload().toString(StandardCharsets.UTF_8);
            if (!text.equals(Integer.toString(received.get()))) {
                throw new AssertionError("expected message " + received.get() + ", got " + text);
            }
            sub.send(new PubAck(p.packetId()));
            received.incrementAndGet();
        }

        /** Stops publishing, waits for the subscriber to catch up and returns the number published. */
        int stop() throws InterruptedException {
            stop = true;
            publisher.join(10_000);
            subscriber.join(10_000);
            if (subscriber.isAlive()) {
                failure.compareAndSet(null, new AssertionError("subscriber still waiting: received "
                        + received.get() + " of " + published.get()));
                subscriber.interrupt();
            }
            return published.get();
        }
    }
}
