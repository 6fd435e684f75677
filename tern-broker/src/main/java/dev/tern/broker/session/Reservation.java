package dev.tern.broker.session;

import dev.tern.broker.routing.Delivery;
import dev.tern.broker.store.EarlyAck;
import dev.tern.broker.store.QueueTarget;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A position reserved in a persistent session's stored queue for one delivery, by the publisher that
 * routes the message ({@link Session#reserveStored}). The publisher stores the message with the
 * {@link #target()}, then hands the delivery over with {@link Session#deliverStored}, or gives the
 * position back with {@link Session#unreserve} if the store refused it.
 */
public final class Reservation {
    final StoredOutbox.Incarnation incarnation;
    private final QueueTarget target;

    Reservation(StoredOutbox.Incarnation incarnation, QueueTarget target) {
        this.incarnation = Objects.requireNonNull(incarnation);
        this.target = Objects.requireNonNull(target);
    }

    /** Where the message goes in the store. */
    public QueueTarget target() {
        return target;
    }

    /** True if the delivery is handed over before its entry is durable ({@link Session#deliverEarly}). */
    public boolean early() {
        return target.early() != null;
    }

    static Reservation of(StoredOutbox.Incarnation inc, String clientId, Delivery d, @Nullable EarlyAck early) {
        return new Reservation(inc, new QueueTarget(clientId, inc.sessionKey, inc.reserve(), d.qos(), d.retain(),
                d.subscriptionIdentifiers(), early));
    }
}
