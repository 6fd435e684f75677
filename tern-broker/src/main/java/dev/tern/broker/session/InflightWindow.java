package dev.tern.broker.session;

import dev.tern.broker.routing.Delivery;
import dev.tern.broker.sys.BrokerMetrics;
import java.util.Collection;
import java.util.LinkedHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Outbound QoS 1 and 2 messages sent and not yet fully acknowledged, in the order they were first
 * sent, so that a reconnect can re-send them in that order (MQTT-4.4.0-1). Also allocates packet
 * identifiers that are not in use. Event loop only.
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

        Entry(int packetId, Delivery delivery, State state) {
            this.packetId = packetId;
            this.delivery = delivery;
            this.state = state;
        }
    }

    /** Created with the first flow: an idle or QoS 0 session does without (64 bytes); kept after. */
    private @Nullable LinkedHashMap<Integer, Entry> entries;
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
        return resendDue > 0 || size() >= capacity;
    }

    int capacity() {
        return capacity;
    }

    /** Flows the client has been sent on this connection and not finished (its send quota used up). */
    int outstanding() {
        return size() - resendDue;
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
        return entries == null ? 0 : entries.size();
    }

    /** Adds a QoS 1 or 2 delivery under a fresh packet identifier and returns the entry. */
    Entry add(Delivery delivery) {
        int id = allocatePacketId();
        State state = delivery.qos().value() == 1 ? State.AWAITING_PUBACK : State.AWAITING_PUBREC;
        Entry e = new Entry(id, delivery, state);
        LinkedHashMap<Integer, Entry> m = entries;
        if (m == null) {
            m = new LinkedHashMap<>();
            entries = m;
        }
        m.put(id, e);
        metrics.stored(1, delivery.message().payloadSize());
        return e;
    }

    private int allocatePacketId() {
        // The window never holds 65535 entries (capacity <= 65535 and callers check isFull first).
        while (entries != null && entries.containsKey(nextPacketId)) {
            nextPacketId = nextPacketId == 65_535 ? 1 : nextPacketId + 1;
        }
        int id = nextPacketId;
        nextPacketId = id == 65_535 ? 1 : id + 1;
        return id;
    }

    @Nullable Entry get(int packetId) {
        return entries == null ? null : entries.get(packetId);
    }

    /** Removes a completed flow and returns it, or null if the id is not in flight. */
    @Nullable Entry remove(int packetId) {
        Entry e = entries == null ? null : entries.remove(packetId);
        if (e != null) {
            resent(e);
        }
        return e;
    }

    /** All entries in first-sent order. */
    Collection<Entry> entries() {
        return entries == null ? java.util.List.of() : entries.values();
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
        if (entries == null) {
            return;
        }
        for (Entry e : entries.values()) {
            releaseDelivery(e);
        }
        entries.clear();
        resendDue = 0;
    }
}
