package dev.tern.broker.store;

import dev.tern.broker.routing.Message;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatchWithIndex;

/**
 * Turns {@link StoreOp}s into RocksDB writes on one write batch. Reads go through the batch, so that
 * one op sees what earlier ops of the same group wrote (a reference count changed twice in one group,
 * a session replaced and then queued for). Writer thread only.
 */
final class BatchApplier {
    private static final byte[] EMPTY = {};
    private static final long NO_SESSION = -1;

    private final ReadOptions readOptions = new ReadOptions();
    private RocksHandles h;
    private WriteBatchWithIndex wb;
    private long nextMessageId;
    private long messageIdsStored;
    private long maxSessionKey;
    private long sessionKeysStored;
    private long nowMillis;
    /** Per group: the session key of each client id looked at, NO_SESSION if it has none. */
    private final Map<String, Long> sessionKeys = new HashMap<>();

    BatchApplier(long nextMessageId, long maxSessionKey) {
        this.nextMessageId = nextMessageId;
        this.messageIdsStored = nextMessageId;
        this.maxSessionKey = maxSessionKey;
        this.sessionKeysStored = maxSessionKey;
    }

    /** Starts a group on a fresh write batch of the database as it is open now. */
    void begin(RocksHandles handles, WriteBatchWithIndex batch, long now) {
        this.h = handles;
        this.wb = batch;
        this.nowMillis = now;
        sessionKeys.clear();
    }

    /** Forgets what the group cached, after a rollback to a save point. */
    void rolledBack() {
        sessionKeys.clear();
    }

    /** Adds the id high-water marks to the group if they moved, so that no id is ever handed out twice. */
    void finish() throws RocksDBException {
        if (nextMessageId != messageIdsStored) {
            wb.put(h.meta, Keys.META_NEXT_MESSAGE_ID, Keys.u64(nextMessageId));
        }
        if (maxSessionKey != sessionKeysStored) {
            wb.put(h.meta, Keys.META_NEXT_SESSION_KEY, Keys.u64(maxSessionKey + 1));
        }
    }

    /** The group was written: its high-water marks are on disk now. */
    void committed() {
        messageIdsStored = nextMessageId;
        sessionKeysStored = maxSessionKey;
    }

    void apply(List<StoreOp> ops) throws RocksDBException {
        for (StoreOp op : ops) {
            apply(op);
        }
    }

    private void apply(StoreOp op) throws RocksDBException {
        switch (op) {
            case StoreOp.PutSession p -> putSession(p.session());
            case StoreOp.RemoveSession r -> removeSession(r.clientId());
            case StoreOp.PutSubscription p -> {
                if (hasSession(p.clientId())) {
                    wb.put(h.sessions, Keys.subscription(p.clientId(), p.subscription().filter()),
                            RecordCodec.subscription(p.subscription()));
                }
            }
            case StoreOp.RemoveSubscription r -> wb.delete(h.sessions, Keys.subscription(r.clientId(), r.filter()));
            case StoreOp.AddInboundQos2 a -> {
                if (hasSession(a.clientId())) {
                    wb.put(h.sessions, Keys.inboundQos2(a.clientId(), a.packetId()), RecordCodec.INBOUND_VALUE);
                }
            }
            case StoreOp.RemoveInboundQos2 r -> wb.delete(h.sessions, Keys.inboundQos2(r.clientId(), r.packetId()));
            case StoreOp.PutWill p -> {
                if (hasSession(p.clientId())) {
                    wb.put(h.sessions, Keys.will(p.clientId()), RecordCodec.will(p.will()));
                }
            }
            case StoreOp.RemoveWill r -> wb.delete(h.sessions, Keys.will(r.clientId()));
            case StoreOp.PutRetained p -> putRetained(p.message());
            case StoreOp.RemoveRetained r -> removeRetained(r.topic());
            case StoreOp.Enqueue e -> enqueue(e.message(), e.targets());
            case StoreOp.ReleaseEntry r -> releaseEntry(r.sessionKey(), r.seq());
            case StoreOp.RemoveEntry r -> removeEntry(r.sessionKey(), r.seq());
        }
    }

    // ---- sessions ----------------------------------------------------------------------------

