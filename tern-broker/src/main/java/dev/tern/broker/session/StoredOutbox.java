package dev.tern.broker.session;

import dev.tern.broker.routing.Delivery;
import dev.tern.broker.routing.Message;
import dev.tern.broker.store.EarlyAck;
import dev.tern.broker.store.QueueEntry;
import dev.tern.broker.store.QueueSummary;
import dev.tern.broker.store.Store;
import dev.tern.broker.store.StoreBatch;
import dev.tern.broker.store.StoreOp;
import dev.tern.codec.QoS;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound side of a persistent session whose queue lives in a durable {@link Store}: what is
 * queued is on disk, and memory holds only the flows in flight and a bounded amount of what comes next.
 * An offline session holds no message at all.
 *
 * <p>Write-through: while the session is online and keeps up, a message whose entry has become durable
 * is handed over with its content ({@link #arrived}) and goes out from memory; the store keeps it only
 * for durability and is never read for it. Only what memory could not take (more than
 * {@link #MEMORY_MESSAGES} messages or {@link #MEMORY_BYTES} bytes waiting, or everything while offline)
 * is read back from the store, in pages and in order; arrivals that come while such a backlog is read
 * stay in memory if there is room, so delivery returns to memory once the backlog is read.
 *
 * <p>Every entry has a sequence number, allocated by the publisher when it routes the message
 * ({@link Incarnation#reserve()}) and stored before the message reaches the session. The PUBLISH
 * packet identifier is derived from it ({@link #packetId(long)}), so that a broker restart re-sends a
 * message under the identifier it had: a receiver that kept QoS 2 state for it recognises the copy.
 * PUBREL is sent only once the PUBREC is durable (the entry is then marked released), and every
 * completed flow removes its entry.
 *
 * <p>Owner loop only, except {@link Incarnation}.
 */
final class StoredOutbox {
    private static final Logger LOG = LoggerFactory.getLogger(StoredOutbox.class);
    /** Entries read ahead of the in-flight window. */
    static final int READ_AHEAD = 256;
    /** At most this many messages wait in memory (not yet sent); beyond it arrivals are read back later. */
    static final int MEMORY_MESSAGES = 4096;
    /** At most this many payload bytes wait in memory (not yet sent). */
    static final long MEMORY_BYTES = 8L << 20;
    /** Gaps of at most this many positions are remembered (see {@link #gaps}). */
    private static final int MAX_GAP = 1024;
    /** How long an arrival ahead of the cursor waits for the ones before it. */
    static final long EARLY_WAIT_MILLIS = 50;

    /**
     * One incarnation of the session in the store (a clean start makes a new one): its key, the next
     * sequence number and the number of stored entries. Publishers on any loop reserve positions here.
     */
    static final class Incarnation {
        final long sessionKey;
        private final AtomicLong nextSeq;
        private final AtomicLong entries;

        Incarnation(long sessionKey, long nextSeq, long entries) {
            this.sessionKey = sessionKey;
            this.nextSeq = new AtomicLong(nextSeq);
            this.entries = new AtomicLong(entries);
        }

        /** A position for a new entry; counted as stored until {@link #removed()}. */
        long reserve() {
            entries.incrementAndGet();
            return nextSeq.getAndIncrement();
        }

        /** An entry is gone (its flow completed, it expired, or its commit failed). */
        void removed() {
            entries.decrementAndGet();
        }

        long entries() {
            return entries.get();
        }

        long nextSeq() {
            return nextSeq.get();
        }
    }

    /** What the outbox needs from its session. */
    interface Host {
        /** Runs a task on the owner loop, after what is in the session's mailbox. */
        void execute(Runnable task);

        /** The attached connection, or null. */
        @Nullable SessionConnection connection();

        /** Counts a message sent. */
        void sent(Delivery d);

        /** Whether the client may read a topic (its ACL, checked again when a stored message goes out). */
        default boolean mayReceive(String topic) {
            return true;
        }

        /** A stored message could not be sent (expired, too large, not allowed): count it. */
        default void dropped(Delivery d) {
        }

        /** Runs a task on the owner loop after a delay. */
        void schedule(long millis, Runnable task);

        /** A delivery could not be completed (PUBREC not durable): drop the connection so that it re-syncs. */
        void resync(String why);
    }

    /** A message waiting to be sent; {@code early} is set for an early hand-over (see {@link EarlyAck}). */
    private record Ready(Delivery delivery, long seq, @Nullable EarlyAck early) {
        Ready(Delivery delivery, long seq) {
            this(delivery, seq, null);
        }
    }

    /** Entries this outbox removed (flows completed, messages dropped) in one commit that may be under way. */
    private record Removal(long sessionKey, long[] seqs, CompletableFuture<Void> commit) {}

    private static final class Flight {
        final long seq;
        @Nullable Delivery delivery;
        InflightWindow.State state;
        final @Nullable EarlyAck early;

        Flight(long seq, @Nullable Delivery delivery, InflightWindow.State state) {
            this(seq, delivery, state, null);
        }

        Flight(long seq, @Nullable Delivery delivery, InflightWindow.State state, @Nullable EarlyAck early) {
            this.seq = seq;
            this.delivery = delivery;
            this.state = state;
            this.early = early;
        }
    }

    private final Store store;
    private final Host host;
    private final int memoryMessages;
    private final String clientId;
    private volatile Incarnation incarnation;
    /** The session key when the broker started (a clean start since then stored nothing old). */
    private final long startKey;

    // Owner loop.
    private final ArrayDeque<Ready> ready = new ArrayDeque<>();
    private final LinkedHashMap<Integer, Flight> inflight = new LinkedHashMap<>();
    private int capacity;
    private boolean online;
    /** Every entry below it is in memory (ready or in flight) or done; the next read starts here. */
    private long cursor;
    /** Entries below it existed before the broker started and may have been sent: re-sent with DUP 1. */
    private final long storedBeforeStart;
    /** Entries sent on an earlier connection and not completed: re-sent with DUP 1. */
    private final TreeSet<Long> sentBefore = new TreeSet<>();
    /**
     * Arrivals below it may have been committed without being kept in memory (released because memory
     * was full, or while offline): a position in [cursor, backlogTo) that is not in {@link #tail} must
     * be read from the store. A position at or above it that is not in the tail has not arrived yet.
     */
    private long backlogTo;
    /**
     * Positions a read skipped because their commit had not completed (another publisher's commit
     * overtook them); when they arrive they are taken although they are below the cursor.
     */
    private final TreeSet<Long> gaps = new TreeSet<>();
    /**
     * Arrivals at or after the cursor that cannot go to {@link #ready} yet: they wait for positions
     * before them (commits of several publishers complete in their own order) or for a read of the
     * backlog before them. If the position at the cursor neither arrives nor belongs to the backlog
     * within {@link #EARLY_WAIT_MILLIS} (a slow or failed commit), a read of one entry finds what is
     * committed after it, and the positions it skips are remembered in {@link #gaps}.
     */
    private final TreeMap<Long, Ready> tail = new TreeMap<>();
    private boolean waitArmed;
    /** Payload bytes of the messages in {@link #ready} and {@link #tail}. */
    private long heldBytes;
    /** Entries read from the store, arrivals kept in memory, arrivals released for want of room. */
    private long entriesRead;
    private long kept;
    private long spilled;
    /** Early hand-overs kept, and entries of them that were never written because their PUBACK came first. */
    private long earlyKept;
    private long elisions;
    private boolean reading;
    /** Arrivals released while a read ran, which that read may not have seen. */
    private long releasedWhileReading;
    /**
     * Their positions: one the read did not see although it saw later ones (committed after the read
     * looked, overtaken by other publishers' commits) must be read again, or it would go out late.
     */
    private final TreeSet<Long> releasedDuringRead = new TreeSet<>();
    private long readGeneration;
    /**
     * Removals whose commit had not completed when last looked at, oldest first. A detach moves the cursor
     * back to the first flow not complete, so a read after the next attach can see an entry whose flow
     * completed (its PUBACK was read) while its removal is still on the way to the store: the read skips
     * it ({@link #removing(long)}) rather than send it again, or wait for the store.
     */
    private final ArrayDeque<Removal> unfinished = new ArrayDeque<>();

    StoredOutbox(Store store, Host host, String clientId, Incarnation incarnation, long firstSeq, int capacity) {
        this(store, host, clientId, incarnation, firstSeq, capacity, MEMORY_MESSAGES);
    }

    /** With another bound on the messages waiting in memory (tests). */
    StoredOutbox(Store store, Host host, String clientId, Incarnation incarnation, long firstSeq, int capacity,
                 int memoryMessages) {
        this.memoryMessages = memoryMessages;
        this.store = store;
        this.host = host;
        this.clientId = clientId;
        this.incarnation = incarnation;
        this.startKey = incarnation.sessionKey;
        this.cursor = firstSeq;
        this.storedBeforeStart = incarnation.nextSeq(); // before a restart, anything stored may have been sent
        this.capacity = capacity;
    }

    /** A new outbox for a recovered session. */
    static StoredOutbox recovered(Store store, Host host, String clientId, long sessionKey, QueueSummary q,
                                  int capacity) {
        return new StoredOutbox(store, host, clientId, new Incarnation(sessionKey, q.nextSeq(), q.entries()),
                q.entries() == 0 ? q.nextSeq() : q.firstSeq(), capacity);
    }

    /** The PUBLISH packet identifier of an entry: 1 to 65535, from its sequence number. */
    static int packetId(long seq) {
        return (int) Math.floorMod(seq, 65_535L) + 1;
    }

    /** The current incarnation; any thread. */
    Incarnation incarnation() {
        return incarnation;
    }

    // ---- life cycle ----------------------------------------------------------------------------

    /** A clean start: forget everything, continue under a new session key (already stored). */
    void reset(long newSessionKey) {
        releaseMemory();
        incarnation = new Incarnation(newSessionKey, 0, 0);
        cursor = 0;
        sentBefore.clear();
    }

    /** A connection is attached: read what is stored and send it. */
    void attach(int windowSize) {
        capacity = windowSize;
        online = true;
        backlogTo = incarnation.nextSeq();
        readMore();
    }

    /**
     * The connection went away: drop everything from memory. It is all on disk; on the next attach it
     * is read again from the first entry not yet complete, and what was sent is re-sent with DUP 1.
     */
    void detach() {
        online = false;
        long first = cursor;
        for (Flight f : inflight.values()) {
            first = Math.min(first, f.seq);
            sentBefore.add(f.seq);
        }
        Ready r = ready.peek();
        if (r != null) {
            first = Math.min(first, r.seq);
        }
        if (!gaps.isEmpty()) {
            first = Math.min(first, gaps.first()); // a late commit there is read on the next attach
        }
        releaseMemory();
        cursor = first;
        backlogTo = 0;
    }

    /** Releases what memory holds, without touching the store (shutdown, reset). */
    void releaseMemory() {
        for (Ready r : ready) {
            r.delivery.release();
        }
        ready.clear();
        for (Flight f : inflight.values()) {
            if (f.delivery != null) {
                f.delivery.release();
            }
        }
        inflight.clear();
        gaps.clear();
        tail.values().forEach(r -> r.delivery.release());
        tail.clear();
        heldBytes = 0;
        waitArmed = false;
        releasedDuringRead.clear();
        readGeneration++;
        reading = false;
    }

    void setCapacity(int windowSize) {
        capacity = windowSize;
    }

    int inflightCount() {
        return inflight.size();
    }

    int readyCount() {
        return ready.size();
    }

    /** Stored entries beyond those in flight. */
    long queued() {
        return Math.max(0, incarnation.entries() - inflight.size());
    }

    // ---- arrivals ------------------------------------------------------------------------------

    /**
     * A delivery whose entry is durable at {@code seq} under {@code sessionKey}. Kept in memory if the
     * session is online and memory has room; otherwise released (it is on disk and read back later).
     */
    void arrived(Delivery d, long sessionKey, long seq) {
        arrived(d, sessionKey, seq, null);
    }

    /**
     * A durable delivery that may have come early already ({@code early} set): if the early copy's
     * flow is complete, this copy goes too.
     */
    void arrived(Delivery d, long sessionKey, long seq, @Nullable EarlyAck early) {
        if (sessionKey != incarnation.sessionKey || !online) {
            d.release(); // for an earlier incarnation (gone), or offline (it is on disk)
            return;
        }
        if (early != null && early.removalClaimed()) {
            gaps.remove(seq);
            d.release(); // the early copy was acknowledged (or dropped) already
            return;
        }
        if (seq < cursor) {
            if (gaps.remove(seq)) {
                insertInOrder(hold(new Ready(d, seq))); // its commit was overtaken; the read passed it by
            } else {
                d.release(); // read from the store already
            }
            return;
        }
        if (!hasRoom()) {
            spilled++;
            d.release(); // behind: read it from the store with what precedes it
            backlogTo = Math.max(backlogTo, seq + 1);
            if (reading) {
                releasedWhileReading = Math.max(releasedWhileReading, seq + 1);
                releasedDuringRead.add(seq);
            }
            readMore();
            return;
        }
        kept++;
        keep(d, seq, early);
        readMore();
        awaitCursor();
    }

    /**
     * A copy of a QoS 1 delivery whose entry is being written (early hand-over). Taken only when it is
     * next in line — online, room in memory, no read under way, everything before it in memory or done
     * (no gap a read left) — and otherwise released: the durable delivery follows anyway and takes the usual path. (Ahead
     * of a missing position it could overtake an earlier message of its own publisher whose commit is
     * slow: only a durable arrival proves that its publisher's earlier ones are durable too.)
     */
    void arrivedEarly(Delivery d, long sessionKey, long seq, EarlyAck early) {
        if (sessionKey != incarnation.sessionKey || !online || reading || seq != cursor || !tail.isEmpty()
                || !gaps.isEmpty() || !hasRoom()) {
            d.release();
            return;
        }
        earlyKept++;
        ready.add(hold(new Ready(d, seq, early)));
        cursor = seq + 1;
    }

    private void keep(Delivery d, long seq, @Nullable EarlyAck early) {
        if (seq == cursor && !reading && tail.isEmpty()) {
            ready.add(hold(new Ready(d, seq, early))); // the usual case: next in line
            cursor = seq + 1;
        } else {
            heldBytes += d.message().payloadSize();
            Ready old = tail.put(seq, new Ready(d, seq, early));
            if (old != null) {
                heldBytes -= old.delivery.message().payloadSize();
                old.delivery.release(); // the early copy, when the durable one comes: keep one
            }
            if (!reading) {
                takeTail();
            }
        }
    }

    private boolean hasRoom() {
        return ready.size() + tail.size() < memoryMessages && heldBytes < MEMORY_BYTES;
    }

    private Ready hold(Ready r) {
        heldBytes += r.delivery.message().payloadSize();
        return r;
    }

    /** A ready entry leaves memory's count (sent, dropped or released). */
    private Ready unhold(Ready r) {
        heldBytes -= r.delivery.message().payloadSize();
        return r;
    }

    /** Moves the arrivals that now follow the cursor from the tail into the ready queue, in order. */
    private void takeTail() {
        while (!tail.isEmpty() && tail.firstKey() == cursor) {
            ready.add(tail.pollFirstEntry().getValue()); // already counted in heldBytes
            cursor++;
        }
    }

    /**
     * If the tail waits for a position that is not in the backlog (its commit has not completed), gives
     * it {@link #EARLY_WAIT_MILLIS} before reading past it.
     */
    private void awaitCursor() {
        if (waitArmed || reading || tail.isEmpty() || cursor < backlogTo) {
            return;
        }
        waitArmed = true;
        long at = cursor;
        long generation = readGeneration;
        host.schedule(EARLY_WAIT_MILLIS, () -> {
            if (generation != readGeneration) {
                return; // detached or reset meanwhile; that cleared waitArmed
            }
            waitArmed = false;
            if (cursor == at && !tail.isEmpty() && !reading && online) {
                // Still missing: let a read of the store say what is committed from here on.
                backlogTo = Math.max(backlogTo, cursor + 1);
                readMore();
                pump();
            } else {
                awaitCursor();
            }
        });
    }

    private void insertInOrder(Ready r) {
        if (ready.isEmpty() || ready.peekLast().seq < r.seq) {
            ready.add(r);
            return;
        }
        ArrayDeque<Ready> copy = new ArrayDeque<>(ready.size() + 1);
        boolean placed = false;
        for (Ready x : ready) {
            if (!placed && r.seq < x.seq) {
                copy.add(r);
                placed = true;
            }
            copy.add(x);
        }
        ready.clear();
        ready.addAll(copy);
    }

    private void readMore() {
        int readAhead = Math.min(READ_AHEAD, memoryMessages);
        if (reading || !online || ready.size() >= readAhead / 2 || cursor >= backlogTo) {
            return;
        }
        reading = true;
        releasedWhileReading = 0;
        releasedDuringRead.clear();
        long generation = readGeneration;
        long key = incarnation.sessionKey;
        long from = cursor;
        // Only the backlog needs reading; what follows it is in memory or has not arrived yet.
        int max = (int) Math.max(1, Math.min(readAhead - ready.size(), backlogTo - cursor));
        // Taken before the read: a removal complete by now is applied, so the read cannot see its entry.
        Set<Long> removing = removing(from);
        store.readQueue(key, from, max).whenComplete((entries, error) -> host.execute(() -> {
            if (generation != readGeneration || key != incarnation.sessionKey) {
                if (entries != null) {
                    entries.forEach(QueueEntry::release);
                }
                return;
            }
            reading = false;
            if (error != null) {
                LOG.error("Could not read the queue of client {} from the store: {}", clientId, error.getMessage());
                return;
            }
            loaded(entries, max, removing);
        }));
    }

    /** Takes the tail's arrivals before {@code seq} (positions the read did not see are gaps). */
    private void takeTailBefore(long seq) {
        while (!tail.isEmpty() && tail.firstKey() < seq) {
            long p = tail.firstKey();
            skip(p);
            ready.add(tail.pollFirstEntry().getValue());
            cursor = p + 1;
        }
    }

    /** Moves the cursor to {@code seq}, remembering the positions passed by as gaps. */
    private void skip(long seq) {
        if (seq - cursor <= MAX_GAP) {
            for (long g = cursor; g < seq; g++) {
                gaps.add(g);
            }
        }
        cursor = Math.max(cursor, seq);
    }

    private void loaded(List<QueueEntry> entries, int requested, Set<Long> removing) {
        if (!online) {
            entries.forEach(QueueEntry::release);
            return;
        }
        entriesRead += entries.size();
        StoreBatch gone = new StoreBatch();
        long key = incarnation.sessionKey;
        boolean readAgain = false;
        for (int i = 0; i < entries.size(); i++) {
            QueueEntry e = entries.get(i);
            if (e.seq() < cursor) {
                e.release(); // arrived while the read was under way
                continue;
            }
            Long missed = releasedDuringRead.ceiling(cursor);
            if (missed != null && missed < e.seq()) {
                // Durable (it arrived while the read ran) but not seen by the read, which saw later
                // positions: read again from it, so that it goes out before them.
                takeTailBefore(missed);
                skip(missed);
                for (int j = i; j < entries.size(); j++) {
                    entries.get(j).release();
                }
                backlogTo = Math.max(backlogTo, releasedWhileReading);
                readAgain = true;
                break;
            }
            takeTailBefore(e.seq());
            skip(e.seq());
            cursor = e.seq() + 1;
            Ready inMemory = tail.remove(e.seq());
            int id = packetId(e.seq());
            if (removing.contains(e.seq())) {
                e.release(); // its flow completed before a detach; the removal was not stored when the read ran
            } else if (inMemory != null) {
                e.release(); // arrived while the read ran: the copy in memory goes
                ready.add(inMemory);
            } else if (e.released()) {
                // PUBREC was durable before: only PUBREL is due (MQTT-4.4.0-1).
                inflight.put(id, new Flight(e.seq(), null, InflightWindow.State.AWAITING_PUBCOMP));
                SessionConnection c = host.connection();
                if (c != null) {
                    c.writePubRel(id);
                }
            } else if (e.message() == null) {
                gone.removeEntry(key, e.seq()); // expired while stored
                incarnation.removed();
            } else {
                ready.add(hold(new Ready(new Delivery(e.message(), e.qos(), e.retain(), e.subscriptionIdentifiers()),
                        e.seq())));
            }
        }
        while (gaps.size() > MAX_GAP) {
            gaps.pollFirst(); // a commit that failed leaves a gap for ever; do not let them pile up
        }
        if (!readAgain && entries.size() < requested) {
            // Everything committed when the read ran is in memory now. Positions reserved then but not
            // committed arrive by themselves; arrivals released meanwhile may need another read.
            backlogTo = Math.max(cursor, releasedWhileReading);
        }
        takeTail();
        commit(gone);
        pump();
        awaitCursor();
        SessionConnection c = host.connection();
        if (c != null) {
            c.flush();
        }
    }

    // ---- sending -------------------------------------------------------------------------------

    /**
     * Moves ready entries into flight while the window has room and the channel is writable.
     *
     * @return true if something was written
     */
    boolean pump() {
        SessionConnection c = host.connection();
        if (c == null || !online) {
            return false;
        }
        boolean wrote = false;
        StoreBatch done = new StoreBatch();
        long key = incarnation.sessionKey;
        while (c.isWritable()) {
            Ready r = ready.peek();
            if (r == null) {
                break;
            }
            Delivery d = r.delivery;
            // Expired while stored (MQTT-3.3.2-5), larger than the client's Maximum Packet Size
            // (MQTT-3.1.2-25), or no longer allowed by its ACL: dropped as if sent.
            if (expired(d.message()) || !c.fits(d) || !host.mayReceive(d.message().topic())) {
                unhold(ready.poll());
                host.dropped(d);
                d.release();
                finished(r.seq, r.early, done);
                continue;
            }
            boolean dup = (r.seq < storedBeforeStart && incarnation.sessionKey == startKey) || sentBefore.remove(r.seq);
            if (d.qos() == QoS.AT_MOST_ONCE) {
                unhold(ready.poll());
                c.writePublish(d, 0, dup);
                host.sent(d);
                d.release();
                done.removeEntry(key, r.seq); // a stored QoS 0 message is done once sent
                incarnation.removed();
            } else {
                int id = packetId(r.seq);
                if (inflight.size() >= capacity || inflight.containsKey(id)) {
                    break; // window full, or the identifier is still used by a flow 65535 entries older
                }
                unhold(ready.poll());
                inflight.put(id, new Flight(r.seq, d, d.qos() == QoS.AT_LEAST_ONCE
                        ? InflightWindow.State.AWAITING_PUBACK : InflightWindow.State.AWAITING_PUBREC, r.early));
                c.writePublish(d, id, dup);
                host.sent(d);
            }
            wrote = true;
        }
        commit(done);
        readMore();
        return wrote;
    }

    private static boolean expired(Message m) {
        Long interval = m.properties().messageExpiryInterval();
        return interval != null && System.nanoTime() - m.receivedAtNanos() >= interval * 1_000_000_000L;
    }

    // ---- acknowledgements ----------------------------------------------------------------------

    /** PUBACK: the QoS 1 flow is complete; its entry goes. */
    boolean onPubAck(int packetId) {
        Flight f = inflight.get(packetId);
        if (f == null || f.state != InflightWindow.State.AWAITING_PUBACK) {
            return false;
        }
        complete(packetId, f);
        return true;
    }

    /**
     * PUBREC. On success the entry is marked released and, once that is durable, {@code pubRelDue}
     * runs on the owner loop (send PUBREL then); an error reason code ends the flow.
     *
     * @return false if the packet id is not a QoS 2 flow awaiting PUBREC
     */
    boolean onPubRec(int packetId, int reasonCode, Consumer<Integer> pubRelDue) {
        Flight f = inflight.get(packetId);
        if (f == null || f.state != InflightWindow.State.AWAITING_PUBREC) {
            return false;
        }
        if (reasonCode >= 0x80) {
            complete(packetId, f);
            return true;
        }
        f.state = InflightWindow.State.AWAITING_PUBCOMP;
        if (f.delivery != null) {
            f.delivery.release();
            f.delivery = null;
        }
        long key = incarnation.sessionKey;
        long generation = readGeneration;
        store.commit(new StoreBatch().releaseEntry(key, f.seq)).whenComplete((v, error) -> host.execute(() -> {
            if (generation != readGeneration || inflight.get(packetId) != f) {
                return; // the connection went away meanwhile; the entry is read again on reconnect
            }
            if (error == null) {
                pubRelDue.accept(packetId);
            } else {
                // Without a durable PUBREC a PUBREL could lead to a second delivery after a crash.
                host.resync("the store could not record a PUBREC (" + error.getMessage() + ")");
            }
        }));
        return true;
    }

    /** PUBCOMP: the QoS 2 flow is complete; its entry goes. */
    boolean onPubComp(int packetId) {
        Flight f = inflight.get(packetId);
        if (f == null || f.state != InflightWindow.State.AWAITING_PUBCOMP) {
            return false;
        }
        complete(packetId, f);
        return true;
    }

    private void complete(int packetId, Flight f) {
        inflight.remove(packetId);
        if (f.delivery != null) {
            f.delivery.release();
        }
        StoreBatch b = new StoreBatch();
        finished(f.seq, f.early, b);
        commit(b);
        pump();
    }

    /**
     * An entry's flow is complete (or its message dropped): it is no longer counted and its entry is
     * removed — unless it was an early hand-over that is complete before the writer took it, whose
     * entry is then never written (nothing to remove).
     */
    private void finished(long seq, @Nullable EarlyAck early, StoreBatch into) {
        boolean elided = early != null && early.elide();
        if (elided) {
            elisions++;
        } else {
            into.removeEntry(incarnation.sessionKey, seq);
        }
        if (early == null || early.claimRemoval()) {
            incarnation.removed();
        }
    }

    /** Re-sends the flows in flight on a new connection in their order (used after a take-over). */
    void resend(SessionConnection c) {
        for (var e : inflight.entrySet()) {
            Flight f = e.getValue();
            if (f.state == InflightWindow.State.AWAITING_PUBCOMP) {
                c.writePubRel(e.getKey());
            } else if (f.delivery != null) {
                c.writePublish(f.delivery, e.getKey(), true);
            }
        }
    }

    private void commit(StoreBatch b) {
        if (b.isEmpty()) {
            return;
        }
        long[] seqs = removedSeqs(b);
        CompletableFuture<Void> f = store.commit(b);
        while (!unfinished.isEmpty() && unfinished.peekFirst().commit.isDone()) {
            unfinished.pollFirst(); // they mostly complete in order: this keeps the queue short
        }
        if (!f.isDone() && seqs.length > 0) {
            unfinished.add(new Removal(incarnation.sessionKey, seqs, f));
        }
        f.whenComplete((v, error) -> {
            if (error != null) {
                LOG.debug("A removal for client {} is not stored yet: {}", clientId, error.getMessage());
            }
        });
    }

    private static long[] removedSeqs(StoreBatch b) {
        List<StoreOp> ops = b.ops();
        long[] seqs = new long[ops.size()];
        int n = 0;
        for (StoreOp op : ops) {
            if (op instanceof StoreOp.RemoveEntry r) {
                seqs[n++] = r.seq();
            }
        }
        return n == seqs.length ? seqs : Arrays.copyOf(seqs, n);
    }

    /**
     * The positions from {@code from} on of the current incarnation whose removal has not completed yet;
     * empty except right after a reconnect (online, flows complete behind the cursor).
     */
    private Set<Long> removing(long from) {
        unfinished.removeIf(r -> r.commit.isDone());
        Set<Long> seqs = Set.of();
        for (Removal r : unfinished) {
            if (r.sessionKey == incarnation.sessionKey) {
                for (long seq : r.seqs) {
                    if (seq >= from) {
                        if (seqs.isEmpty()) {
                            seqs = new HashSet<>();
                        }
                        seqs.add(seq);
                    }
                }
            }
        }
        return seqs;
    }

    /** Entries read from the store so far; for tests and diagnostics. */
    long entriesRead() {
        return entriesRead;
    }

    /** Arrivals kept in memory so far; for tests and diagnostics. */
    long kept() {
        return kept;
    }

    /** Arrivals released for want of room (to be read from the store); for tests and diagnostics. */
    long spilled() {
        return spilled;
    }

    /** Early hand-overs kept in memory so far; for tests and diagnostics. */
    long earlyKept() {
        return earlyKept;
    }

    /** Entries never written because the PUBACK of their early hand-over came first; for tests and diagnostics. */
    long elisions() {
        return elisions;
    }

    /** Messages waiting in memory, not yet sent; for tests and diagnostics. */
    int heldCount() {
        return ready.size() + tail.size();
    }

    /** The entries' sequence numbers in flight, in order; for tests and diagnostics. */
    List<Long> inflightSeqs() {
        return inflight.values().stream().map(f -> f.seq).toList();
    }

    /** For diagnostics. */
    @Override
    public String toString() {
        Iterator<Ready> it = ready.iterator();
        return "StoredOutbox[" + clientId + ", key " + incarnation.sessionKey + ", cursor " + cursor + ", ready "
                + ready.size() + (it.hasNext() ? " from " + it.next().seq : "") + ", tail " + tail.size() + ", backlog to "
                + backlogTo + ", in flight " + inflight.size()
                + "]";
    }
}
