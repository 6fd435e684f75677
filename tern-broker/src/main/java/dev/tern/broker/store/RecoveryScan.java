package dev.tern.broker.store;

import dev.tern.broker.routing.Message;
import dev.tern.broker.store.StoreOpenException.Problem;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Reads a durable store at start-up: every session with its subscriptions, inbound QoS 2 ids and will;
 * the summary of every queue (the entries stay on disk); every retained message. Records of sessions
 * that no longer exist are collected for removal. A record that does not decode makes the whole store
 * count as damaged.
 */
final class RecoveryScan {
    record Result(List<RecoveredSession> sessions, List<Message> retained, long queuedMessages, long maxSessionKey,
                  StoreBatch cleanup, String timings) {}

    private final RocksHandles h;
    private final Path dir;

    RecoveryScan(RocksHandles h, Path dir) {
        this.h = h;
        this.dir = dir;
    }

    /**
     * Reads everything. Retained messages are read on a second thread while this one reads sessions
     * and queues: start-up time is what a restart costs, and the two scans are independent.
     */
    Result run(long nowMillis, ByteBufAllocator alloc) {
        List<Message> retained = new ArrayList<>();
        StoreBatch retainedCleanup = new StoreBatch();
        long[] retainedNanos = new long[1];
        CompletableFuture<Void> retainedScan = CompletableFuture.runAsync(() -> {
            long t = System.nanoTime();
            try {
                readRetained(nowMillis, alloc, retained, retainedCleanup);
            } catch (RocksDBException e) {
                throw new CompletionException(e);
            }
            retainedNanos[0] = System.nanoTime() - t;
        }, r -> {
            Thread t = new Thread(r, "tern-store-recovery");
            t.setDaemon(true);
            t.start();
        });
        try {
            StoreBatch cleanup = new StoreBatch();
            long t0 = System.nanoTime();
            Map<String, Builder> clients = readSessions(cleanup);
            long t1 = System.nanoTime();
            Map<Long, Builder> byKey = new HashMap<>();
            long maxKey = 0;
            for (Builder b : clients.values()) {
                byKey.put(b.session.sessionKey(), b);
                maxKey = Math.max(maxKey, b.session.sessionKey());
            }
            long queued = readQueues(byKey);
            long t2 = System.nanoTime();
            join(retainedScan);
            for (StoreOp op : retainedCleanup.ops()) {
                if (op instanceof StoreOp.RemoveRetained r) {
                    cleanup.removeRetained(r.topic());
                }
            }
            List<RecoveredSession> sessions = new ArrayList<>(clients.size());
            for (Builder b : clients.values()) {
                sessions.add(b.build());
            }
            String timings = "sessions " + (t1 - t0) / 1_000_000 + " ms, queues " + (t2 - t1) / 1_000_000
                    + " ms, retained " + retainedNanos[0] / 1_000_000 + " ms alongside";
            return new Result(sessions, retained, queued, maxKey, cleanup, timings);
        } catch (CorruptRecordException e) {
            release(retainedScan, retained);
            throw new StoreOpenException(Problem.CORRUPT, dir, "the store in " + dir + " is damaged: "
                    + e.getMessage(), e);
        } catch (RocksDBException e) {
            release(retainedScan, retained);
            throw RocksDbStore.openFailure(dir, e);
        } catch (RuntimeException e) {
            release(retainedScan, retained);
            throw e;
        }
    }

