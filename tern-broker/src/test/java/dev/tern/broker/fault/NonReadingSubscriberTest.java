package dev.tern.broker.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.broker.test.TestBroker;
import dev.tern.codec.QoS;
import dev.tern.testkit.RawClient;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A subscriber that never reads must not make the broker hold an unbounded backlog (design practice 3,
 * Mosquitto's max_queued_messages): its queue stops at the limit, the rest is dropped and counted, the
 * heap and direct memory stay bounded, and a well-behaved subscriber of the same topic misses nothing.
 */
class NonReadingSubscriberTest {
    private static final String TOPIC = "load/t";
    private static final int MESSAGES = 100_000;
    private static final int PAYLOAD = 1024;
    private static final int QUEUE_LIMIT = 1000;
    private static final int INFLIGHT_LIMIT = 20;
    /** Messages the publisher lets the good subscriber fall behind: well under its queue limit. */
    private static final int WINDOW = 400;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    @DisplayName("A subscriber that never reads (QoS 0 and QoS 1) is capped at max_queued_messages; others get everything")
    void nonReadingSubscribersAreCappedWhileAGoodOneGetsEverything() throws Exception {
        long heapBefore = FaultSupport.usedHeapAfterGc();
        long nettyDirectBefore = FaultSupport.nettyDirectMemory();
        long platformDirectBefore = FaultSupport.platformDirectMemory();
        try (TestBroker broker = TestBroker.start(b -> b.maxQueuedMessages(QUEUE_LIMIT)
                .maxInflightMessages(INFLIGHT_LIMIT).connectionMessages(false));
             MqttTestClient stuck0 = MqttTestClient.connected(broker.port(), "stuck-qos0");
             MqttTestClient stuck1 = MqttTestClient.connected(broker.port(), "stuck-qos1");
             GoodSubscriber good = new GoodSubscriber(broker.port());
             MqttTestClient pub = MqttTestClient.connected(broker.port(), "load-pub")) {
            assertThat(stuck0.subscribe(TOPIC, QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(0);
            assertThat(stuck1.subscribe(TOPIC, QoS.AT_LEAST_ONCE).reasonCodes()).containsExactly(1);
            // From here on stuck0 and stuck1 never read a byte.
            FaultSupport.SessionHandle q0 = FaultSupport.requireSession(broker.broker(), "stuck-qos0");
            FaultSupport.SessionHandle q1 = FaultSupport.requireSession(broker.broker(), "stuck-qos1");

            QueueSampler sampler = new QueueSampler(q0, q1);
            sampler.start();
            PublisherAckDrain acks = new PublisherAckDrain(pub.raw());
            acks.start();
            publishPaced(pub.raw(), good);
            sampler.stopAndJoin();

            // Every message reached the good subscriber, in order.
            good.awaitCount(MESSAGES, Duration.ofSeconds(30));
            assertThat(good.failure.get()).isNull();
            assertThat(good.received.get()).isEqualTo(MESSAGES);
            acks.awaitCount(MESSAGES, Duration.ofSeconds(30));

            // The stuck sessions are full and never went beyond the limit.
            int queued0 = q0.queuedMessages();
            int queued1 = q1.queuedMessages();
            int inflight1 = q1.inflightMessages();
            assertThat(sampler.samples.get()).as("queue samples").isPositive();
            assertThat(sampler.max.get()).as("largest queue seen").isLessThanOrEqualTo(QUEUE_LIMIT);
            assertThat(queued0).isEqualTo(QUEUE_LIMIT);
            assertThat(queued1).isEqualTo(QUEUE_LIMIT);
            assertThat(inflight1).isEqualTo(INFLIGHT_LIMIT);

            // Each message went to three subscribers: written, dropped or still queued, nothing else.
            var m = broker.broker().metrics();
            assertThat(m.publishReceived()).isEqualTo(MESSAGES);
            assertThat(m.publishDropped()).as("dropped for the stuck subscribers")
                    .isGreaterThan(MESSAGES);
            assertThat(m.publishSent() + m.publishDropped() + queued0 + queued1).isEqualTo(3L * MESSAGES);

            // Memory: 2 x 100 MB went to subscribers that never read; the broker kept only the capped queues.
            // (Unbounded queues measured +1 GB heap, with leak-detection records, and +107 MB direct.)
            long heapGrowth = FaultSupport.usedHeapAfterGc() - heapBefore;
            long nettyDirectGrowth = FaultSupport.nettyDirectMemory() - nettyDirectBefore;
            long platformDirectGrowth = FaultSupport.platformDirectMemory() - platformDirectBefore;
            assertThat(heapGrowth).as("heap growth").isLessThan(96L << 20);
            assertThat(nettyDirectGrowth).as("Netty direct memory growth").isLessThan(48L << 20);
            assertThat(platformDirectGrowth).as("Netty-counted direct memory growth").isLessThan(48L << 20);
        }
    }

    /** Publishes QoS 1 messages as fast as the good subscriber keeps up, never more than WINDOW ahead. */
    private static void publishPaced(RawClient raw, GoodSubscriber good) throws IOException {
        byte[] topic = TOPIC.getBytes(StandardCharsets.US_ASCII);
        int remaining = 2 + topic.length + 2 + PAYLOAD;
        byte[] packet = new byte[1 + varIntLength(remaining) + remaining];
        int pos = 0;
        packet[pos++] = 0x32; // PUBLISH, QoS 1
        for (int v = remaining; ; ) {
            int b = v & 0x7F;
            v >>>= 7;
            packet[pos++] = (byte) (v > 0 ? b | 0x80 : b);
            if (v == 0) {
                break;
            }
        }
        packet[pos++] = 0;
        packet[pos++] = (byte) topic.length;
        System.arraycopy(topic, 0, packet, pos, topic.length);
        pos += topic.length;
        int idPos = pos;
        int payloadPos = pos + 2;
        ByteArrayBatch out = new ByteArrayBatch(raw);
        long stalledSince = 0;
        for (int i = 0; i < MESSAGES; i++) {
            while (i - good.received.get() >= WINDOW) {
                out.flush();
                if (good.failure.get() != null) {
                    throw new AssertionError("good subscriber failed", good.failure.get());
                }
                long now = System.nanoTime();
                if (stalledSince == 0) {
                    stalledSince = now;
                } else if (now - stalledSince > TimeUnit.SECONDS.toNanos(15)) {
                    throw new AssertionError("the good subscriber stopped receiving at " + good.received.get());
                }
                LockSupport.parkNanos(50_000);
            }
            stalledSince = 0;
            int id = i % 65_535 + 1;
            packet[idPos] = (byte) (id >> 8);
            packet[idPos + 1] = (byte) id;
            packet[payloadPos] = (byte) (i >> 24);
            packet[payloadPos + 1] = (byte) (i >> 16);
            packet[payloadPos + 2] = (byte) (i >> 8);
            packet[payloadPos + 3] = (byte) i;
            out.write(packet);
        }
        out.flush();
    }

    private static int varIntLength(int v) {
        return v < 128 ? 1 : v < 16_384 ? 2 : v < 2_097_152 ? 3 : 4;
    }

    /** Collects packets into 64 KB writes. */
    private static final class ByteArrayBatch {
        private final RawClient raw;
        private final byte[] buf = new byte[64 * 1024];
        private int len;

        ByteArrayBatch(RawClient raw) {
            this.raw = raw;
        }

        void write(byte[] packet) throws IOException {
            if (len + packet.length > buf.length) {
                flush();
            }
            System.arraycopy(packet, 0, buf, len, packet.length);
            len += packet.length;
        }

        void flush() throws IOException {
            if (len > 0) {
                raw.send(Arrays.copyOf(buf, len));
                len = 0;
            }
        }
    }

    /** Samples the stuck sessions' queue lengths on their own event loops while the load runs. */
    private static final class QueueSampler extends Thread {
        final AtomicInteger max = new AtomicInteger();
        final AtomicInteger samples = new AtomicInteger();
        private final FaultSupport.SessionHandle[] sessions;
        private volatile boolean stop;

        QueueSampler(FaultSupport.SessionHandle... sessions) {
            super("queue-sampler");
            setDaemon(true);
            this.sessions = sessions;
        }

        @Override
        public void run() {
            while (!stop) {
                for (FaultSupport.SessionHandle s : sessions) {
                    try {
                        int q = s.queuedMessages();
                        max.accumulateAndGet(q, Math::max);
                        samples.incrementAndGet();
                    } catch (Exception e) {
                        max.set(Integer.MAX_VALUE); // makes the assertion fail loudly
                        return;
                    }
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }

        void stopAndJoin() throws InterruptedException {
            stop = true;
            join(10_000);
        }
    }

    /** Reads the publisher's PUBACKs so that its own connection does not back up. */
    private static final class PublisherAckDrain extends Thread {
        private final RawClient raw;
        private final AtomicLong bytes = new AtomicLong();

        PublisherAckDrain(RawClient raw) {
            super("puback-drain");
            setDaemon(true);
            this.raw = raw;
        }

        @Override
        public void run() {
            try {
                while (true) {
                    byte[] p = raw.readPacket(Duration.ofSeconds(60));
                    if ((p[0] & 0xF0) != 0x40) {
                        throw new AssertionError("publisher got packet type " + (p[0] >> 4 & 0x0F));
                    }
                    bytes.addAndGet(p.length);
                }
            } catch (IOException | AssertionError e) {
                // closed at the end of the test, or a wrong packet: awaitCount reports it
            }
        }

        void awaitCount(int acks, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (bytes.get() < 4L * acks && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertThat(bytes.get() / 4).as("PUBACKs received by the publisher").isEqualTo(acks);
        }
    }

    /**
     * A QoS 1 subscriber on its own socket that reads as fast as it can, acknowledges every message and
     * checks that the sequence numbers arrive without gaps.
     */
    private static final class GoodSubscriber implements AutoCloseable {
        final AtomicInteger received = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Socket socket = new Socket();
        private final Thread reader;

        GoodSubscriber(int port) throws IOException {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 256 * 1024));
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            out.write(FaultSupport.connectBytes("good-sub", true));
            out.flush();
            expectType(in, 0x20, "CONNACK");
            byte[] filter = TOPIC.getBytes(StandardCharsets.US_ASCII);
            out.write(new byte[] {(byte) 0x82, (byte) (2 + 2 + filter.length + 1), 0, 1, 0, (byte) filter.length});
            out.write(filter);
            out.write(1);
            out.flush();
            expectType(in, 0x90, "SUBACK");
            reader = new Thread(() -> readLoop(in, out), "good-subscriber");
            reader.setDaemon(true);
            reader.start();
        }

        private static void expectType(DataInputStream in, int type, String name) throws IOException {
            int first = in.readUnsignedByte();
            int len = RemainingLength.read(in);
            in.skipNBytes(len);
            if ((first & 0xF0) != type) {
                throw new AssertionError("expected " + name + ", got type " + (first >> 4));
            }
        }

        private void readLoop(DataInputStream in, OutputStream out) {
            byte[] body = new byte[PAYLOAD + 64];
            try {
                while (received.get() < MESSAGES) {
                    int first = in.readUnsignedByte();
                    int len = RemainingLength.read(in);
                    in.readFully(body, 0, len);
                    if ((first & 0xF0) != 0x30 || (first >> 1 & 3) != 1) {
                        throw new AssertionError("expected a QoS 1 PUBLISH, got 0x" + Integer.toHexString(first));
                    }
                    int topicLen = (body[0] & 0xFF) << 8 | body[1] & 0xFF;
                    int idPos = 2 + topicLen;
                    int payloadPos = idPos + 2;
                    int seq = (body[payloadPos] & 0xFF) << 24 | (body[payloadPos + 1] & 0xFF) << 16
                            | (body[payloadPos + 2] & 0xFF) << 8 | body[payloadPos + 3] & 0xFF;
                    if (seq != received.get()) {
                        throw new AssertionError("expected message " + received.get() + ", got " + seq);
                    }
                    if (len - payloadPos != PAYLOAD) {
                        throw new AssertionError("payload of " + (len - payloadPos) + " bytes");
                    }
                    out.write(new byte[] {0x40, 2, body[idPos], body[idPos + 1]});
                    if (in.available() == 0) {
                        out.flush();
                    }
                    received.incrementAndGet();
                }
                out.flush();
            } catch (IOException | AssertionError e) {
                failure.compareAndSet(null, e);
            }
        }


        void awaitCount(int count, Duration timeout) throws InterruptedException {
            reader.join(timeout.toMillis());
            assertThat(received.get()).as("messages received by the good subscriber").isEqualTo(count);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
