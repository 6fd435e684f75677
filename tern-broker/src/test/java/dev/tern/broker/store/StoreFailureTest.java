package dev.tern.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.broker.routing.Message;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * The store when its storage fails: writes that fail (as on a full disk), writes that hang, and free
 * space below the reserve. New data is refused with {@link StoreUnavailableException}, removals wait,
 * nothing acknowledged is lost, and the store recovers by itself once the storage works again. The
 * failures are injected just before RocksDB's write ({@link CommitWriter.FaultInjector}) and in the
 * free-space probe; {@link StoreDiskFullIT} does the same with real I/O errors from the kernel.
 */
class StoreFailureTest {
    @TempDir
    Path dir;
    RocksDbStore store;
    SessionRecord session;

    @BeforeEach
    void open() {
        store = RocksDbStore.open(StoreOptions.defaults(dir.resolve("s")));
        session = new SessionRecord("c", store.newSessionKey(), MqttVersion.MQTT_5, 600, 0);
        store.commit(new StoreBatch().putSession(session)).join();
    }

    @AfterEach
    void close() {
        store.close();
    }

    CompletableFuture<Void> enqueue(long seq) {
        Message m = new Message("t", Unpooled.copiedBuffer("m" + seq, StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE,
                false, MqttProperties.EMPTY, "p");
        try {
            return store.commit(new StoreBatch().enqueue(m, List.of(new QueueTarget("c", session.sessionKey(), seq,
                    QoS.AT_LEAST_ONCE, false, List.of()))));
        } finally {
            m.release();
        }
    }

    List<Long> seqs() {
        List<QueueEntry> entries = store.readQueue(session.sessionKey(), 0, 100).join();
        entries.forEach(QueueEntry::release);
        return entries.stream().map(QueueEntry::seq).toList();
    }

    static RocksDBException noSpace() {
        return new RocksDBException("IO error: No space left on device (injected)",
                new Status(Status.Code.IOError, Status.SubCode.NoSpace, "No space left on device (injected)"));
    }

    @Test
    @DisplayName("a failing write refuses new data, holds removals, and recovers when writes work again")
    void failingWrites() throws Exception {
        enqueue(0).join();
        enqueue(1).join();
        AtomicBoolean broken = new AtomicBoolean(true);
        store.injectFaults(() -> {
            if (broken.get()) {
                throw noSpace();
            }
        });
        assertThatThrownBy(() -> enqueue(2).join()).hasCauseInstanceOf(StoreUnavailableException.class);
        assertThat(store.health().available()).isFalse();
        assertThat(store.health().reason()).contains("no space left");
        // Refused at once now, without waiting for the writer.
        CompletableFuture<Void> refused = enqueue(3);
        assertThat(refused).isCompletedExceptionally();
        CompletableFuture<Void> removal = store.commit(new StoreBatch().removeEntry(session.sessionKey(), 0));
        Thread.sleep(300);
        assertThat(removal).as("a removal waits for the storage").isNotDone();
        assertThat(store.stats().failures()).isGreaterThanOrEqualTo(2);

        broken.set(false);
        removal.get(10, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store.health().available());
        enqueue(4).get(10, TimeUnit.SECONDS);
        assertThat(seqs()).containsExactly(1L, 4L);

        store.close();
        store = RocksDbStore.open(StoreOptions.defaults(dir.resolve("s")));
        RecoveredState state = store.recover();
        assertThat(state.sessions().get(0).queue()).isEqualTo(new QueueSummary(2, 1, 5));
        assertThat(seqs()).containsExactly(1L, 4L);
    }

    @Test
    @DisplayName("a write that hangs makes the store refuse new data until it returns")
    void stalledWrite() throws Exception {
        CountDownLatch hang = new CountDownLatch(1);
        AtomicBoolean armed = new AtomicBoolean(true);
        store.injectFaults(() -> {
            if (armed.getAndSet(false)) {
                try {
                    hang.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        CompletableFuture<Void> slow = enqueue(0);
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !store.health().available());
        assertThat(store.health().reason()).contains("has not completed");
        assertThatThrownBy(() -> enqueue(1).join()).hasCauseInstanceOf(StoreUnavailableException.class);
        hang.countDown();
        slow.get(10, TimeUnit.SECONDS);
        assertThat(store.health().available()).isTrue();
        enqueue(2).get(10, TimeUnit.SECONDS);
        assertThat(seqs()).containsExactly(0L, 2L);
    }

    @Test
    @DisplayName("free space below the reserve refuses new data but still applies removals")
    void lowSpace() throws Exception {
        enqueue(0).join();
        AtomicLong free = new AtomicLong(1L << 20);
        store.freeSpace(free::get);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !store.health().available());
        assertThat(store.health().reason()).contains("1 MiB free").contains("minimum of 64 MiB");
        assertThatThrownBy(() -> enqueue(1).join()).hasCauseInstanceOf(StoreUnavailableException.class);
        store.commit(new StoreBatch().removeEntry(session.sessionKey(), 0)).get(10, TimeUnit.SECONDS);
        assertThat(seqs()).isEmpty();

        free.set(1L << 30);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store.health().available());
        enqueue(2).get(10, TimeUnit.SECONDS);
        assertThat(seqs()).containsExactly(2L);
    }
}
