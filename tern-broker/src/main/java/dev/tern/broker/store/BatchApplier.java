package dev.tern.broker.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;

/**
 * Turns {@link StoreOp}s into the writes of one RocksDB write batch. Reads see the batch's own earlier
 * writes through an overlay of the keys written in this group (a reference count changed twice, an
 * entry queued and acknowledged before the group was written), then the database. Writer thread only.
 *
 * <p>A message queued for one session only — the common fan-in case — is kept inside its queue entry:
 * one write to queue it, one to remove it. A message queued for several sessions is stored once with
 * a reference count that only goes down (all targets of a message are queued by one op).
 *
 * <p>Removing an entry needs to know whether it is still there and what it holds (a reference to give
 * back, an expiry record to drop). For the entries written recently inline and without expiry — what
 * a subscriber that keeps up acknowledges — the applier remembers that they exist
 * ({@link #knownInline}, bounded), so that their removal is a delete without a point read first.
 */
final class BatchApplier {
    private static final byte[] EMPTY = {};
    private static final byte[] DELETED = new byte[0];
    private static final long NO_SESSION = -1;

    /** A message op's record, encoded on the committing thread so that the writer only writes. */
    record Prepared(byte[] record, long expiresAtMillis) {}

    private record Key(byte[] bytes, int hash) {
        Key(byte[] bytes) {
            this(bytes, Arrays.hashCode(bytes));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && hash == k.hash && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private record Undo(ColumnFamilyHandle cf, Key key, byte @Nullable [] previous) {}

    /** A queue's summary as this group changes it; {@code removed} once its session is purged. */
    private static final class Summary {
        long entries;
        long firstSeq;
        long nextSeq;
        boolean removed;
        boolean changed;

        Summary copy() {
            Summary c = new Summary();
            c.entries = entries;
            c.firstSeq = firstSeq;
            c.nextSeq = nextSeq;
            c.removed = removed;
            c.changed = changed;
            return c;
        }
    }

    private record SummaryUndo(long sessionKey, @Nullable Summary previous) {}

    private final ReadOptions readOptions = new ReadOptions();
    private final Map<ColumnFamilyHandle, Map<Key, byte[]>> overlay = new IdentityHashMap<>();
    private final List<Undo> undo = new ArrayList<>();
    private int savePoint;
    /** Per group: the summaries of the queues it touches, written once at the end of the group. */
    private final Map<Long, Summary> summaries = new HashMap<>();
    private final List<SummaryUndo> summaryUndo = new ArrayList<>();
    private int summarySavePoint;
    private RocksHandles h;
    private WriteBatch wb;
    private long nextMessageId;
    private long messageIdsStored;
    private long maxSessionKey;
    private long sessionKeysStored;
    private long nowMillis;
    /** Per group: the session key of each client id looked at, NO_SESSION if it has none. */
    private final Map<String, Long> sessionKeys = new HashMap<>();
    /** At most this many entries are remembered in {@link #knownInline}; beyond it the memory starts over. */
    static final int KNOWN_INLINE_MAX = 65_536;
    /**
     * Entries that are in the database (written by a group that was written), inline and without
     * expiry, per session key: their removal needs no read. Changed only when a group is written.
     */
    private final Map<Long, HashSet<Long>> knownInline = new HashMap<>();
    private int knownInlineCount;
    /** This group's changes to {@link #knownInline}, applied by {@link #committed()}. */
    private final List<Known> knownChanges = new ArrayList<>();
    private int knownSavePoint;
    /** Removals that found their entry in {@link #knownInline}; for tests. */
    private long removalsWithoutRead;

    /** A change to {@link #knownInline}: an entry added or removed, or a whole queue purged (seq -1). */
    private record Known(long sessionKey, long seq, boolean added) {}

    BatchApplier(long nextMessageId, long maxSessionKey) {
        this.nextMessageId = nextMessageId;
        this.messageIdsStored = nextMessageId;
        this.maxSessionKey = maxSessionKey;
        this.sessionKeysStored = maxSessionKey;
    }

    /** Starts a group on a fresh write batch of the database as it is open now. */
    void begin(RocksHandles handles, WriteBatch batch, long now) {
        this.h = handles;
        this.wb = batch;
        this.nowMillis = now;
        sessionKeys.clear();
        overlay.clear();
        undo.clear();
        summaries.clear();
        summaryUndo.clear();
        knownChanges.clear();
    }

    /** Marks where a rollback of the next commit's ops returns to. */
    void savePoint() throws RocksDBException {
        wb.setSavePoint();
        savePoint = undo.size();
        summarySavePoint = summaryUndo.size();
        knownSavePoint = knownChanges.size();
    }

    /** Undoes the ops applied since {@link #savePoint()}. */
    void rollback() throws RocksDBException {
        wb.rollbackToSavePoint();
        for (int i = undo.size() - 1; i >= savePoint; i--) {
            Undo u = undo.remove(i);
            Map<Key, byte[]> m = overlay.get(u.cf());
            if (u.previous() == null) {
                m.remove(u.key());
            } else {
                m.put(u.key(), u.previous());
            }
        }
        for (int i = summaryUndo.size() - 1; i >= summarySavePoint; i--) {
            SummaryUndo u = summaryUndo.remove(i);
            if (u.previous() == null) {
                summaries.remove(u.sessionKey());
            } else {
                summaries.put(u.sessionKey(), u.previous());
            }
        }
        sessionKeys.clear();
        knownChanges.subList(knownSavePoint, knownChanges.size()).clear();
    }

    /**
     * Adds the queue summaries the group changed, and the id high-water marks if they moved (so that
     * no id is ever handed out twice).
     */
    void finish() throws RocksDBException {
        for (Map.Entry<Long, Summary> e : summaries.entrySet()) {
            Summary q = e.getValue();
            if (q.removed) {
                wb.delete(h.queues, Keys.queueSummary(e.getKey()));
            } else if (q.changed) {
                wb.put(h.queues, Keys.queueSummary(e.getKey()), RecordCodec.summary(q.entries, q.firstSeq, q.nextSeq));
            }
        }
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
        for (Known k : knownChanges) {
            if (k.seq < 0) {
                HashSet<Long> gone = knownInline.remove(k.sessionKey);
                knownInlineCount -= gone == null ? 0 : gone.size();
            } else if (k.added) {
                if (knownInlineCount >= KNOWN_INLINE_MAX) {
                    forgetKnown(); // a queue that grows without being acknowledged: removals read again
                }
                if (knownInline.computeIfAbsent(k.sessionKey, x -> new HashSet<>()).add(k.seq)) {
                    knownInlineCount++;
                }
            } else {
                HashSet<Long> seqs = knownInline.get(k.sessionKey);
                if (seqs != null && seqs.remove(k.seq)) {
                    knownInlineCount--;
                    if (seqs.isEmpty()) {
                        knownInline.remove(k.sessionKey);
                    }
                }
            }
        }
        knownChanges.clear();
    }

    /** Forgets which entries exist (after a failed write, nothing is assumed about the database). */
    void forgetKnown() {
        knownInline.clear();
        knownInlineCount = 0;
    }

    long removalsWithoutRead() {
        return removalsWithoutRead;
    }

    private boolean knownInline(long sessionKey, long seq) {
        HashSet<Long> seqs = knownInline.get(sessionKey);
        return seqs != null && seqs.contains(seq);
    }

    /**
     * Applies one commit's ops.
     *
     * @param prepared for each op, its encoded message ({@link StoreOp.Enqueue}, {@link StoreOp.PutRetained})
     *                 or null
     */
    void apply(List<StoreOp> ops, @Nullable Prepared[] prepared) throws RocksDBException {
        for (int i = 0; i < ops.size(); i++) {
            apply(ops.get(i), prepared[i]);
        }
    }

    private void apply(StoreOp op, @Nullable Prepared p) throws RocksDBException {
        switch (op) {
            case StoreOp.PutSession s -> putSession(s.session());
            case StoreOp.RemoveSession r -> removeSession(r.clientId());
            case StoreOp.PutSubscription s -> {
                if (hasSession(s.clientId())) {
                    put(h.sessions, Keys.subscription(s.clientId(), s.subscription().filter()),
                            RecordCodec.subscription(s.subscription()));
                }
            }
            case StoreOp.RemoveSubscription r -> delete(h.sessions, Keys.subscription(r.clientId(), r.filter()));
            case StoreOp.AddInboundQos2 a -> {
                if (hasSession(a.clientId())) {
                    put(h.sessions, Keys.inboundQos2(a.clientId(), a.packetId()), RecordCodec.INBOUND_VALUE);
                }
            }
            case StoreOp.RemoveInboundQos2 r -> delete(h.sessions, Keys.inboundQos2(r.clientId(), r.packetId()));
            case StoreOp.PutWill w -> {
                if (hasSession(w.clientId())) {
                    put(h.sessions, Keys.will(w.clientId()), RecordCodec.will(w.will()));
                }
            }
            case StoreOp.RemoveWill r -> delete(h.sessions, Keys.will(r.clientId()));
            case StoreOp.PutRetained r -> putRetained(r.message().topic(), prepared(p));
            case StoreOp.RemoveRetained r -> removeRetained(r.topic());
            case StoreOp.Enqueue e -> enqueue(e.targets(), prepared(p));
            case StoreOp.ReleaseEntry r -> releaseEntry(r.sessionKey(), r.seq());
            case StoreOp.RemoveEntry r -> removeEntry(r.sessionKey(), r.seq());
        }
    }

    private static Prepared prepared(@Nullable Prepared p) {
        if (p == null) {
            throw new IllegalStateException("message op without its encoded message");
        }
        return p;
    }

    // ---- sessions ----------------------------------------------------------------------------

    private void putSession(SessionRecord s) throws RocksDBException {
        long old = sessionKey(s.clientId());
        if (old != NO_SESSION && old != s.sessionKey()) {
            purgeClient(s.clientId());
            purgeQueue(old);
        }
        put(h.sessions, Keys.session(s.clientId()), RecordCodec.session(s));
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
        for (byte[][] kv : withPrefix(h.sessions, Keys.clientPrefix(clientId))) {
            delete(h.sessions, kv[0]);
        }
    }

    /** Deletes a session incarnation's queue entries, giving back their message references. */
    private void purgeQueue(long sessionKey) throws RocksDBException {
        for (byte[][] kv : withPrefix(h.queues, Keys.u64(sessionKey))) {
            if (Keys.getLong(kv[0], 8) != Keys.SUMMARY_SEQ) {
                dropEntry(kv[0], RecordCodec.entry(entryName(kv[0]), kv[1]));
            }
        }
        summary(sessionKey).removed = true;
        knownChanges.add(new Known(sessionKey, -1, false));
    }

    /** The keys and values starting with {@code prefix}, from the database and this group's writes. */
    private List<byte[][]> withPrefix(ColumnFamilyHandle cf, byte[] prefix) throws RocksDBException {
        TreeMap<byte[], byte[]> found = new TreeMap<>(Arrays::compareUnsigned);
        try (Slice upper = new Slice(Keys.prefixEnd(prefix));
             ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
             RocksIterator it = h.db.newIterator(cf, ro)) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                found.put(it.key(), it.value());
            }
            it.status();
        }
        Map<Key, byte[]> written = overlay.get(cf);
        if (written != null) {
            for (Map.Entry<Key, byte[]> e : written.entrySet()) {
                byte[] k = e.getKey().bytes();
                if (startsWith(k, prefix)) {
                    if (e.getValue() == DELETED) {
                        found.remove(k);
                    } else {
                        found.put(k, e.getValue());
                    }
                }
            }
        }
        List<byte[][]> out = new ArrayList<>(found.size());
        found.forEach((k, v) -> out.add(new byte[][] {k, v}));
        return out;
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    // ---- retained ----------------------------------------------------------------------------

