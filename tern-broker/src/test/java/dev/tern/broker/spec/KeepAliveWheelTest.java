package dev.tern.broker.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The keep-alive timer shared by all connections of an event loop (one timing wheel per loop):
 * several connections at once, some silent and some pinging, so that they share wheel slots.
 */
class KeepAliveWheelTest extends SpecTestBase {
    private static final int EACH = 6;
    private static final long PING_EVERY_NANOS = Duration.ofMillis(400).toNanos();
    private static final Duration POLL = Duration.ofMillis(10);

    @Test
    @DisplayName("[MQTT-3.1.2-24] keep-alive 1 s on 12 connections: each silent one is closed after 1.5 s and "
            + "before 3 s, none of those sending PINGREQ every 0.4 s is")
    void silentDroppedPingingKept() throws IOException {
        long start = System.nanoTime(); // before CONNECT: the server cannot start a timer earlier
        List<MqttTestClient> silent = new ArrayList<>();
        List<MqttTestClient> pinging = new ArrayList<>();
        for (int i = 0; i < EACH; i++) {
            silent.add(connected("silent-" + i));
            pinging.add(connected("pinging-" + i));
        }
        long[] closedAfterMillis = new long[EACH];
        int open = EACH;
        long lastPing = System.nanoTime();
        long end = start + Duration.ofMillis(3_000).toNanos();
        while (System.nanoTime() < end) {
            if (System.nanoTime() - lastPing >= PING_EVERY_NANOS) {
                for (MqttTestClient c : pinging) {
                    assertAlive(c);
                }
                lastPing = System.nanoTime();
            }
            for (int i = 0; i < EACH; i++) {
                if (closedAfterMillis[i] == 0 && silent.get(i).raw().awaitClosed(POLL)) {
                    closedAfterMillis[i] = (System.nanoTime() - start) / 1_000_000;
                    open--;
                }
            }
            if (open == 0 && System.nanoTime() - start > Duration.ofMillis(2_000).toNanos()) {
                break; // two pings after the last silent one was closed: the pinging ones have proven their point
            }
        }
        for (int i = 0; i < EACH; i++) {
            assertThat(closedAfterMillis[i]).as("ms until silent-%d was closed (0 = still open after 3 s)", i)
                    .isBetween(1_500L, 3_000L);
        }
        for (MqttTestClient c : pinging) {
            assertAlive(c);
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-24] keep-alive 1 s: the first byte of a packet that never completes (sent at "
            + "1.3 s) is not a control packet, the connection is closed after 1.5 s")
    void unfinishedPacketDoesNotCount() throws IOException {
        long start = System.nanoTime();
        MqttTestClient c = connected("trickle");
        assertThat(c.raw().staysSilent(Duration.ofMillis(1_300))).isTrue();
        c.raw().send(0xC0); // the first byte of a PINGREQ, its length never follows
        assertThat(c.raw().awaitClosed(Duration.ofSeconds(5))).as("closed by the server").isTrue();
        // Had the byte counted, the connection would live until at least 1.3 + 1.5 = 2.8 s.
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms until closed").isBetween(1_500L, 2_700L);
    }

    private MqttTestClient connected(String clientId) throws IOException {
        MqttTestClient c = open();
        assertThat(c.connect(clientId, true, 1, null).reasonCode()).isZero();
        return c;
    }
}
