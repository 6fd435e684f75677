package dev.tern.broker.session;

import dev.tern.broker.routing.Delivery;
import dev.tern.broker.sys.BrokerMetrics;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * Outbound QoS 1 and 2 messages sent and not yet fully acknowledged, in the order they were first
 * sent, so that a reconnect can re-send them in that order (MQTT-4.4.0-1). Also allocates packet
 * identifiers that are not in use. Event loop only.
 *
 * <p>Every QoS 1/2 message passes through here, so the window is a small open-addressing table keyed
 * by the primitive packet id (ids are handed out in sequence, so {@code id & mask} rarely collides)
 * with the entries linked in first-sent order: no boxed key and no map node per message, unlike the
 * {@code LinkedHashMap<Integer, Entry>} it replaces. The table is created with the first entry, so an
 * idle session holds none.
 */
final class InflightWindow {
    /** Where an outbound QoS 1/2 flow stands. */
    enum State {
        /** QoS 1 PUBLISH sent. */
        AWAITING_PUBACK,
        /** QoS 2 PUBLISH sent. */
        AWAITING_PUBREC,
        /** QoS 2 PUBREL sent; the message itself is no longer needed. */
        AWAITING_PUBCOMP
    }

    /** One in-flight flow. The delivery is null once PUBREC has arrived. */
    static final class Entry {
        final int packetId;
        @Nullable Delivery delivery;
        State state;
        /**
         * The PUBLISH must be re-sent on this connection but the client's Receive Maximum left no room
         * yet (it reconnected with a smaller one than the window holds).
         */
        boolean resendDue;
        /** Neighbours in first-sent order. */
        @Nullable Entry older;
        @Nullable Entry newer;

        Entry(int packetId, Delivery delivery, State state) {
            this.packetId = packetId;
            this.delivery = delivery;
            this.state = state;
        }
    }

    private static final int MIN_SLOTS = 16;

    /** Open addressing with linear probing; null until the first entry. Length is a power of two. */
    private @Nullable Entry @Nullable [] slots;
    private int size;
    private @Nullable Entry oldest;
    private @Nullable Entry newest;
    private final BrokerMetrics metrics;
    private int capacity;
    private int nextPacketId = 1;
    private int resendDue;

    InflightWindow(int capacity, BrokerMetrics metrics) {
        this.capacity = capacity;
        this.metrics = metrics;
    }

    /** Changes the window size, e.g. to a reconnecting MQTT 5.0 client's Receive Maximum. */
    void setCapacity(int capacity) {
        this.capacity = capacity;
    }

    /** True if no new message may enter: the window is full or re-sends are still waiting for room. */
    boolean isFull() {
        return resendDue > 0 || size >= capacity;
    }

    int capacity() {
        return capacity;
    }

    /** Flows the client has been sent on this connection and not finished (its send quota used up). */
    int outstanding() {
        return size - resendDue;
    }

    /** Number of entries whose re-send waits for room. */
    int resendDue() {
        return resendDue;
    }

    void markResendDue(Entry e) {
        if (!e.resendDue) {
            e.resendDue = true;
            resendDue++;
        }
    }

    void resent(Entry e) {
        if (e.resendDue) {
            e.resendDue = false;
            resendDue--;
        }
    }

    int size() {
        return size;
    }

    /** Adds a QoS 1 or 2 delivery under a fresh packet identifier and returns the entry. */
    Entry add(Delivery delivery) {
        int id = allocatePacketId();
        State state = delivery.qos().value() == 1 ? State.AWAITING_PUBACK : State.AWAITING_PUBREC;
        Entry e = new Entry(id, delivery, state);
        insert(e);
        link(e);
        metrics.stored(1, delivery.message().payloadSize());
        return e;
    }

    private int allocatePacketId() {
        // The window never holds 65535 entries (capacity <= 65535 and callers check isFull first).
        while (slot(nextPacketId) >= 0) {
            nextPacketId = nextPacketId == 65_535 ? 1 : nextPacketId + 1;
        }
        int id = nextPacketId;
        nextPacketId = id == 65_535 ? 1 : id + 1;
        return id;
    }

    @Nullable Entry get(int packetId) {
        int i = slot(packetId);
        return i < 0 ? null : slots[i];
    }

    /** Removes a completed flow and returns it, or null if the id is not in flight. */
    @Nullable Entry remove(int packetId) {
        int i = slot(packetId);
        if (i < 0) {
            return null;
        }
        Entry e = slots[i];
        delete(i);
        unlink(e);
        resent(e);
        return e;
    }

    /** All entries in first-sent order; the window must not change while this is iterated. */
    Iterable<Entry> entries() {
        return () -> new Iterator<>() {
            private @Nullable Entry next = oldest;

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Entry next() {
                Entry e = next;
                if (e == null) {
                    throw new NoSuchElementException();
                }
                next = e.newer;
                return e;
            }
        };
    }

    /** Releases an entry's delivery once it is no longer needed (acknowledged, or PUBREC received). */
    void releaseDelivery(Entry e) {
        Delivery d = e.delivery;
        if (d != null) {
            e.delivery = null;
            metrics.stored(-1, -d.message().payloadSize());
            d.release();
        }
    }

    /** Releases every held delivery and forgets all flows. */
    void clear() {
        for (Entry e = oldest; e != null; e = e.newer) {
            releaseDelivery(e);
        }
        slots = null;
        size = 0;
        oldest = null;
        newest = null;
        resendDue = 0;
    }

    // ---- the table ---------------------------------------------------------------------------

    /** The slot holding {@code packetId}, or -1. */
    private int slot(int packetId) {
        Entry[] t = slots;
        if (t == null) {
            return -1;
        }
        int mask = t.length - 1;
        for (int i = packetId & mask; ; i = (i + 1) & mask) {
            Entry e = t[i];
            if (e == null) {
                return -1;
            }
            if (e.packetId == packetId) {
                return i;
            }
        }
    }

    private void insert(Entry e) {
        Entry[] t = slots;
        if (t == null) {
            t = slots = new Entry[MIN_SLOTS];
        } else if ((size + 1) * 2 > t.length) {
            t = grow(t);
        }
        place(t, e);
        size++;
    }

    private static void place(Entry[] t, Entry e) {
        int mask = t.length - 1;
        int i = e.packetId & mask;
        while (t[i] != null) {
            i = (i + 1) & mask;
        }
        t[i] = e;
    }

    private Entry[] grow(Entry[] old) {
        Entry[] t = new Entry[old.length * 2];
        for (Entry e : old) {
            if (e != null) {
                place(t, e);
            }
        }
        slots = t;
        return t;
    }

    /** Empties slot {@code i} and moves later entries of its probe run back (no tombstones). */
    private void delete(int i) {
        Entry[] t = slots;
        int mask = t.length - 1;
        t[i] = null;
        size--;
        for (int j = (i + 1) & mask; t[j] != null; j = (j + 1) & mask) {
            int home = t[j].packetId & mask;
            // t[j] may move to the hole at i unless its home lies cyclically in (i, j].
            boolean homeBetween = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!homeBetween) {
                t[i] = t[j];
                t[j] = null;
                i = j;
            }
        }
    }

    private void link(Entry e) {
        e.older = newest;
        e.newer = null;
        if (newest != null) {
            newest.newer = e;
        } else {
            oldest = e;
        }
        newest = e;
    }

    private void unlink(Entry e) {
        if (e.older != null) {
            e.older.newer = e.newer;
        } else {
            oldest = e.newer;
        }
        if (e.newer != null) {
            e.newer.older = e.older;
        } else {
            newest = e.older;
        }
        e.older = null;
        e.newer = null;
    }
}
