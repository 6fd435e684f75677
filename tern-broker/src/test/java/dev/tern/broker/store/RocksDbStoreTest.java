package dev.tern.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.routing.Message;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksIterator;

class RocksDbStoreTest extends StoreContractTest {
    @TempDir
    Path dir;

    StoreOptions options() {
        return StoreOptions.defaults(dir.resolve("store")).withSweepInterval(Duration.ofMillis(200));
    }

    @Override
    protected Store create() {
        return RocksDbStore.open(options());
    }

    @Override
    protected Store restart(Store old) {
        old.close();
        return RocksDbStore.open(options());
    }

    RocksDbStore rocks() {
        return (RocksDbStore) store;
    }

    long count(ColumnFamilyHandle cf) throws Exception {
        long n = 0;
        try (RocksIterator it = rocks().handles().db.newIterator(cf)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                n++;
            }
        }
        return n;
    }

    /** Queue entries, without the per-session summary records. */
    long entries() throws Exception {
        long n = 0;
        try (RocksIterator it = rocks().handles().db.newIterator(rocks().handles().queues)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                n += Keys.getLong(it.key(), 8) == Keys.SUMMARY_SEQ ? 0 : 1;
            }
        }
        return n;
    }

    @Override
    protected void assertSharedMessages(long expected) throws Exception {
        RocksHandles h = rocks().handles();
        assertThat(count(h.messages)).as("stored messages").isEqualTo(expected);
        assertThat(count(h.refs)).as("reference counts").isEqualTo(expected);
    }

    @Test
    @DisplayName("a message fanned out to 1,000 sessions is written once, with a reference count")
    void payloadStoredOnce() throws Exception {
        StoreBatch b = new StoreBatch();
        List<QueueTarget> targets = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            SessionRecord s = session("s" + i);
            b.putSession(s);
            targets.add(new QueueTarget(s.clientId(), s.sessionKey(), 0, QoS.AT_LEAST_ONCE, false, List.of()));
        }
        commit(b);
        Message m = message("t", "x".repeat(10_000), QoS.AT_LEAST_ONCE, MqttProperties.EMPTY);
        try {
            commit(new StoreBatch().enqueue(m, targets));
        } finally {
            m.release();
        }
        RocksHandles h = rocks().handles();
        assertThat(count(h.messages)).isEqualTo(1);
        assertThat(entries()).isEqualTo(1000);
        byte[] refs = h.db.get(h.refs, Keys.u64(1));
        assertThat(RecordCodec.refs("refs", refs).count()).isEqualTo(1000);
        rocks().handles().flush();
        assertThat(rocks().stats().diskBytes()).as("one payload copy, not a thousand").isLessThan(1_000_000);
    }

    @Test
    @DisplayName("concurrent commits share syncs (group commit)")
    void groupCommit() throws Exception {
        SessionRecord s = session("g");
        commit(new StoreBatch().putSession(s));
        int threads = 8;
        int perThread = 300;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        List<CompletableFuture<Void>> all = java.util.Collections.synchronizedList(new ArrayList<>());
        long syncsBefore = store.stats().syncs();
        for (int t = 0; t < threads; t++) {
            int base = t * perThread;
            Thread w = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    Message m = message("t", "p", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY);
                    try {
                        all.add(store.commit(new StoreBatch().enqueue(m, List.of(new QueueTarget("g", s.sessionKey(),
                                base + i, QoS.AT_LEAST_ONCE, false, List.of())))));
                    } finally {
                        m.release();
                    }
                }
            });
            w.start();
            workers.add(w);
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        long syncs = store.stats().syncs() - syncsBefore;
        assertThat(entries()).isEqualTo(threads * perThread);
        assertThat(syncs).as("syncs for %d commits", threads * perThread).isLessThan(threads * perThread);
    }

    @Test
    @DisplayName("the sweeper removes expired messages and retained messages and reclaims their records")
    void sweeperReclaims() throws Exception {
        SessionRecord s = session("sw");
        SessionRecord other = session("sw2");
        commit(new StoreBatch().putSession(s).putSession(other));
        // Queued for two sessions, so stored once with a reference count.
        enqueue(message("t", "x".repeat(1000), QoS.AT_LEAST_ONCE,
                MqttProperties.builder().messageExpiryInterval(1L).build()), 0, s, other);
        enqueue(message("t", "stays", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY), 1, s, other);
        Message r = new Message("ret", Unpooled.copiedBuffer("r", StandardCharsets.UTF_8), QoS.AT_MOST_ONCE, true,
                MqttProperties.builder().messageExpiryInterval(1L).build(), null);
        try {
            commit(new StoreBatch().putRetained(r));
        } finally {
            r.release();
        }
        RocksHandles h = rocks().handles();
        assertThat(count(h.messages)).isEqualTo(2);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(count(h.messages)).isEqualTo(1);
            assertThat(count(h.retained)).isZero();
            assertThat(count(h.expiry)).isZero();
        });
        // The entry is still there, pointing at nothing; removing it leaves the store clean.
        assertThat(payloads(s)).containsExactly("<gone>", "stays");
        commit(new StoreBatch().removeEntry(s.sessionKey(), 0).removeEntry(s.sessionKey(), 1));
        assertSharedMessages(1);
        commit(new StoreBatch().removeEntry(other.sessionKey(), 0).removeEntry(other.sessionKey(), 1));
        assertSharedMessages(0);
        assertThat(count(h.expiry)).isZero();
    }

    @Test
    @DisplayName("a message queued for one session is kept inside its entry; its expiry record goes with it")
    void inlineMessages() throws Exception {
        SessionRecord s = session("in");
        commit(new StoreBatch().putSession(s));
        enqueue(message("t", "a", QoS.AT_LEAST_ONCE, MqttProperties.builder().messageExpiryInterval(600L).build()), 0, s);
        enqueue(message("t", "b", QoS.EXACTLY_ONCE, MqttProperties.builder().messageExpiryInterval(600L).build()), 1, s);
        RocksHandles h = rocks().handles();
        assertSharedMessages(0);
        assertThat(entries()).isEqualTo(2);
        assertThat(count(h.expiry)).isEqualTo(2);
        commit(new StoreBatch().removeEntry(s.sessionKey(), 0).releaseEntry(s.sessionKey(), 1));
        assertThat(count(h.expiry)).isZero();
        assertThat(payloads(s)).containsExactly("<released>");
    }

    @Test
    @DisplayName("removing an entry written inline without expiry needs no read; removing it again, after a"
            + " release, or after its session is gone counts nothing twice")
    void removalsWithoutRead() throws Exception {
        SessionRecord s = session("nr");
        SessionRecord shared = session("nr2");
        commit(new StoreBatch().putSession(s).putSession(shared));
        for (int i = 0; i < 4; i++) {
            enqueue(message("t", "m" + i, QoS.AT_LEAST_ONCE, MqttProperties.EMPTY), i, s);
        }
        enqueue(message("t", "e", QoS.AT_LEAST_ONCE, MqttProperties.builder().messageExpiryInterval(600L).build()),
                4, s);
        enqueue(message("t", "both", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY), 5, s, shared);
        long before = rocks().removalsWithoutRead();
        commit(new StoreBatch().removeEntry(s.sessionKey(), 0));
        commit(new StoreBatch().releaseEntry(s.sessionKey(), 1));
        commit(new StoreBatch().removeEntry(s.sessionKey(), 1).removeEntry(s.sessionKey(), 0));
        commit(new StoreBatch().removeEntry(s.sessionKey(), 0));
        assertThat(rocks().removalsWithoutRead() - before).as("entries 0 and 1, once each").isEqualTo(2);
        commit(new StoreBatch().removeEntry(s.sessionKey(), 4).removeEntry(s.sessionKey(), 5));
        assertThat(rocks().removalsWithoutRead() - before).as("with expiry or shared: read first").isEqualTo(2);
        assertThat(count(rocks().handles().expiry)).isZero();
        assertSharedMessages(1);
        // A clean start replaces the queue: what was known of it is forgotten with it.
        SessionRecord again = new SessionRecord("nr", store.newSessionKey(), MqttVersion.MQTT_5, 3600, 0);
        commit(new StoreBatch().putSession(again));
        commit(new StoreBatch().removeEntry(s.sessionKey(), 2).removeEntry(s.sessionKey(), 3));
        assertThat(rocks().removalsWithoutRead() - before).isEqualTo(2);
        RecoveredState state = restartAndRecover();
        assertThat(recovered(state, "nr").queue().entries()).isZero();
        assertThat(recovered(state, "nr2").queue().entries()).isEqualTo(1);
        assertThat(state.queuedMessages()).isEqualTo(1);
        assertThat(entries()).isEqualTo(1);
    }

    @Test
    @DisplayName("an entry that expires inside its entry is swept with it")
    void inlineSweep() throws Exception {
        SessionRecord s = session("isw");
        commit(new StoreBatch().putSession(s));
        enqueue(message("t", "a", QoS.AT_LEAST_ONCE, MqttProperties.builder().messageExpiryInterval(1L).build()), 0, s);
        enqueue(message("t", "b", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY), 1, s);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(count(rocks().handles().expiry)).isZero());
        assertThat(payloads(s)).containsExactly("b");
    }

    @Test
    @DisplayName("replacing a retained message with an expiry drops the old expiry record")
    void retainedExpiryReplaced() throws Exception {
        for (int i = 0; i < 3; i++) {
            Message r = new Message("ret", Unpooled.copiedBuffer("r" + i, StandardCharsets.UTF_8), QoS.AT_MOST_ONCE,
                    true, MqttProperties.builder().messageExpiryInterval(3600L + i).build(), null);
            try {
                commit(new StoreBatch().putRetained(r));
            } finally {
                r.release();
            }
        }
        assertThat(count(rocks().handles().expiry)).isEqualTo(1);
        commit(new StoreBatch().removeRetained("ret"));
        assertThat(count(rocks().handles().expiry)).isZero();
    }

    @Test
    @DisplayName("persistence_sync interval: commits complete without waiting for a sync and survive a restart")
    void intervalSync() throws Exception {
        store.close();
        StoreOptions o = options().withSync(SyncPolicy.every(Duration.ofMillis(50)));
        store = RocksDbStore.open(o);
        SessionRecord s = session("iv");
        commit(new StoreBatch().putSession(s));
        enqueue(message("t", "v", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY), 0, s);
        assertThat(store.syncPolicy().always()).isFalse();
        store.close();
        store = RocksDbStore.open(o);
        RecoveredState state = store.recover();
        assertThat(recovered(state, "iv").queue().entries()).isEqualTo(1);
        assertThat(payloads(s)).containsExactly("v");
    }
}
