package dev.tern.broker.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.broker.test.TestBroker;
import dev.tern.codec.packet.PingReq;
import dev.tern.codec.packet.PingResp;
import dev.tern.testkit.RawClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Slowloris: connections that never complete CONNECT are closed after connectTimeout, however they
 * stall (nothing at all, half a CONNECT, or a CONNECT trickling in a byte at a time), while a client
 * that connected in time is not affected.
 */
class ConnectTimeoutTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    @Test
    @DisplayName("Silent, half-CONNECT and trickling connections are closed after connectTimeout (1 s)")
    void stalledConnectionsAreClosedAfterConnectTimeout() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (TestBroker broker = TestBroker.start(b -> b.connectTimeout(TIMEOUT))) {
            long start = System.nanoTime();
            try (RawClient silent = RawClient.connect(broker.port());
                 RawClient half = RawClient.connect(broker.port());
                 RawClient trickle = RawClient.connect(broker.port());
                 MqttTestClient inTime = MqttTestClient.connected(broker.port(), "in-time")) {
                byte[] connect = FaultSupport.connectBytes("slow", true);
                half.send(Arrays.copyOf(connect, connect.length / 2));

                // One byte every 150 ms: activity must not extend the deadline for CONNECT.
                Future<?> trickling = threads.submit(() -> {
                    try {
                        for (int i = 0; i < connect.length - 1; i++) {
                            trickle.send(connect[i] & 0xFF);
                            Thread.sleep(150);
                        }
                    } catch (Exception e) {
                        // the broker closed the connection under our feet: expected
                    }
                });

                // Each connection's own closing time; all connected after `start`, so none may close
                // before start + timeout.
                List<Future<Duration>> closings = new ArrayList<>();
                for (RawClient c : List.of(silent, half, trickle)) {
                    closings.add(threads.submit(() -> c.awaitClosed(Duration.ofSeconds(5))
                            ? Duration.ofNanos(System.nanoTime() - start) : Duration.ofDays(1)));
                }
                for (Future<Duration> closing : closings) {
                    assertThat(closing.get(10, TimeUnit.SECONDS)).isBetween(TIMEOUT, TIMEOUT.plusSeconds(2));
                }
                trickling.get(10, TimeUnit.SECONDS);

                // The client that sent CONNECT in time is still connected.
                inTime.send(PingReq.INSTANCE);
                inTime.expect(PingResp.class);
                assertThat(broker.broker().metrics().connectedClients()).isEqualTo(1);
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