    private static void join(CompletableFuture<Void> f) throws RocksDBException {
        try {
            f.join();
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof CompletionException ce && ce.getCause() != null) {
                c = ce.getCause();
            }
            if (c instanceof RocksDBException r) {
                throw r;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private static void release(CompletableFuture<Void> scan, List<Message> retained) {
        try {
            scan.join();
        } catch (RuntimeException ignored) {
            // the scan's own failure; what it read is released below either way
        }
        retained.forEach(Message::release);
    }

    private static final class Builder {
        @Nullable SessionRecord session;
        final List<SubscriptionRecord> subscriptions = new ArrayList<>();
        final Set<Integer> inbound = new HashSet<>();
        @Nullable WillRecord will;
        QueueSummary queue = QueueSummary.EMPTY;

        RecoveredSession build() {
            return new RecoveredSession(session, subscriptions, inbound, will, queue);
        }
    }

    private Map<String, Builder> readSessions(StoreBatch cleanup) throws RocksDBException {
        Map<String, Builder> all = new HashMap<>();
        try (RocksIterator it = h.db.newIterator(h.sessions)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (key.length < 3 || Keys.clientIdLength(key) + 3 > key.length) {
                    throw new CorruptRecordException("sessions: malformed key of " + key.length + " bytes");
                }
                String clientId = Keys.clientIdOf(key);
                Builder b = all.computeIfAbsent(clientId, k -> new Builder());
                byte[] value = it.value();
                String what = "client " + clientId;
                switch (Keys.typeOf(key)) {
                    case Keys.SESSION -> b.session = RecordCodec.session(clientId, value);
                    case Keys.SUBSCRIPTION -> {
                        String filter = Keys.filterOf(key);
                        b.subscriptions.add(RecordCodec.subscription("subscription '" + filter + "' of " + what,
                                filter, value));
                    }
                    case Keys.INBOUND_QOS2 -> {
                        RecordCodec.inbound("inbound QoS 2 id of " + what, value);
                        b.inbound.add(Keys.packetIdOf(key));
                    }
                    case Keys.WILL -> b.will = RecordCodec.will("will of " + what, value);
                    default -> throw new CorruptRecordException("sessions: record type " + Keys.typeOf(key)
                            + " for " + what);
                }
            }
            it.status();
        }
        var iterator = all.entrySet().iterator();
        while (iterator.hasNext()) {
            var e = iterator.next();
            if (e.getValue().session == null) {
                // Left by a crash between a session's removal and a late change to it: nothing refers to it.
                Builder b = e.getValue();
                b.subscriptions.forEach(s -> cleanup.removeSubscription(e.getKey(), s.filter()));
                b.inbound.forEach(id -> cleanup.removeInboundQos2(e.getKey(), id));
                if (b.will != null) {
                    cleanup.removeWill(e.getKey());
                }
                iterator.remove();
            }
        }
        return all;
    }

    /** Reads each session's queue summary: one point read per session, the entries stay on disk. */
    private long readQueues(Map<Long, Builder> byKey) throws RocksDBException {
        long total = 0;
        List<Builder> sessions = new ArrayList<>(byKey.values());
        try (ReadOptions ro = new ReadOptions()) {
            for (int from = 0; from < sessions.size(); from += 1000) {
                List<Builder> chunk = sessions.subList(from, Math.min(sessions.size(), from + 1000));
                List<byte[]> keys = new ArrayList<>(chunk.size());
                for (Builder b : chunk) {
                    keys.add(Keys.queueSummary(b.session.sessionKey()));
                }
                List<byte[]> values = h.db.multiGetAsList(ro, Collections.nCopies(keys.size(), h.queues), keys);
                for (int i = 0; i < chunk.size(); i++) {
                    byte[] v = values.get(i);
                    if (v != null) {
                        Builder b = chunk.get(i);
                        b.queue = RecordCodec.summary("queue summary of " + b.session.clientId(), v);
                        total += b.queue.entries();
                    }
                }
            }
        }
        return total;
    }

    private void readRetained(long nowMillis, ByteBufAllocator alloc, List<Message> out, StoreBatch cleanup)
            throws RocksDBException {
        try (RocksIterator it = h.db.newIterator(h.retained)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                String topic = Keys.topicOf(it.key());
                Message m = RecordCodec.message("retained message of '" + topic + "'", it.value())
                        .toMessage(nowMillis, alloc);
                if (m == null) {
                    cleanup.removeRetained(topic);
                } else {
                    out.add(m);
                }
            }
            it.status();
        }
    }
}
