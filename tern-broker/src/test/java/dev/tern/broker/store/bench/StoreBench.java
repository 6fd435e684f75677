package dev.tern.broker.store.bench;

import dev.tern.broker.routing.Message;
import dev.tern.broker.store.InMemoryStore;
import dev.tern.broker.store.QueueEntry;
import dev.tern.broker.store.QueueTarget;
import dev.tern.broker.store.RecoveredSession;
import dev.tern.broker.store.RecoveredState;
import dev.tern.broker.store.RocksDbStore;
import dev.tern.broker.store.SessionRecord;
import dev.tern.broker.store.Store;
import dev.tern.broker.store.StoreBatch;
import dev.tern.broker.store.StoreOptions;
import dev.tern.broker.store.SubscriptionRecord;
import dev.tern.broker.store.SyncPolicy;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * Benchmarks of the durable store alone (no broker, no network); see docs/benchmarks.md for the
 * numbers and {@code scripts/bench-store} for how to run it.
 *
 * <pre>
 * commit DIR SYNC CONNECTIONS SECONDS [PAYLOAD]
 *     CONNECTIONS simulated publishers, each with up to 16 QoS 1 messages awaiting their PUBACK, all
 *     queueing for one persistent subscriber that acknowledges each message once stored (the fan-in
 *     case); SYNC is "always", "interval:MS" or "memory" (the in-memory store). Prints commits/s,
 *     syncs/s and commit latency percentiles.
 * populate DIR SESSIONS PER_SESSION RETAINED [PAYLOAD]
 *     SESSIONS persistent sessions with PER_SESSION distinct queued messages each, and RETAINED
 *     retained messages; then exits without closing the store if "--crash" follows (as a kill would).
 * recover DIR
 *     opens the store and reads it as the broker does at start-up; prints the time, what it found,
 *     the heap in use after a full GC and the process's resident memory.
 * </pre>
 */
