package dev.tern.broker.store;

import dev.tern.broker.routing.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Store} in the heap: the reference implementation of the SPI's semantics, and the store of
 * {@code persistence false}. Nothing survives the process; {@link #recover()} returns what this
 * instance holds. Queued messages are kept as shared references, so a message queued for many
 * sessions exists once. Commits complete before {@link #commit} returns.
 */
public final class InMemoryStore implements Store {
    private final Object lock = new Object();
    private final AtomicLong sessionKeys = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();

    // Guarded by lock.
    private final Map<String, SessionRecord> sessions = new LinkedHashMap<>();
    private final Map<String, Map<String, SubscriptionRecord>> subscriptions = new HashMap<>();
    private final Map<String, Set<Integer>> inbound = new HashMap<>();
    private final Map<String, WillRecord> wills = new HashMap<>();
    private final Map<Long, TreeMap<Long, Entry>> queues = new HashMap<>();
    private final Map<String, Message> retained = new LinkedHashMap<>();
    private boolean closed;

    private record Entry(QueueTarget target, boolean released, @Nullable Message message) {}

    @Override
    public RecoveredState recover() {
        long start = System.nanoTime();
        synchronized (lock) {
            List<RecoveredSession> out = new ArrayList<>();
            long queued = 0;
            for (SessionRecord s : sessions.values()) {
                TreeMap<Long, Entry> q = queues.get(s.sessionKey());
                QueueSummary summary = q == null || q.isEmpty() ? QueueSummary.EMPTY
                        : new QueueSummary(q.size(), q.firstKey(), q.lastKey() + 1);
                queued += summary.entries();
                out.add(new RecoveredSession(s,
                        List.copyOf(subscriptions.getOrDefault(s.clientId(), Map.of()).values()),
                        inbound.getOrDefault(s.clientId(), Set.of()), wills.get(s.clientId()), summary));
            }
            List<Message> ret = new ArrayList<>();
            for (Message m : retained.values()) {
                ret.add(m.retainRef());
            }
            return new RecoveredState(out, ret, queued, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    @Override
    public long newSessionKey() {
        return sessionKeys.incrementAndGet();
    }

    @Override
    public CompletableFuture<Void> commit(StoreBatch batch) {
        try {
            synchronized (lock) {
                if (closed) {
                    return CompletableFuture.failedFuture(new StoreException("store is closed"));
                }
                for (StoreOp op : batch.ops()) {
                    apply(op);
                }
                commits.incrementAndGet();
            }
            return CompletableFuture.completedFuture(null);
        } finally {
            batch.releaseMessages();
        }
    }

    private void apply(StoreOp op) {
        switch (op) {
            case StoreOp.PutSession p -> {
                SessionRecord old = sessions.get(p.session().clientId());
                if (old != null && old.sessionKey() != p.session().sessionKey()) {
                    purge(old);
                }
                sessions.put(p.session().clientId(), p.session());
            }
            case StoreOp.RemoveSession r -> {
                SessionRecord old = sessions.remove(r.clientId());
                if (old != null) {
                    purge(old);
                }
            }
            case StoreOp.PutSubscription p -> subscriptions.computeIfAbsent(p.clientId(), k -> new HashMap<>())
                    .put(p.subscription().filter(), p.subscription());
            case StoreOp.RemoveSubscription r -> {
                Map<String, SubscriptionRecord> subs = subscriptions.get(r.clientId());
                if (subs != null) {
                    subs.remove(r.filter());
                }
            }
            case StoreOp.AddInboundQos2 a -> inbound.computeIfAbsent(a.clientId(), k -> new HashSet<>()).add(a.packetId());
            case StoreOp.RemoveInboundQos2 r -> {
                Set<Integer> ids = inbound.get(r.clientId());
                if (ids != null) {
                    ids.remove(r.packetId());
                }
            }
            case StoreOp.PutWill p -> wills.put(p.clientId(), p.will());
            case StoreOp.RemoveWill r -> wills.remove(r.clientId());
            case StoreOp.PutRetained p -> {
                Message previous = retained.put(p.message().topic(), p.message().retainRef());
                if (previous != null) {
                    previous.release();
                }
            }
            case StoreOp.RemoveRetained r -> {
                Message previous = retained.remove(r.topic());
                if (previous != null) {
                    previous.release();
                }
            }
            case StoreOp.Enqueue e -> {
                for (QueueTarget t : e.targets()) {
                    SessionRecord s = sessions.get(t.clientId());
                    if (s == null || s.sessionKey() != t.sessionKey()) {
                        continue; // the session was discarded or replaced meanwhile
                    }
                    if (!t.toBeWritten()) {
                        continue; // its PUBACK came first (early hand-over)
                    }
                    Entry previous = queues.computeIfAbsent(t.sessionKey(), k -> new TreeMap<>())
                            .put(t.seq(), new Entry(t, false, e.message().retainRef()));
                    release(previous);
                }
            }
            case StoreOp.ReleaseEntry r -> {
                TreeMap<Long, Entry> q = queues.get(r.sessionKey());
                Entry e = q == null ? null : q.get(r.seq());
                if (e != null && !e.released()) {
                    q.put(r.seq(), new Entry(e.target(), true, null));
                    release(e);
                }
            }
            case StoreOp.RemoveEntry r -> {
                TreeMap<Long, Entry> q = queues.get(r.sessionKey());
                if (q != null) {
                    release(q.remove(r.seq()));
                    if (q.isEmpty()) {
                        queues.remove(r.sessionKey());
                    }
                }
            }
        }
    }

    private void purge(SessionRecord s) {
        subscriptions.remove(s.clientId());
        inbound.remove(s.clientId());
        wills.remove(s.clientId());
        TreeMap<Long, Entry> q = queues.remove(s.sessionKey());
        if (q != null) {
            q.values().forEach(InMemoryStore::release);
        }
    }

    private static void release(@Nullable Entry e) {
        if (e != null && e.message() != null) {
            e.message().release();
        }
    }

    @Override
    public CompletableFuture<List<QueueEntry>> readQueue(long sessionKey, long fromSeq, int max) {
        List<QueueEntry> out = new ArrayList<>();
        long now = System.nanoTime();
        synchronized (lock) {
            TreeMap<Long, Entry> q = queues.get(sessionKey);
            if (q != null) {
                for (Entry e : q.tailMap(fromSeq, true).values()) {
                    if (out.size() == max) {
                        break;
                    }
                    Message m = e.message();
                    Message copy = m == null || expired(m, now) ? null : m.retainRef();
                    QueueTarget t = e.target();
                    out.add(new QueueEntry(t.seq(), t.qos(), t.retain(), t.subscriptionIdentifiers(), e.released(), copy));
                }
            }
        }
        return CompletableFuture.completedFuture(out);
    }

    private static boolean expired(Message m, long nowNanos) {
        Long interval = m.properties().messageExpiryInterval();
        return interval != null && nowNanos - m.receivedAtNanos() >= interval * 1_000_000_000L;
    }

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public SyncPolicy syncPolicy() {
        return SyncPolicy.ALWAYS;
    }

    @Override
    public Health health() {
        return Health.OK;
    }

    @Override
    public Stats stats() {
        long n = commits.get();
        return new Stats(n, n, 0, 0);
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (TreeMap<Long, Entry> q : queues.values()) {
                q.values().forEach(InMemoryStore::release);
            }
            queues.clear();
            retained.values().forEach(Message::release);
            retained.clear();
        }
    }
}
