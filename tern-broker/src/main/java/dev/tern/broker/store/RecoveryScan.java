package dev.tern.broker.store;

import dev.tern.broker.routing.Message;
import dev.tern.broker.store.StoreOpenException.Problem;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Reads a durable store at start-up: every session with its subscriptions, inbound QoS 2 ids and will;
 * the shape of every queue (counted from keys alone, the values stay on disk); every retained message.
 * Records that belong to no session are collected for removal. A record that does not decode makes the
 * whole store count as damaged.
 */
final class RecoveryScan {
    record Result(List<RecoveredSession> sessions, List<Message> retained, long queuedMessages, long maxSessionKey,
                  StoreBatch cleanup) {}

    private final RocksHandles h;
    private final Path dir;

    RecoveryScan(RocksHandles h, Path dir) {
        this.h = h;
        this.dir = dir;
    }

    Result run(long nowMillis, ByteBufAllocator alloc) {
        List<Message> retained = new ArrayList<>();
        try {
            StoreBatch cleanup = new StoreBatch();
            Map<String, Builder> clients = readSessions(cleanup);
            Map<Long, Builder> byKey = new HashMap<>();
            long maxKey = 0;
            for (Builder b : clients.values()) {
                byKey.put(b.session.sessionKey(), b);
                maxKey = Math.max(maxKey, b.session.sessionKey());
            }
            long queued = readQueues(byKey, cleanup);
            readRetained(nowMillis, alloc, retained, cleanup);
            List<RecoveredSession> sessions = new ArrayList<>(clients.size());
            for (Builder b : clients.values()) {
                sessions.add(b.build());
            }
            return new Result(sessions, retained, queued, maxKey, cleanup);
        } catch (CorruptRecordException e) {
            retained.forEach(Message::release);
            throw new StoreOpenException(Problem.CORRUPT, dir, "the store in " + dir + " is damaged: "
                    + e.getMessage(), e);
        } catch (RocksDBException e) {
            retained.forEach(Message::release);
            throw RocksDbStore.openFailure(dir, e);
        }
    }

    private static final class Builder {
        @Nullable SessionRecord session;
        final List<SubscriptionRecord> subscriptions = new ArrayList<>();
        final Set<Integer> inbound = new HashSet<>();
        @Nullable WillRecord will;
        long entries;
        long firstSeq = -1;
        long lastSeq = -1;

        RecoveredSession build() {
            QueueSummary q = entries == 0 ? new QueueSummary(0, 0, lastSeq + 1)
                    : new QueueSummary(entries, firstSeq, lastSeq + 1);
            return new RecoveredSession(session, subscriptions, inbound, will, q);
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

    private long readQueues(Map<Long, Builder> byKey, StoreBatch cleanup) throws RocksDBException {
        long total = 0;
        try (RocksIterator it = h.db.newIterator(h.queues)) {
            Builder current = null;
            long currentKey = -1;
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (key.length != 16) {
                    throw new CorruptRecordException("queues: malformed key of " + key.length + " bytes");
                }
                long sessionKey = Keys.getLong(key, 0);
                long seq = Keys.getLong(key, 8);
                if (sessionKey != currentKey) {
                    currentKey = sessionKey;
                    current = byKey.get(sessionKey);
                }
                if (current == null) {
                    cleanup.removeEntry(sessionKey, seq);
                    continue;
                }
                if (current.entries++ == 0) {
                    current.firstSeq = seq;
                }
                current.lastSeq = seq;
                total++;
            }
            it.status();
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
