package dev.tern.broker.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoop;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link KeepAliveWheel} on its own event loop. */
class KeepAliveWheelUnitTest {
    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final ConcurrentHashMap<String, Long> expiredAfterNanos = new ConcurrentHashMap<>();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private KeepAliveWheel.Entry entry(String name, long timeoutMillis, long armedAt) {
        return new KeepAliveWheel.Entry(TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) {
            @Override
            void expired() {
                expiredAfterNanos.put(name, System.nanoTime() - armedAt);
            }
        };
    }

    private <T> T onLoop(java.util.concurrent.Callable<T> task) throws Exception {
        return loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("an entry expires after its timeout, not before; a removed one never; a touched one later")
    void expiresRemovesAndTouches() throws Exception {
        long armedAt = System.nanoTime();
        KeepAliveWheel wheel = onLoop(() -> KeepAliveWheel.of(loop));
        KeepAliveWheel.Entry silent = entry("silent", 300, armedAt);
        KeepAliveWheel.Entry removed = entry("removed", 300, armedAt);
        KeepAliveWheel.Entry touched = entry("touched", 300, armedAt);
        onLoop(() -> {
            wheel.add(silent);
            wheel.add(removed);
            wheel.add(touched);
            wheel.remove(removed);
            wheel.remove(removed); // twice is harmless
            return wheel.size();
        });
        // Touch 'touched' every 100 ms for 600 ms: it must outlive 'silent'.
        for (int i = 0; i < 6; i++) {
            Thread.sleep(100);
            onLoop(() -> {
                touched.touch(System.nanoTime());
                return null;
            });
        }
        assertThat(expiredAfterNanos).containsOnlyKeys("silent");
        assertThat(expiredAfterNanos.get("silent")).as("silent expired after (ns)")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
        await().atMost(Duration.ofSeconds(3)).until(() -> expiredAfterNanos.containsKey("touched"));
        assertThat(expiredAfterNanos.get("touched")).as("touched expired after (ns)")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(900));
        assertThat(expiredAfterNanos).doesNotContainKey("removed");
        assertThat(onLoop(wheel::size)).isZero();
    }

    @Test
    @DisplayName("an expiry that removes other entries of the same slot leaves the wheel consistent")
    void expiryRemovingNeighbours() throws Exception {
        KeepAliveWheel wheel = onLoop(() -> KeepAliveWheel.of(loop));
        long armedAt = System.nanoTime();
        KeepAliveWheel.Entry[] others = new KeepAliveWheel.Entry[10];
        CompletableFuture<Void> firstExpired = new CompletableFuture<>();
        KeepAliveWheel.Entry first = new KeepAliveWheel.Entry(TimeUnit.MILLISECONDS.toNanos(200)) {
            @Override
            void expired() {
                for (KeepAliveWheel.Entry e : others) {
                    wheel.remove(e);
                }
                firstExpired.complete(null);
            }
        };
        onLoop(() -> {
            for (int i = 0; i < others.length; i++) {
                others[i] = entry("other-" + i, 200, armedAt);
                wheel.add(others[i]);
            }
            wheel.add(first); // the head of the slot's list: swept first
            return null;
        });
        firstExpired.get(5, TimeUnit.SECONDS);
        Thread.sleep(300);
        assertThat(expiredAfterNanos).isEmpty();
        assertThat(onLoop(wheel::size)).isZero();
        // The wheel goes on working: a new entry expires.
        onLoop(() -> {
            wheel.add(entry("later", 100, System.nanoTime()));
            return null;
        });
        await().atMost(Duration.ofSeconds(3)).until(() -> expiredAfterNanos.containsKey("later"));
    }
}
