package dev.tern.broker.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.TestBroker;
import dev.tern.testkit.MosquittoBroker;
import dev.tern.testkit.RawClient;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Comparison with Debian's Mosquitto 2.0.11: the same raw bytes sent to both brokers, with each
 * broker's observed reaction asserted. This is the only class of the conformance suite that needs
 * Mosquitto ({@code .ci/run} installs it); the other classes test Tern alone.
 *
 * <p>Where the two differ, Mosquitto is lenient where MQTT 3.1.1 asks the receiver to close the
 * connection (reserved flag bits of acknowledgements and PINGREQ [MQTT-2.2.2-2], bodies of the wrong
 * length, server-to-client packets sent by a client, QoS 0 with DUP=1), and Tern follows the
 * specification; docs/conformance.md lists the differences.
 */
class MosquittoRawByteComparisonTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String CLOSED = "closed";
    private static final String OPEN = "open";

    private static MosquittoBroker mosquitto;
    private static TestBroker tern;
    private static final AtomicInteger ids = new AtomicInteger();

    @BeforeAll
    static void startBrokers() throws Exception {
        assertThat(MosquittoBroker.isInstalled()).as("Debian's mosquitto at %s (apt-get install mosquitto)",
                MosquittoBroker.BINARY).isTrue();
        mosquitto = MosquittoBroker.start();
        tern = TestBroker.start();
    }

    @AfterAll
    static void stopBrokers() throws IOException {
        if (tern != null) {
            tern.close();
        }
        if (mosquitto != null) {
            mosquitto.close();
        }
    }

    /**
     * Connects (CONNACK 0 asserted), sends the bytes and a PINGREQ, and reports what came back before
     * a PINGRESP or the close: the hex of the packets, then "open" or "closed".
     */
    private static String react(int port, byte[] bytes) throws IOException {
        try (RawClient c = RawClient.connect(port)) {
            c.send(Packets.connect("cmp" + ids.incrementAndGet()));
            assertThat(Bytes.hex(c.readPacket(WAIT))).isEqualTo(Bytes.hex(Packets.CONNACK_ACCEPTED));
            c.send(bytes);
            try {
                c.send(Packets.PINGREQ);
            } catch (SocketException e) {
                return CLOSED; // already closed by the server
            }
            List<String> replies = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                byte[] p;
                try {
                    p = c.readPacket(WAIT);
                } catch (EOFException | SocketException e) {
                    replies.add(CLOSED);
                    return String.join(" | ", replies);
                } catch (SocketTimeoutException e) {
                    replies.add("silent");
                    return String.join(" | ", replies);
                }
                if (Bytes.hex(p).equals(Bytes.hex(Packets.PINGRESP))) {
                    replies.add(OPEN);
                    return String.join(" | ", replies);
                }
                replies.add(Bytes.hex(p));
            }
            return String.join(" | ", replies);
        }
    }

    static Stream<Arguments> scenarios() {
        return Stream.of(
                // Same reaction.
                same("[MQTT-3.1.0-2] second CONNECT", Packets.connect("again"), CLOSED),
                same("[MQTT-3.6.1-1] PUBREL with flags 0000", Bytes.of(0x60, 0x02, 0x00, 0x01), CLOSED),
                same("[MQTT-3.8.1-1] SUBSCRIBE with flags 0000", Bytes.of(0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0),
                        CLOSED),
                same("[MQTT-3.10.1-1] UNSUBSCRIBE with flags 0000", Bytes.of(0xA0, 0x05, 0x00, 0x01, 0x00, 0x01, 'a'),
                        CLOSED),
                same("[MQTT-3.14.1-1] DISCONNECT with flags 0001", Bytes.of(0xE1, 0x00), CLOSED),
                same("[MQTT-3.14.4-2] DISCONNECT then PINGREQ", Packets.DISCONNECT, CLOSED),
                same("[MQTT-3.3.1-4] PUBLISH QoS 3", Packets.publish(0x06, "a", 1, "x"), CLOSED),
                same("[MQTT-3.3.2-2] PUBLISH to a/#", Packets.publish0("a/#", "x"), CLOSED),
                same("[MQTT-4.7.3-1] PUBLISH to an empty topic", Packets.publish(0x02, "", 1, "x"), CLOSED),
                same("[MQTT-2.3.1-1] QoS 1 PUBLISH with packet id 0", Packets.publish(0x02, "a", 0, "x"), CLOSED),
                same("[MQTT-2.3.1-1] SUBSCRIBE with packet id 0", Packets.subscribe(0, "a", 0), CLOSED),
                same("[MQTT-3.8.3-3] SUBSCRIBE without filters", Bytes.of(0x82, 0x02, 0x00, 0x01), CLOSED),
                same("[MQTT-3.8.3-4] SUBSCRIBE requesting QoS 3", Packets.subscribe(1, "a", 3), CLOSED),
                same("[MQTT-3.8.3-4] SUBSCRIBE with reserved bits", Packets.subscribe(1, "a", 0x80), CLOSED),
                same("[MQTT-4.7.1-2] SUBSCRIBE to a/#/b", Packets.subscribe(1, "a/#/b", 0), CLOSED),
                same("[MQTT-4.7.1-2] UNSUBSCRIBE from a/#/b", Packets.unsubscribe(1, "a/#/b"), CLOSED),
                same("[MQTT-4.7.3-1] UNSUBSCRIBE from an empty filter", Packets.unsubscribe(1, ""), CLOSED),
                same("[MQTT-1.5.3-1] topic with a surrogate", Bytes.packet(0x30).string(Bytes.of(0xED, 0xA0, 0x80))
                        .build(), CLOSED),
                same("[MQTT-1.5.3-2] topic with U+0000", Bytes.packet(0x30).string(Bytes.of('a', 0, 'b')).build(),
                        CLOSED),
                same("[2.2.3] remaining length of five bytes", Bytes.of(0x30, 0x80, 0x80, 0x80, 0x80, 0x01), CLOSED),
                same("[2.2.1] packet type 0", Bytes.of(0x00, 0x00), CLOSED),
                same("[2.2.1] packet type 15", Bytes.of(0xF0, 0x00), CLOSED),
                same("[MQTT-4.8.0-1] CONNACK from the client", Bytes.of(0x20, 0x02, 0x00, 0x00), CLOSED),
                same("[MQTT-4.3.3-2] PUBREL for an unknown id", Packets.pubrel(77), "70 02 00 4d | " + OPEN),
                same("[MQTT-4.3.3-1] PUBREC for an unknown id", Packets.pubrec(12), "62 02 00 0c | " + OPEN),
                same("[3.4] PUBACK for an unknown id", Packets.puback(13), OPEN),
                same("[MQTT-1.5.3-3] SUBSCRIBE to a filter starting with a BOM", Bytes.packet(0x82).u16(1)
                        .string(Bytes.of(0xEF, 0xBB, 0xBF, 'b')).u8(1).build(), "90 03 00 01 01 | " + OPEN),
                // Mosquitto 2.0.11 is lenient where Tern closes as [MQTT-2.2.2-2] / [MQTT-4.8.0-1] ask.
                differ("[MQTT-2.2.2-2] PUBACK with flags 0001", Bytes.of(0x41, 0x02, 0x00, 0x01), OPEN, CLOSED),
                differ("[MQTT-2.2.2-2] PUBREC with flags 0010", Bytes.of(0x52, 0x02, 0x00, 0x01),
                        "62 02 00 01 | " + OPEN, CLOSED),
                differ("[MQTT-2.2.2-2] PUBCOMP with flags 0001", Bytes.of(0x71, 0x02, 0x00, 0x01), OPEN, CLOSED),
                differ("[MQTT-2.2.2-2] PINGREQ with flags 0001", Bytes.of(0xC1, 0x00), OPEN, CLOSED),
                differ("[MQTT-4.8.0-1] PINGREQ with a one-byte body", Bytes.of(0xC0, 0x01, 0x00), OPEN, CLOSED),
                differ("[MQTT-4.8.0-1] PUBACK with a three-byte body", Bytes.of(0x40, 0x03, 0x00, 0x01, 0x00), OPEN,
                        CLOSED),
                differ("[MQTT-4.8.0-1] PUBREL with a four-byte body", Bytes.of(0x62, 0x04, 0x00, 0x01, 0x00, 0x00),
                        "70 02 00 01 | " + OPEN, CLOSED),
                differ("[MQTT-4.8.0-1] SUBACK from the client", Bytes.of(0x90, 0x03, 0x00, 0x01, 0x00), OPEN,
                        CLOSED),
                differ("[MQTT-4.8.0-1] UNSUBACK from the client", Bytes.of(0xB0, 0x02, 0x00, 0x01), OPEN, CLOSED),
                differ("[MQTT-4.8.0-1] PINGRESP from the client", Bytes.of(0xD0, 0x00), OPEN, CLOSED),
                differ("[MQTT-3.3.1-2] QoS 0 PUBLISH with DUP=1", Packets.publish(0x08, "a", 0, "x"), OPEN, CLOSED),
                // Control characters are allowed but discouraged (1.5.3): Mosquitto refuses them, Tern does not.
                differ("[1.5.3] topic with U+0009 (a control character)", Packets.publish0("a\tb", "x"), CLOSED,
                        OPEN));
    }

    private static Arguments same(String name, byte[] bytes, String both) {
        return Arguments.of(name, bytes, both, both);
    }

    private static Arguments differ(String name, byte[] bytes, String mosquittoReaction, String ternReaction) {
        return Arguments.of(name + " (differs)", bytes, mosquittoReaction, ternReaction);
    }

    @ParameterizedTest(name = "{0}: Mosquitto \"{2}\", Tern \"{3}\"")
    @MethodSource("scenarios")
    void sameBytesToBoth(String name, byte[] bytes, String mosquittoReaction, String ternReaction) throws IOException {
        assertThat(react(mosquitto.port(), bytes)).as("Mosquitto 2.0.11").isEqualTo(mosquittoReaction);
        assertThat(react(tern.port(), bytes)).as("Tern").isEqualTo(ternReaction);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] [MQTT-3.1.0-2] will after a second CONNECT: Tern publishes it (the connection ends "
            + "without DISCONNECT), Mosquitto 2.0.11 does not")
    void willAfterSecondConnect() throws IOException {
        assertThat(willPublishedAfterSecondConnect(mosquitto.port())).as("Mosquitto 2.0.11").isFalse();
        assertThat(willPublishedAfterSecondConnect(tern.port())).as("Tern").isTrue();
    }

    private static boolean willPublishedAfterSecondConnect(int port) throws IOException {
        String n = "w" + ids.incrementAndGet();
        try (RawClient sub = RawClient.connect(port); RawClient c = RawClient.connect(port)) {
            sub.send(Packets.connect(n + "sub"));
            sub.readPacket(WAIT);
            sub.send(Packets.subscribe(1, n + "/#", 0));
            sub.readPacket(WAIT);
            c.send(Packets.connectWithWill(n, Packets.CLEAN, 60, n + "/will", "gone"));
            c.readPacket(WAIT);
            c.send(Packets.connect(n));
            assertThat(c.awaitClosed(WAIT)).isTrue();
            // The will, if any, comes within a second; Tern publishes it on another thread after the close.
            long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < deadline) {
                byte[] p;
                try {
                    p = sub.readPacket(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
                } catch (SocketTimeoutException e) {
                    return false;
                }
                if (Bytes.hex(p).contains(Bytes.hex(Packets.utf8(n + "/will")))) {
                    return true;
                }
            }
            return false;
        }
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] a QoS 2 PUBLISH re-sent twice before PUBREL: Tern answers PUBREC each time, "
            + "Mosquitto 2.0.11 closes the connection at the second re-send")
    void qos2ResentTwice() throws IOException {
        assertThat(qos2Resends(mosquitto.port())).as("Mosquitto 2.0.11")
                .isEqualTo("50 02 00 09 | 50 02 00 09 | closed");
        assertThat(qos2Resends(tern.port())).as("Tern")
                .isEqualTo("50 02 00 09 | 50 02 00 09 | 50 02 00 09 | 70 02 00 09");
    }

    private static String qos2Resends(int port) throws IOException {
        try (RawClient c = RawClient.connect(port)) {
            c.send(Packets.connect("q2r" + ids.incrementAndGet()));
            c.readPacket(WAIT);
            List<String> replies = new ArrayList<>();
            byte[][] sends = {
                Packets.publish(0x04, "q2/r", 9, "once"),
                Packets.publish(0x0C, "q2/r", 9, "once"),
                Packets.publish(0x0C, "q2/r", 9, "once"),
                Packets.pubrel(9)};
            for (byte[] s : sends) {
                try {
                    c.send(s);
                    replies.add(Bytes.hex(c.readPacket(WAIT)));
                } catch (EOFException | SocketException e) {
                    replies.add(CLOSED);
                    break;
                }
            }
            return String.join(" | ", replies);
        }
    }
}