    private void putRetained(String topic, Prepared p) throws RocksDBException {
        byte[] key = Keys.retained(topic);
        dropRetainedExpiry(topic, key);
        put(h.retained, key, p.record());
        if (p.expiresAtMillis() != Long.MAX_VALUE) {
            put(h.expiry, Keys.retainedExpiry(p.expiresAtMillis(), topic), EMPTY);
        }
    }

    private void removeRetained(String topic) throws RocksDBException {
        byte[] key = Keys.retained(topic);
        dropRetainedExpiry(topic, key);
        delete(h.retained, key);
    }

    private void dropRetainedExpiry(String topic, byte[] key) throws RocksDBException {
        byte[] old = get(h.retained, key);
        if (old != null) {
            long expiresAt = RecordCodec.message("retained message of '" + topic + "'", old).expiresAtMillis();
            if (expiresAt != Long.MAX_VALUE) {
                delete(h.expiry, Keys.retainedExpiry(expiresAt, topic));
            }
        }
    }

    // ---- queues ------------------------------------------------------------------------------

    /** Early hand-overs whose entry was written, and those whose PUBACK came first; for the writer's log. */
    long earlyWritten;
    long earlyElided;

    private void enqueue(List<QueueTarget> targets, Prepared p) throws RocksDBException {
        List<QueueTarget> live = new ArrayList<>(targets.size());
        for (QueueTarget t : targets) {
            if (sessionKey(t.clientId()) != t.sessionKey()) {
                continue;
            }
            if (t.toBeWritten()) {
                live.add(t);
                earlyWritten += t.early() == null ? 0 : 1;
            } else {
                earlyElided++;
            }
        }
        if (live.isEmpty()) {
            return;
        }
        long expiresAt = p.expiresAtMillis();
        if (live.size() == 1) {
            QueueTarget t = live.get(0);
            put(h.queues, Keys.queueEntry(t.sessionKey(), t.seq()), RecordCodec.entry(false, t.qos(), t.retain(), 0,
                    t.subscriptionIdentifiers(), expiresAt, p.record()));
            added(t.sessionKey(), t.seq());
            if (expiresAt != Long.MAX_VALUE) {
                put(h.expiry, Keys.entryExpiry(expiresAt, t.sessionKey(), t.seq()), EMPTY);
            } else {
                knownChanges.add(new Known(t.sessionKey(), t.seq(), true));
            }
            return;
        }
        long id = nextMessageId++;
        byte[] idKey = Keys.u64(id);
        put(h.messages, idKey, p.record());
        put(h.refs, idKey, RecordCodec.refs(live.size(), expiresAt));
        if (expiresAt != Long.MAX_VALUE) {
            put(h.expiry, Keys.messageExpiry(expiresAt, id), EMPTY);
        }
        for (QueueTarget t : live) {
            put(h.queues, Keys.queueEntry(t.sessionKey(), t.seq()), RecordCodec.entry(false, t.qos(), t.retain(), id,
                    t.subscriptionIdentifiers(), Long.MAX_VALUE, null));
            added(t.sessionKey(), t.seq());
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
        giveBackMessage(key, e);
        put(h.queues, key, RecordCodec.released(e));
    }

    private void removeEntry(long sessionKey, long seq) throws RocksDBException {
        byte[] key = Keys.queueEntry(sessionKey, seq);
        if (!written(h.queues, key) && knownInline(sessionKey, seq)) {
            // In the database, inline, no expiry (released or not): nothing to give back.
            removalsWithoutRead++;
            delete(h.queues, key);
            removed(sessionKey, seq);
            knownChanges.add(new Known(sessionKey, seq, false));
            return;
        }
        byte[] v = get(h.queues, key);
        if (v != null) {
            dropEntry(key, RecordCodec.entry(entryName(key), v));
            removed(sessionKey, seq);
            knownChanges.add(new Known(sessionKey, seq, false));
        }
    }

    /** Whether this group wrote or deleted the key (then {@link #get} answers from the overlay). */
    private boolean written(ColumnFamilyHandle cf, byte[] key) {
        Map<Key, byte[]> written = overlay.get(cf);
        return written != null && written.containsKey(new Key(key));
    }

    private void dropEntry(byte[] key, RecordCodec.Entry e) throws RocksDBException {
        if (!e.released()) {
            giveBackMessage(key, e);
        }
        delete(h.queues, key);
    }

    /** The entry no longer needs its message: drop its expiry record or its reference. */
    private void giveBackMessage(byte[] entryKey, RecordCodec.Entry e) throws RocksDBException {
        if (e.inlineMessage() != null) {
            if (e.inlineExpiresAt() != Long.MAX_VALUE) {
                delete(h.expiry, Keys.entryExpiry(e.inlineExpiresAt(), Keys.getLong(entryKey, 0),
                        Keys.getLong(entryKey, 8)));
            }
        } else if (e.messageId() != 0) {
            unref(e.messageId());
        }
    }

    /** Gives back one reference to a shared message; the last one deletes it. */
    private void unref(long messageId) throws RocksDBException {
        byte[] idKey = Keys.u64(messageId);
        byte[] v = get(h.refs, idKey);
        if (v == null) {
            return; // removed when it expired; the entry pointed at nothing
        }
        RecordCodec.Refs refs = RecordCodec.refs("reference count of message " + messageId, v);
        if (refs.count() <= 1) {
            delete(h.refs, idKey);
            delete(h.messages, idKey);
            if (refs.expiresAt() != Long.MAX_VALUE) {
                delete(h.expiry, Keys.messageExpiry(refs.expiresAt(), messageId));
            }
        } else {
            put(h.refs, idKey, RecordCodec.refs(refs.count() - 1, refs.expiresAt()));
        }
    }

    /** The summary of a session's queue, for changing: read once per group, written in finish(). */
    private Summary summary(long sessionKey) throws RocksDBException {
        Summary q = summaries.get(sessionKey);
        summaryUndo.add(new SummaryUndo(sessionKey, q == null ? null : q.copy()));
        if (q == null) {
            q = new Summary();
            byte[] v = h.db.get(h.queues, readOptions, Keys.queueSummary(sessionKey));
            if (v != null) {
                QueueSummary stored = RecordCodec.summary("queue summary of session " + sessionKey, v);
                q.entries = stored.entries();
                q.firstSeq = stored.firstSeq();
                q.nextSeq = stored.nextSeq();
            }
            summaries.put(sessionKey, q);
        }
        q.changed = true;
        return q;
    }

    private void added(long sessionKey, long seq) throws RocksDBException {
        Summary q = summary(sessionKey);
        if (q.removed) {
            q.removed = false;
            q.entries = 0;
            q.firstSeq = seq;
            q.nextSeq = 0;
        }
        if (q.entries++ == 0 || seq < q.firstSeq) {
            q.firstSeq = seq;
        }
        q.nextSeq = Math.max(q.nextSeq, seq + 1);
    }

    private void removed(long sessionKey, long seq) throws RocksDBException {
        Summary q = summary(sessionKey);
        q.entries = Math.max(0, q.entries - 1);
        if (seq == q.firstSeq) {
            q.firstSeq = seq + 1;
        }
    }

    // ---- expiry ------------------------------------------------------------------------------

    /**
     * Removes up to {@code limit} messages whose expiry time has passed: shared messages (their entries
     * then point at nothing and are removed when read), messages inside entries (with the entry), and
     * retained messages.
     *
     * @return how many expiry records were handled
     */
    int sweep(int limit) throws RocksDBException {
        List<byte[]> due = new ArrayList<>();
        try (Slice bound = new Slice(Keys.u64(nowMillis + 1));
             ReadOptions ro = new ReadOptions().setIterateUpperBound(bound);
             RocksIterator it = h.db.newIterator(h.expiry, ro)) {
            for (it.seekToFirst(); it.isValid() && due.size() < limit; it.next()) {
                due.add(it.key());
            }
            it.status();
        }
        for (byte[] key : due) {
            long expiresAt = Keys.getLong(key, 0);
            switch (key[8]) {
                case Keys.EXPIRY_MESSAGE -> {
                    byte[] idKey = Arrays.copyOfRange(key, 9, 17);
                    delete(h.messages, idKey);
                    delete(h.refs, idKey);
                }
                case Keys.EXPIRY_ENTRY -> {
                    byte[] entryKey = Arrays.copyOfRange(key, 9, 25);
                    byte[] v = get(h.queues, entryKey);
                    if (v != null && RecordCodec.entry(entryName(entryKey), v).inlineMessage() != null) {
                        delete(h.queues, entryKey);
                        removed(Keys.getLong(entryKey, 0), Keys.getLong(entryKey, 8));
                    }
                }
                case Keys.EXPIRY_RETAINED -> {
                    String topic = Keys.topicOf(Arrays.copyOfRange(key, 9, key.length));
                    byte[] rk = Keys.retained(topic);
                    byte[] v = get(h.retained, rk);
                    if (v != null && RecordCodec.message("retained message of '" + topic + "'", v)
                            .expiresAtMillis() == expiresAt) {
                        delete(h.retained, rk);
                    }
                }
                default -> throw new CorruptRecordException("expiry record of unknown kind " + key[8]);
            }
            delete(h.expiry, key);
        }
        return due.size();
    }

    // ---- reads and writes through the overlay ------------------------------------------------

    private byte @Nullable [] get(ColumnFamilyHandle cf, byte[] key) throws RocksDBException {
        Map<Key, byte[]> written = overlay.get(cf);
        if (written != null) {
            byte[] v = written.get(new Key(key));
            if (v != null) {
                return v == DELETED ? null : v;
            }
        }
        return h.db.get(cf, readOptions, key);
    }

    private void put(ColumnFamilyHandle cf, byte[] key, byte[] value) throws RocksDBException {
        wb.put(cf, key, value);
        remember(cf, key, value);
    }

    private void delete(ColumnFamilyHandle cf, byte[] key) throws RocksDBException {
        wb.delete(cf, key);
        remember(cf, key, DELETED);
    }

    private void remember(ColumnFamilyHandle cf, byte[] key, byte[] value) {
        Key k = new Key(key);
        byte[] previous = overlay.computeIfAbsent(cf, c -> new HashMap<>()).put(k, value);
        undo.add(new Undo(cf, k, previous));
    }

    static String entryName(byte[] queueKey) {
        return "queue entry " + Keys.getLong(queueKey, 8) + " of session " + Keys.getLong(queueKey, 0);
    }

    void close() {
        readOptions.close();
    }
}