    private void putSession(SessionRecord s) throws RocksDBException {
        long old = sessionKey(s.clientId());
        if (old != NO_SESSION && old != s.sessionKey()) {
            purgeClient(s.clientId());
            purgeQueue(old);
        }
        wb.put(h.sessions, Keys.session(s.clientId()), RecordCodec.session(s));
        sessionKeys.put(s.clientId(), s.sessionKey());
        maxSessionKey = Math.max(maxSessionKey, s.sessionKey());
    }

    private void removeSession(String clientId) throws RocksDBException {
        long old = sessionKey(clientId);
        if (old == NO_SESSION) {
            return;
        }
        purgeClient(clientId);
        purgeQueue(old);
        sessionKeys.put(clientId, NO_SESSION);
    }

    private boolean hasSession(String clientId) throws RocksDBException {
        return sessionKey(clientId) != NO_SESSION;
    }

    private long sessionKey(String clientId) throws RocksDBException {
        Long cached = sessionKeys.get(clientId);
        if (cached != null) {
            return cached;
        }
        byte[] v = get(h.sessions, Keys.session(clientId));
        long key = v == null ? NO_SESSION : RecordCodec.session(clientId, v).sessionKey();
        sessionKeys.put(clientId, key);
        return key;
    }

    /** Deletes every sessions-family key of a client: record, subscriptions, inbound ids, will. */
    private void purgeClient(String clientId) throws RocksDBException {
        byte[] prefix = Keys.clientPrefix(clientId);
        forEachWithPrefix(h.sessions, prefix, (key, value) -> wb.delete(h.sessions, key));
    }

    /** Deletes a session incarnation's queue entries, giving back their message references. */
    private void purgeQueue(long sessionKey) throws RocksDBException {
        byte[] prefix = Keys.u64(sessionKey);
        forEachWithPrefix(h.queues, prefix, (key, value) -> {
            RecordCodec.Entry e = RecordCodec.entry(entryName(key), value);
            if (!e.released()) {
                unref(e.messageId());
            }
            wb.delete(h.queues, key);
        });
    }

    private interface KeyValueAction {
        void accept(byte[] key, byte[] value) throws RocksDBException;
    }

