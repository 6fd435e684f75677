package dev.tern.broker.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.broker.test.TestBroker;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.Publish;
import dev.tern.testkit.RawClient;
import io.netty.buffer.Unpooled;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Back-pressure from a subscriber's queue to its publishers (docs/architecture.md, "Back-pressure"):
 * QoS 1 publishers that do not wait for their PUBACKs are slowed to the rate the subscriber takes
 * instead of having their messages dropped at max_queued_messages; a held publisher resumes when the
 * queue drains, or after max_publisher_hold when it does not; a client is never held by its own
 * session.
 */
class BackPressureTest {
    private static final int PUBLISHERS = 8;
    private static final int PER_PUBLISHER = 4_000;
    private static final int QUEUE_LIMIT = 1000;
    private static final int INFLIGHT = 20;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    @DisplayName("Unwindowed QoS 1 fan-in (8 publishers -> 1 subscriber): nothing dropped, the broker stays within the queue limit of its subscriber")
    void unwindowedFanInLosesNothing() throws Exception {
        try (TestBroker broker = TestBroker.start(b -> b.maxQueuedMessages(QUEUE_LIMIT)
                .maxInflightMessages(INFLIGHT).connectionMessages(false).publisherHoldLimit(Duration.ofSeconds(30)));
             Subscriber sub = new Subscriber(broker.port(), "fan/#", PUBLISHERS * PER_PUBLISHER)) {
            List<Publisher> publishers = publishers(broker.port());
            GapSampler gap = new GapSampler(publishers, sub);
            gap.start();
            publishAll(publishers, sub);
            gap.stopAndJoin();
            publishers.forEach(Publisher::closeQuietly);

            assertThat(sub.failure.get()).as("subscriber").isNull();
            assertThat(sub.received.get()).isEqualTo(PUBLISHERS * PER_PUBLISHER);
            assertThat(broker.broker().metrics().publishDropped()).as("dropped").isZero();
            // Acknowledged but not yet received by the subscriber: what the broker holds for it. Without
            // back-pressure this reached the queue limit and the rest was dropped.
            assertThat(gap.samples.get()).as("samples").isPositive();
            assertThat(gap.max.get()).as("largest backlog seen").isLessThanOrEqualTo(QUEUE_LIMIT);
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    @DisplayName("The same fan-in to a persistent subscriber whose queue is in the durable store: held publishers,"
            + " nothing dropped at the queue limit")
    void unwindowedFanInToStoredSessionLosesNothing(@TempDir Path dir) throws Exception {
        try (TestBroker broker = TestBroker.start(b -> b.maxQueuedMessages(QUEUE_LIMIT)
                        .maxInflightMessages(INFLIGHT).connectionMessages(false).publisherHoldLimit(Duration.ofSeconds(30)),
                b -> b.persistence(dir.resolve("store")));
             Subscriber sub = new Subscriber(broker.port(), "fan/#", PUBLISHERS * PER_PUBLISHER, false)) {
            List<Publisher> publishers = publishers(broker.port());
            publishAll(publishers, sub);
            publishers.forEach(Publisher::closeQuietly);
            assertThat(sub.failure.get()).as("subscriber").isNull();
            assertThat(sub.received.get()).isEqualTo(PUBLISHERS * PER_PUBLISHER);
            assertThat(broker.broker().metrics().publishDropped()).as("dropped at the queue limit").isZero();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    @DisplayName("max_publisher_hold 0 turns back-pressure off: beyond the queue limit messages are dropped, as in Mosquitto")
    void withoutBackPressureTheQueueLimitDrops() throws Exception {
        try (TestBroker broker = TestBroker.start(b -> b.maxQueuedMessages(10).maxInflightMessages(INFLIGHT)
                .connectionMessages(false).publisherHoldLimit(Duration.ZERO));
             MqttTestClient sub = MqttTestClient.connected(broker.port(), "slow-sub")) {
            sub.subscribe("fan/#", QoS.AT_LEAST_ONCE); // never reads or acknowledges from here on
            Publisher p = new Publisher(broker.port(), 0, PER_PUBLISHER);
            p.start();
            p.join(30_000);
            p.awaitAcks(Duration.ofSeconds(30));
            p.closeQuietly();
            assertThat(p.failure.get()).isNull();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                    broker.broker().metrics().publishDropped()).isEqualTo(PER_PUBLISHER - INFLIGHT - 10));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    @DisplayName("A publisher held by a full subscriber queue resumes when the subscriber acknowledges; nothing is lost")
    void heldPublisherResumesWhenTheQueueDrains() throws Exception {
        int messages = 400;
        try (TestBroker broker = TestBroker.start(b -> b.maxQueuedMessages(100).maxInflightMessages(10)
                .publisherHoldLimit(Duration.ofSeconds(60)));
             MqttTestClient sub = MqttTestClient.connected(broker.port(), "late-acker");
             MqttTestClient pub = MqttTestClient.connected(broker.port(), "eager-pub")) {
            sub.subscribe("held/t", QoS.AT_LEAST_ONCE);
            sendQos1Burst(pub, "held/t", messages);
            // The subscriber acknowledges nothing yet: the backlog (mailbox and queue) reaches the high-water
            // mark (50), the publisher is held and its acknowledgements stop well before 400. If the hold
            // came while the 50 were still in the mailbox, 10 of them then went into flight.
            FaultSupport.SessionHandle session = FaultSupport.requireSession(broker.broker(), "late-acker");
            await().atMost(Duration.ofSeconds(10)).until(() -> session.queuedMessages() >= 40);
            int acked = readAcksUntilSilent(pub);
            assertThat(acked).as("PUBACKs while held").isBetween(50, 110);
            assertThat(session.queuedMessages()).isLessThanOrEqualTo(100);

            // Acknowledging drains the queue; the publisher resumes and everything arrives in order.
            for (int i = 0; i < messages; i++) {
                Publish p = sub.expect(Publish.class);
                assertThat(MqttTestClient.text(p)).isEqualTo("m" + i);
                sub.send(new PubAck(p.packetId()));
                p.release();
            }
            while (acked < messages) {
                assertThat(pub.expect(PubAck.class)).isNotNull();
                acked++;
            }
            assertThat(broker.broker().metrics().publishDropped()).isZero();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    @DisplayName("A subscriber that never acknowledges holds its publisher only for max_publisher_hold; then its queue limit drops")
    void stalledSubscriberStopsHolding() throws Exception {
        int messages = 400;
        try (TestBroker broker = TestBroker.start(b -> b.maxQueuedMessages(100).maxInflightMessages(10)
                .publisherHoldLimit(Duration.ofMillis(200)));
             MqttTestClient sub = MqttTestClient.connected(broker.port(), "stuck");
             MqttTestClient pub = MqttTestClient.connected(broker.port(), "pub")) {
            sub.subscribe("stuck/t", QoS.AT_LEAST_ONCE);
            sendQos1Burst(pub, "stuck/t", messages);
            for (int i = 0; i < messages; i++) {
                pub.expect(PubAck.class);
            }
            FaultSupport.SessionHandle session = FaultSupport.requireSession(broker.broker(), "stuck");
            assertThat(session.inflightMessages()).isEqualTo(10);
            assertThat(session.queuedMessages()).isEqualTo(100);
            // The drain that sent the copies counts the drops right after it flushed them.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(broker.broker().metrics().publishDropped()).isEqualTo(messages - 10 - 100));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    @DisplayName("A client publishing into its own congested session is not held (its acknowledgements must be read)")
    void ownSessionNeverHolds() throws Exception {
        int messages = 400;
        try (TestBroker broker = TestBroker.start(b -> b.maxQueuedMessages(100).maxInflightMessages(10)
                .publisherHoldLimit(Duration.ofSeconds(60)));
             MqttTestClient self = MqttTestClient.connected(broker.port(), "echo")) {
            self.subscribe("echo/t", QoS.AT_LEAST_ONCE);
            sendQos1Burst(self, "echo/t", messages);
            // Its own copies are not acknowledged: the window fills, the queue overflows; but every
            // PUBACK for its publishes comes, long before the 60 s hold limit.
            int pubAcks = 0;
            int copies = 0;
            while (pubAcks < messages) {
                var p = self.receive(Duration.ofSeconds(10));
                if (p instanceof PubAck) {
                    pubAcks++;
                } else if (p instanceof Publish pub) {
                    copies++;
                    pub.release();
                }
            }
            while (copies < 10 && self.receive(Duration.ofSeconds(5)) instanceof Publish pub) {
                copies++;
                pub.release();
            }
            assertThat(copies).isEqualTo(10);
            // The drain that sent the copies counts the drops right after it flushed them.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(broker.broker().metrics().publishDropped()).isEqualTo(messages - 10 - 100));
        }
    }

    /** Sends QoS 1 PUBLISHes "m0".."m(n-1)" in one write, without waiting for acknowledgements. */
    private static List<Publisher> publishers(int port) throws IOException {
        List<Publisher> publishers = new ArrayList<>();
        for (int i = 0; i < PUBLISHERS; i++) {
            publishers.add(new Publisher(port, i, PER_PUBLISHER));
        }
        return publishers;
    }

    /** Runs the publishers to the end and waits until the subscriber has everything and every PUBACK came. */
    private static void publishAll(List<Publisher> publishers, Subscriber sub) throws Exception {
        publishers.forEach(Thread::start);
        for (Publisher p : publishers) {
            p.join(60_000);
            assertThat(p.failure.get()).as("publisher %d", p.index).isNull();
        }
        sub.awaitAll(Duration.ofSeconds(60));
        for (Publisher p : publishers) {
            p.awaitAcks(Duration.ofSeconds(30));
        }
    }

    private static void sendQos1Burst(MqttTestClient client, String topic, int n) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            Publish p = new Publish(topic, QoS.AT_LEAST_ONCE, false, false, i + 1, MqttProperties.EMPTY,
                    Unpooled.wrappedBuffer(("m" + i).getBytes(StandardCharsets.UTF_8)));
            out.writeBytes(FaultSupport.encode(p, MqttVersion.MQTT_3_1_1));
        }
        client.raw().send(out.toByteArray());
    }

    /** Reads PUBACKs until none comes for 300 ms; returns how many came. */
    private static int readAcksUntilSilent(MqttTestClient client) throws IOException {
        int n = 0;
        while (true) {
            byte[] p;
            try {
                p = client.raw().readPacket(Duration.ofMillis(300));
            } catch (java.net.SocketTimeoutException e) {
                return n;
            }
            assertThat(p[0] & 0xF0).as("packet type").isEqualTo(0x40);
            n++;
        }
    }

    /** A raw QoS 1 publisher: sends its messages in 32 KB writes as fast as it can, never waiting for PUBACK. */
    private static final class Publisher extends Thread {
        final int index;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong acks = new AtomicLong();
        private final int messages;
        private final RawClient raw;
        private final Thread ackReader;

        Publisher(int port, int index, int messages) throws IOException {
            super("publisher-" + index);
            setDaemon(true);
            this.index = index;
            this.messages = messages;
            MqttTestClient c = MqttTestClient.connected(port, "fan-pub-" + index);
            this.raw = c.raw();
            this.ackReader = new Thread(this::readAcks, "puback-reader-" + index);
            ackReader.setDaemon(true);
            ackReader.start();
        }

        @Override
        public void run() {
            try {
                byte[] topic = ("fan/" + index).getBytes(StandardCharsets.US_ASCII);
                int remaining = 2 + topic.length + 2 + 8;
                byte[] batch = new byte[32 * 1024];
                int len = 0;
                for (int i = 0; i < messages; i++) {
                    if (len + remaining + 2 > batch.length) {
                        raw.send(Arrays.copyOf(batch, len));
                        len = 0;
                    }
                    int id = i % 65_535 + 1;
                    batch[len++] = 0x32;
                    batch[len++] = (byte) remaining;
                    batch[len++] = 0;
                    batch[len++] = (byte) topic.length;
                    System.arraycopy(topic, 0, batch, len, topic.length);
                    len += topic.length;
                    batch[len++] = (byte) (id >> 8);
                    batch[len++] = (byte) id;
                    putInt(batch, len, index);
                    putInt(batch, len + 4, i);
                    len += 8;
                }
                raw.send(Arrays.copyOf(batch, len));
            } catch (IOException | RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }

        private void readAcks() {
            try {
                while (true) {
                    byte[] p = raw.readPacket(Duration.ofSeconds(60));
                    if ((p[0] & 0xF0) != 0x40) {
                        throw new AssertionError("publisher got packet type " + (p[0] >> 4 & 0x0F));
                    }
                    acks.incrementAndGet();
                }
            } catch (IOException | AssertionError e) {
                // closed at the end of the test, or a wrong packet: awaitAcks reports it
            }
        }

        void awaitAcks(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (acks.get() < messages && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertThat(acks.get()).as("PUBACKs received by publisher %d", index).isEqualTo(messages);
        }

        void closeQuietly() {
            try {
                raw.close();
            } catch (IOException e) {
                // closing anyway
            }
        }

        private static void putInt(byte[] b, int at, int v) {
            b[at] = (byte) (v >> 24);
            b[at + 1] = (byte) (v >> 16);
            b[at + 2] = (byte) (v >> 8);
            b[at + 3] = (byte) v;
        }
    }

    /** A QoS 1 subscriber that acknowledges every message and checks each publisher's order. */
    private static final class Subscriber implements AutoCloseable {
        final AtomicInteger received = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Socket socket = new Socket();
        private final Thread reader;
        private final int expected;

        Subscriber(int port, String filter, int expected) throws IOException {
            this(port, filter, expected, true);
        }

        Subscriber(int port, String filter, int expected, boolean cleanSession) throws IOException {
            this.expected = expected;
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            OutputStream out = socket.getOutputStream();
            out.write(FaultSupport.connectBytes("fan-sub", cleanSession));
            expectType(in, 0x20);
            byte[] f = filter.getBytes(StandardCharsets.US_ASCII);
            out.write(new byte[] {(byte) 0x82, (byte) (2 + 2 + f.length + 1), 0, 1, 0, (byte) f.length});
            out.write(f);
            out.write(1);
            expectType(in, 0x90);
            reader = new Thread(() -> readLoop(in, out), "fan-subscriber");
            reader.setDaemon(true);
            reader.start();
        }

        private void readLoop(DataInputStream in, OutputStream out) {
            int[] next = new int[PUBLISHERS];
            byte[] body = new byte[256];
            byte[] acks = new byte[4 * 64];
            int pending = 0;
            try {
                while (received.get() < expected) {
                    int first = in.readUnsignedByte();
                    int len = RemainingLength.read(in);
                    in.readFully(body, 0, len);
                    if ((first & 0xF0) != 0x30 || (first >> 1 & 3) != 1) {
                        throw new AssertionError("expected a QoS 1 PUBLISH, got 0x" + Integer.toHexString(first));
                    }
                    int topicLen = (body[0] & 0xFF) << 8 | body[1] & 0xFF;
                    int idPos = 2 + topicLen;
                    int publisher = getInt(body, idPos + 2);
                    int seq = getInt(body, idPos + 6);
                    if (seq != next[publisher]) {
                        throw new AssertionError("publisher " + publisher + ": expected message " + next[publisher]
                                + ", got " + seq);
                    }
                    next[publisher]++;
                    acks[pending * 4] = 0x40;
                    acks[pending * 4 + 1] = 2;
                    acks[pending * 4 + 2] = body[idPos];
                    acks[pending * 4 + 3] = body[idPos + 1];
                    pending++;
                    received.incrementAndGet();
                    if (pending == 64 || in.available() == 0) {
                        out.write(acks, 0, pending * 4);
                        pending = 0;
                    }
                }
                out.write(acks, 0, pending * 4);
            } catch (IOException | AssertionError e) {
                failure.compareAndSet(null, e);
            }
        }

        void awaitAll(Duration timeout) throws InterruptedException {
            reader.join(timeout.toMillis());
            assertThat(failure.get()).as("subscriber failure").isNull();
            assertThat(received.get()).as("messages received by the subscriber").isEqualTo(expected);
        }

        private static int getInt(byte[] b, int at) {
            return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | b[at + 3] & 0xFF;
        }

        private static void expectType(DataInputStream in, int type) throws IOException {
            int first = in.readUnsignedByte();
            in.skipNBytes(RemainingLength.read(in));
            if ((first & 0xF0) != type) {
                throw new AssertionError("expected packet type " + (type >> 4) + ", got " + (first >> 4));
            }
        }


        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Samples acknowledged-but-not-received (received first, so the sample never understates it). */
    private static final class GapSampler extends Thread {
        final AtomicLong max = new AtomicLong();
        final AtomicInteger samples = new AtomicInteger();
        private final List<Publisher> publishers;
        private final Subscriber sub;
        private volatile boolean stop;

        GapSampler(List<Publisher> publishers, Subscriber sub) {
            super("gap-sampler");
            setDaemon(true);
            this.publishers = publishers;
            this.sub = sub;
        }

        @Override
        public void run() {
            while (!stop) {
                long received = sub.received.get();
                long acked = 0;
                for (Publisher p : publishers) {
                    acked += p.acks.get();
                }
                max.accumulateAndGet(acked - received, Math::max);
                samples.incrementAndGet();
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
            }
        }

        void stopAndJoin() throws InterruptedException {
            stop = true;
            join(10_000);
        }
    }
}
