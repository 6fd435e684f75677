package dev.tern.broker.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.tern.broker.test.TestBroker;
import dev.tern.testkit.RawClient;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Packets that announce the largest remaining length, 268,435,455, and never send the body (design
 * practice 4, Mosquitto's test/broker/01-bad-initial-packets.py): the broker must not reserve memory
 * for the announced body. Without a limit it waits for the body with a few bytes per connection; with
 * max_packet_size it closes the connection as soon as the fixed header is read.
 */
class HugeRemainingLengthTest {
    private static final int CONNECTIONS = 200;
    /** CONNECT, remaining length 268,435,455 (0xFF 0xFF 0xFF 0x7F), no body. */
    private static final byte[] HUGE_CONNECT = {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F};
    /** PUBLISH QoS 0, remaining length 268,435,455, no body. */
    private static final byte[] HUGE_PUBLISH = {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F};

    @Test
    @DisplayName("Remaining length 268,435,455 without a body: connections wait, memory stays flat")
    void hugeRemainingLengthWaitsWithoutBuffering() throws Exception {
        long heapBefore = FaultSupport.usedHeapAfterGc();
        long nettyBefore = FaultSupport.nettyDirectMemory();
        long platformBefore = FaultSupport.platformDirectMemory();
        List<RawClient> clients = new ArrayList<>();
        try (TestBroker broker = TestBroker.start(b -> b.connectTimeout(Duration.ofSeconds(60))
                .connectionMessages(false))) {
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    RawClient c = RawClient.connect(broker.port());
                    clients.add(c);
                    if (i % 2 == 0) {
                        c.send(HUGE_CONNECT); // before CONNECT
                    } else {
                        // after a valid CONNECT: a connected client announcing a 256 MB PUBLISH
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        out.write(FaultSupport.connectBytes("huge-" + i, true));
                        out.write(HUGE_PUBLISH);
                        c.send(out.toByteArray());
                        assertThat(c.readPacket()[0]).as("CONNACK").isEqualTo((byte) 0x20);
                    }
                }
                var metrics = broker.broker().metrics();
                await().atMost(Duration.ofSeconds(10)).until(() -> metrics.bytesReceived()
                        >= CONNECTIONS * (long) HUGE_CONNECT.length);

                long heapGrowth = FaultSupport.usedHeapAfterGc() - heapBefore;
                long nettyGrowth = FaultSupport.nettyDirectMemory() - nettyBefore;
                long platformGrowth = FaultSupport.platformDirectMemory() - platformBefore;
                // One 256 MB body buffer would exceed these by far; 200 idle connections need a few MB.
                assertThat(heapGrowth).as("heap growth").isLessThan(32L << 20);
                assertThat(nettyGrowth).as("Netty direct memory growth").isLessThan(16L << 20);
                assertThat(platformGrowth).as("Netty-counted direct memory growth").isLessThan(16L << 20);

                assertThat(metrics.malformedPackets() + metrics.oversizedPackets()).isZero();
                assertThat(metrics.connectedClients()).isEqualTo(CONNECTIONS / 2);
                for (RawClient c : clients) {
                    assertThat(c.staysSilent(Duration.ofMillis(2))).as("connection still open and waiting")
                            .isTrue();
                }
            } finally {
                for (RawClient c : clients) {
                    c.close();
                }
            }
        }
    }

    @Test
    @DisplayName("Remaining length 268,435,455 with max_packet_size 1024: closed at once, memory stays flat")
    void hugeRemainingLengthAboveMaxPacketSizeIsClosedAtOnce() throws Exception {
        Level previous = FaultSupport.logLevel("dev.tern.broker.connection", Level.ERROR);
        long heapBefore = FaultSupport.usedHeapAfterGc();
        long nettyBefore = FaultSupport.nettyDirectMemory();
        try (TestBroker broker = TestBroker.start(b -> b.maxPacketSize(1024).connectTimeout(Duration.ofSeconds(60))
                .connectionMessages(false))) {
            for (int i = 0; i < CONNECTIONS; i++) {
                try (RawClient c = RawClient.connect(broker.port())) {
                    if (i % 2 == 0) {
                        c.send(HUGE_CONNECT);
                    } else {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        out.write(FaultSupport.connectBytes("huge-" + i, true));
                        out.write(HUGE_PUBLISH);
                        c.send(out.toByteArray());
                    }
                    // Well before the 60 s connect timeout: the fixed header alone is enough to refuse.
                    assertThat(c.awaitClosed(Duration.ofSeconds(2))).as("connection %d closed", i).isTrue();
                }
            }
            assertThat(broker.broker().metrics().oversizedPackets()).isEqualTo(CONNECTIONS);
            assertThat(broker.broker().metrics().malformedPackets()).isZero();
            assertThat(FaultSupport.usedHeapAfterGc() - heapBefore).as("heap growth").isLessThan(32L << 20);
            assertThat(FaultSupport.nettyDirectMemory() - nettyBefore).as("direct memory growth")
                    .isLessThan(16L << 20);
        } finally {
            FaultSupport.logLevel("dev.tern.broker.connection", previous);
        }
    }
}