    private void forEachWithPrefix(ColumnFamilyHandle cf, byte[] prefix, KeyValueAction action)
            throws RocksDBException {
        byte[] end = Keys.prefixEnd(prefix);
        try (Slice upper = new Slice(end);
             ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
             RocksIterator base = h.db.newIterator(cf, ro);
             RocksIterator it = wb.newIteratorWithBase(cf, base)) {
            // Collect first: deleting through the batch while iterating it is not allowed.
            ArrayList<byte[][]> found = new ArrayList<>();
            for (it.seek(prefix); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (!startsWith(key, prefix)) {
                    break;
                }
                found.add(new byte[][] {key, it.value()});
            }
            it.status();
            for (byte[][] kv : found) {
                action.accept(kv[0], kv[1]);
            }
        }
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    // ---- retained ----------------------------------------------------------------------------

    private void putRetained(Message m) throws RocksDBException {
        byte[] key = Keys.retained(m.topic());
        dropRetainedExpiry(m.topic(), key);
        long received = receivedAtMillis(m);
        wb.put(h.retained, key, RecordCodec.message(m, received));
        long expiresAt = RecordCodec.expiresAt(received, m.properties());
        if (expiresAt != Long.MAX_VALUE) {
            wb.put(h.expiry, Keys.retainedExpiry(expiresAt, m.topic()), EMPTY);
        }
    }

    private void removeRetained(String topic) throws RocksDBException {
        byte[] key = Keys.retained(topic);
        dropRetainedExpiry(topic, key);
        wb.delete(h.retained, key);
    }

    private void dropRetainedExpiry(String topic, byte[] key) throws RocksDBException {
        byte[] old = get(h.retained, key);
        if (old != null) {
            long expiresAt = RecordCodec.message("retained message of '" + topic + "'", old).expiresAtMillis();
            if (expiresAt != Long.MAX_VALUE) {
                wb.delete(h.expiry, Keys.retainedExpiry(expiresAt, topic));
            }
        }
    }

    // ---- queues ------------------------------------------------------------------------------

    private void enqueue(Message m, List<QueueTarget> targets) throws RocksDBException {
        int live = 0;
        for (QueueTarget t : targets) {
            if (sessionKey(t.clientId()) == t.sessionKey()) {
                live++;
            }
        }
        if (live == 0) {
            return;
        }
        long id = nextMessageId++;
        byte[] idKey = Keys.u64(id);
        long received = receivedAtMillis(m);
        wb.put(h.messages, idKey, RecordCodec.message(m, received));
        wb.put(h.refs, idKey, RecordCodec.refs(live));
        long expiresAt = RecordCodec.expiresAt(received, m.properties());
        if (expiresAt != Long.MAX_VALUE) {
            wb.put(h.expiry, Keys.messageExpiry(expiresAt, id), EMPTY);
        }
        for (QueueTarget t : targets) {
            if (sessionKey(t.clientId()) == t.sessionKey()) {
                wb.put(h.queues, Keys.queueEntry(t.sessionKey(), t.seq()),
                        RecordCodec.entry(false, t.qos(), t.retain(), id, t.subscriptionIdentifiers()));
            }
        }
    }

    private void releaseEntry(long sessionKey, long seq) throws RocksDBException {
        byte[] key = Keys.queueEntry(sessionKey, seq);
        byte[] v = get(h.queues, key);
        if (v == null) {
            return;
        }
        RecordCodec.Entry e = RecordCodec.entry(entryName(key), v);
        if (e.released()) {
            return;
        }
        unref(e.messageId());
        wb.put(h.queues, key, RecordCodec.released(e));
    }

    private void removeEntry(long sessionKey, long seq) throws RocksDBException {
        byte[] key = Keys.queueEntry(sessionKey, seq);
        byte[] v = get(h.queues, key);
        if (v == null) {
            return;
        }
        RecordCodec.Entry e = RecordCodec.entry(entryName(key), v);
        if (!e.released()) {
            unref(e.messageId());
        }
        wb.delete(h.queues, key);
    }

    /** Gives back one reference to a stored message; the last one deletes it. */
    private void unref(long messageId) throws RocksDBException {
        byte[] idKey = Keys.u64(messageId);
        byte[] v = get(h.refs, idKey);
        if (v == null) {
            return; // removed when it expired; the entry pointed at nothing
        }
        long n = RecordCodec.refs("reference count of message " + messageId, v) - 1;
        if (n <= 0) {
            wb.delete(h.refs, idKey);
            wb.delete(h.messages, idKey);
        } else {
            wb.put(h.refs, idKey, RecordCodec.refs(n));
        }
    }

    // ---- expiry ------------------------------------------------------------------------------

    /**
     * Removes up to {@code limit} messages and retained messages whose expiry time has passed.
     *
     * @return how many index entries were handled
     */
    int sweep(int limit) throws RocksDBException {
        byte[] upper = Keys.u64(nowMillis + 1);
        int n = 0;
        ArrayList<byte[]> due = new ArrayList<>();
        try (Slice bound = new Slice(upper);
             ReadOptions ro = new ReadOptions().setIterateUpperBound(bound);
             RocksIterator it = h.db.newIterator(h.expiry, ro)) {
            for (it.seekToFirst(); it.isValid() && due.size() < limit; it.next()) {
                due.add(it.key());
            }
            it.status();
        }
        for (byte[] key : due) {
            long expiresAt = Keys.getLong(key, 0);
            if (key[8] == Keys.EXPIRY_MESSAGE) {
                byte[] idKey = Arrays.copyOfRange(key, 9, 17);
                wb.delete(h.messages, idKey);
                wb.delete(h.refs, idKey);
            } else {
                String topic = Keys.topicOf(Arrays.copyOfRange(key, 9, key.length));
                byte[] rk = Keys.retained(topic);
                byte[] v = get(h.retained, rk);
                if (v != null && RecordCodec.message("retained message of '" + topic + "'", v).expiresAtMillis()
                        == expiresAt) {
                    wb.delete(h.retained, rk);
                }
            }
            wb.delete(h.expiry, key);
            n++;
        }
        return n;
    }

    // ---- helpers -----------------------------------------------------------------------------

    private byte[] get(ColumnFamilyHandle cf, byte[] key) throws RocksDBException {
        return wb.getFromBatchAndDB(h.db, cf, readOptions, key);
    }

    static String entryName(byte[] queueKey) {
        return "queue entry " + Keys.getLong(queueKey, 8) + " of session " + Keys.getLong(queueKey, 0);
    }

    /** The wall-clock time a message was received, from its monotonic receive time. */
    private long receivedAtMillis(Message m) {
        long ageMillis = Math.max(0, (System.nanoTime() - m.receivedAtNanos()) / 1_000_000);
        return nowMillis - ageMillis;
    }

    void close() {
        readOptions.close();
    }
}
