package dev.tern.broker.session;

import dev.tern.broker.routing.Delivery;
import dev.tern.broker.sys.BrokerMetrics;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * Deliveries waiting to enter the in-flight window, bounded by message count and payload bytes
 * (Mosquitto's {@code max_queued_messages} and {@code max_queued_bytes}). Event loop only.
 */
final class OutboundQueue {
    /** Created with the first delivery (about 110 bytes an idle session does without); kept after. */
    private @Nullable ArrayDeque<Delivery> deliveries;
    private final int maxMessages;
    private final long maxBytes;
    private final BrokerMetrics metrics;
    private long bytes;

    OutboundQueue(int maxMessages, long maxBytes, BrokerMetrics metrics) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.metrics = metrics;
    }

    /** Appends a delivery unless a limit would be exceeded; the caller keeps it on false. */
    boolean offer(Delivery d) {
        ArrayDeque<Delivery> q = deliveries;
        if (q == null) {
            q = new ArrayDeque<>();
            deliveries = q;
        }
        if (maxMessages > 0 && q.size() >= maxMessages) {
            return false;
        }
        long size = d.message().payloadSize();
        if (maxBytes > 0 && bytes + size > maxBytes && !q.isEmpty()) {
            return false;
        }
        q.addLast(d);
        bytes += size;
        metrics.stored(1, size);
        return true;
    }

    @Nullable Delivery peek() {
        return deliveries == null ? null : deliveries.peekFirst();
    }

    @Nullable Delivery poll() {
        Delivery d = deliveries == null ? null : deliveries.pollFirst();
        if (d != null) {
            bytes -= d.message().payloadSize();
            metrics.stored(-1, -d.message().payloadSize());
        }
        return d;
    }

    int size() {
        return deliveries == null ? 0 : deliveries.size();
    }

    long bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return deliveries == null || deliveries.isEmpty();
    }

    /** Removes QoS 0 deliveries (for a persistent session going offline without queue_qos0_messages). */
    int dropQos0() {
        int dropped = 0;
        if (deliveries == null) {
            return 0;
        }
        var it = deliveries.iterator();
        while (it.hasNext()) {
            Delivery d = it.next();
            if (d.qos().value() == 0) {
                it.remove();
                bytes -= d.message().payloadSize();
                metrics.stored(-1, -d.message().payloadSize());
                d.release();
                dropped++;
            }
        }
        return dropped;
    }

    /**
     * Removes the deliveries a predicate takes (it then owns their reference), keeping the order of
     * the rest.
     */
    int removeIf(java.util.function.Predicate<Delivery> taken) {
        int removed = 0;
        if (deliveries == null) {
            return 0;
        }
        var it = deliveries.iterator();
        while (it.hasNext()) {
            Delivery d = it.next();
            if (taken.test(d)) {
                it.remove();
                bytes -= d.message().payloadSize();
                metrics.stored(-1, -d.message().payloadSize());
                removed++;
            }
        }
        return removed;
    }

    /** Releases and removes everything. */
    void clear() {
        Delivery d;
        while ((d = poll()) != null) {
            d.release();
        }
    }
}