public final class StoreBench {
    private StoreBench() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "commit" -> commit(Path.of(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    args.length > 5 ? Integer.parseInt(args[5]) : 64);
            case "populate" -> populate(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), args.length > 5 && !args[5].startsWith("--") ? Integer.parseInt(args[5]) : 64,
                    Arrays.asList(args).contains("--crash"));
            case "recover" -> recover(Path.of(args[1]));
            default -> throw new IllegalArgumentException("unknown benchmark " + args[0]);
        }
        System.exit(0);
    }

    static Message message(String topic, byte[] payload) {
        return new Message(topic, Unpooled.wrappedBuffer(payload), QoS.AT_LEAST_ONCE, false, MqttProperties.EMPTY,
                "bench");
    }

    private static Store open(Path dir, String sync) {
        if (sync.equals("memory")) {
            return new InMemoryStore();
        }
        SyncPolicy policy = sync.equals("always") ? SyncPolicy.ALWAYS
                : SyncPolicy.every(Duration.ofMillis(Long.parseLong(sync.substring("interval:".length()))));
        return RocksDbStore.open(StoreOptions.defaults(dir).withSync(policy));
    }

    // ---- commit: group commit rate --------------------------------------------------------------

    private static void commit(Path dir, String sync, int connections, int seconds, int payloadSize) throws Exception {
        try (Store store = open(dir, sync)) {
            store.recover().retained().forEach(Message::release);
            SessionRecord subscriber = new SessionRecord("subscriber", store.newSessionKey(), MqttVersion.MQTT_5,
                    SessionRecord.NEVER_EXPIRES, 0);
            store.commit(new StoreBatch().putSession(subscriber)).join();
            byte[] payload = new byte[payloadSize];
            AtomicLong seqs = new AtomicLong();
            LongAdder done = new LongAdder();
            ConcurrentHistogram latency = new ConcurrentHistogram(3);
            long warmupEnd = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            long end = warmupEnd + Duration.ofSeconds(seconds).toNanos();
            CountDownLatch finished = new CountDownLatch(connections);
            for (int c = 0; c < connections; c++) {
                Thread t = new Thread(() -> {
                    Semaphore window = new Semaphore(16);
                    while (System.nanoTime() < end) {
                        window.acquireUninterruptibly();
                        long seq = seqs.getAndIncrement();
                        Message m = message("fan/in", payload);
                        StoreBatch b = new StoreBatch().enqueue(m, List.of(new QueueTarget("subscriber",
                                subscriber.sessionKey(), seq, QoS.AT_LEAST_ONCE, false, List.of())));
                        m.release();
                        long start = System.nanoTime();
                        store.commit(b).whenComplete((v, e) -> {
                            long now = System.nanoTime();
                            if (now > warmupEnd && now < end) {
                                done.increment();
                                latency.recordValue((now - start) / 1000);
                            }
                            // The subscriber's PUBACK: the entry goes again (not waited for).
                            store.commit(new StoreBatch().removeEntry(subscriber.sessionKey(), seq));
                            window.release();
                        });
                    }
                    window.acquireUninterruptibly(16);
                    finished.countDown();
                }, "publisher-" + c);
                t.setDaemon(true);
                t.start();
            }
            Thread.sleep(Math.max(0, (warmupEnd - System.nanoTime()) / 1_000_000));
            long syncsAtStart = store.stats().syncs();
            finished.await();
            long syncs = store.stats().syncs() - syncsAtStart;
            System.out.printf(Locale.ROOT, "commit sync=%s connections=%d payload=%dB: %,.0f commits/s, %,.0f writes/s"
                            + " (%.1f commits per write), latency p50 %.2f ms p99 %.2f ms p99.9 %.2f ms%n",
                    sync, connections, payloadSize, done.sum() / (double) seconds, syncs / (double) seconds,
                    done.sum() / (double) Math.max(1, syncs), latency.getValueAtPercentile(50) / 1000.0,
                    latency.getValueAtPercentile(99) / 1000.0, latency.getValueAtPercentile(99.9) / 1000.0);
        }
    }

    // ---- populate and recover ---------------------------------------------------------------------

    private static void populate(Path dir, int sessions, int perSession, int retained, int payloadSize, boolean crash)
            throws Exception {
        long start = System.nanoTime();
        RocksDbStore store = RocksDbStore.open(StoreOptions.defaults(dir)
                .withSync(SyncPolicy.every(Duration.ofSeconds(1))));
        store.recover().retained().forEach(Message::release);
        byte[] payload = new byte[payloadSize];
        new java.util.Random(1).nextBytes(payload); // incompressible, as real payloads often are
        List<SessionRecord> records = new ArrayList<>(sessions);
        StoreBatch b = new StoreBatch();
        for (int i = 0; i < sessions; i++) {
            SessionRecord s = new SessionRecord("client-" + i, store.newSessionKey(), MqttVersion.MQTT_5,
                    SessionRecord.NEVER_EXPIRES, System.currentTimeMillis());
            records.add(s);
            b.putSession(s).putSubscription(s.clientId(),
                    SubscriptionRecord.of("devices/" + i + "/#", QoS.AT_LEAST_ONCE));
            if (b.ops().size() >= 2000) {
                store.commit(b).join();
                b = new StoreBatch();
            }
        }
        store.commit(b).join();
        Semaphore inflight = new Semaphore(64);
        long queued = 0;
        for (int round = 0; round < perSession; round++) {
            b = new StoreBatch();
            for (SessionRecord s : records) {
                payload[round % payload.length]++; // each message different
                Message m = message("devices/" + s.clientId() + "/data", payload.clone());
                b.enqueue(m, List.of(new QueueTarget(s.clientId(), s.sessionKey(), round, QoS.AT_LEAST_ONCE, false,
                        List.of())));
                m.release();
                queued++;
                if (b.ops().size() >= 1000) {
                    inflight.acquire();
                    store.commit(b).whenComplete((v, e) -> inflight.release());
                    b = new StoreBatch();
                }
            }
            inflight.acquire();
            store.commit(b).whenComplete((v, e) -> inflight.release());
        }
        b = new StoreBatch();
        for (int i = 0; i < retained; i++) {
            payload[i % payload.length]++;
            Message m = new Message("retained/" + i, Unpooled.wrappedBuffer(payload.clone()), QoS.AT_LEAST_ONCE, true,
                    MqttProperties.EMPTY, "bench");
            b.putRetained(m);
            m.release();
            if (b.ops().size() >= 1000) {
                inflight.acquire();
                store.commit(b).whenComplete((v, e) -> inflight.release());
                b = new StoreBatch();
            }
        }
        inflight.acquire();
        CompletableFuture<Void> last = store.commit(b).whenComplete((v, e) -> inflight.release());
        last.join();
        inflight.acquire(64);
        // Make the last commits durable the way persistence_sync always would.
        store.commit(new StoreBatch().putSession(records.get(0))).join();
        System.out.printf(Locale.ROOT, "populated %,d sessions, %,d queued messages, %,d retained in %.1f s; "
                + "store %,d MiB%n", sessions, queued, retained, (System.nanoTime() - start) / 1e9,
                store.stats().diskBytes() >> 20);
        if (crash) {
            System.out.println("exiting without closing the store, as after kill -9");
            Runtime.getRuntime().halt(0);
        }
        store.close();
        System.out.printf(Locale.ROOT, "closed; store %,d MiB%n", directorySize(dir) >> 20);
    }

    private static void recover(Path dir) throws Exception {
        long start = System.nanoTime();
        org.rocksdb.RocksDB.loadLibrary();
        System.out.printf(Locale.ROOT, "loading RocksDB's native library: %.2f s%n", (System.nanoTime() - start) / 1e9);
        RocksDbStore store = RocksDbStore.open(StoreOptions.defaults(dir));
        long opened = System.nanoTime();
        RecoveredState state = store.recover();
        long done = System.nanoTime();
        long subscriptions = 0;
        for (RecoveredSession s : state.sessions()) {
            subscriptions += s.subscriptions().size();
        }
        // What a reconnecting client's first read costs.
        RecoveredSession first = state.sessions().get(0);
        long readStart = System.nanoTime();
        List<QueueEntry> page = store.readQueue(first.session().sessionKey(), first.queue().firstSeq(), 100).join();
        long readNanos = System.nanoTime() - readStart;
        page.forEach(QueueEntry::release);
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        System.out.printf(Locale.ROOT, "recovered %,d sessions, %,d subscriptions, %,d queued messages, %,d retained:"
                        + " open %.2f s + read %.2f s = %.2f s; first page of 100 queued messages %.1f ms;"
                        + " heap used after GC %,d MiB (retained payloads are off-heap); RSS %,d MiB%n",
                state.sessions().size(), subscriptions, state.queuedMessages(), state.retained().size(),
                (opened - start) / 1e9, (done - opened) / 1e9, (done - start) / 1e9, readNanos / 1e6,
                heap.getUsed() >> 20, rssKiB() >> 10);
        state.retained().forEach(Message::release);
        store.close();
    }

    private static long rssKiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static long directorySize(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
