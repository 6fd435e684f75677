package dev.tern.broker.store;

import dev.tern.broker.routing.Message;
import java.util.List;
import java.util.Objects;

/** One change in a {@link StoreBatch}. Implementations of {@link Store} apply them in order. */
public sealed interface StoreOp {
    /** Whether the change adds data (refused while the store is unavailable) rather than removing some. */
    boolean grows();

    /**
     * Creates or updates a session. A record with another session key than the stored one replaces
     * the old incarnation: its subscriptions, queue, inbound QoS 2 ids and will are removed first.
     */
    record PutSession(SessionRecord session) implements StoreOp {
        public PutSession { Objects.requireNonNull(session); }
        @Override public boolean grows() { return true; }
    }

    /** Removes a session and everything filed under it. */
    record RemoveSession(String clientId) implements StoreOp {
        public RemoveSession { Objects.requireNonNull(clientId); }
        @Override public boolean grows() { return false; }
    }

    /** Adds or replaces a subscription of a session. */
    record PutSubscription(String clientId, SubscriptionRecord subscription) implements StoreOp {
        public PutSubscription { Objects.requireNonNull(clientId); Objects.requireNonNull(subscription); }
        @Override public boolean grows() { return true; }
    }

    /** Removes a subscription of a session. */
    record RemoveSubscription(String clientId, String filter) implements StoreOp {
        public RemoveSubscription { Objects.requireNonNull(clientId); Objects.requireNonNull(filter); }
        @Override public boolean grows() { return false; }
    }

    /** Remembers an inbound QoS 2 packet identifier until PUBREL. */
    record AddInboundQos2(String clientId, int packetId) implements StoreOp {
        public AddInboundQos2 { Objects.requireNonNull(clientId); }
        @Override public boolean grows() { return true; }
    }

    /** Forgets an inbound QoS 2 packet identifier (PUBREL arrived). */
    record RemoveInboundQos2(String clientId, int packetId) implements StoreOp {
        public RemoveInboundQos2 { Objects.requireNonNull(clientId); }
        @Override public boolean grows() { return false; }
    }

    /** Stores or replaces a session's will. */
    record PutWill(String clientId, WillRecord will) implements StoreOp {
        public PutWill { Objects.requireNonNull(clientId); Objects.requireNonNull(will); }
        @Override public boolean grows() { return true; }
    }

    /** Removes a session's will (published, or the client disconnected normally). */
    record RemoveWill(String clientId) implements StoreOp {
        public RemoveWill { Objects.requireNonNull(clientId); }
        @Override public boolean grows() { return false; }
    }

    /**
     * Stores the retained message of a topic, replacing the previous one. The batch holds a reference
     * to the message until the commit is done.
     */
    record PutRetained(Message message) implements StoreOp {
        public PutRetained { Objects.requireNonNull(message); }
        @Override public boolean grows() { return true; }
    }

    /** Removes the retained message of a topic. */
    record RemoveRetained(String topic) implements StoreOp {
        public RemoveRetained { Objects.requireNonNull(topic); }
        @Override public boolean grows() { return false; }
    }

    /**
     * Queues one message for sessions: the message is stored once, with one entry per target. The
     * batch holds a reference to the message until the commit is done.
     */
    record Enqueue(Message message, List<QueueTarget> targets) implements StoreOp {
        public Enqueue { Objects.requireNonNull(message); targets = List.copyOf(targets); }
        @Override public boolean grows() { return true; }
    }

    /** PUBREC arrived for a QoS 2 entry: keep the entry (PUBREL is due), drop the message. */
    record ReleaseEntry(long sessionKey, long seq) implements StoreOp {
        @Override public boolean grows() { return false; }
    }

    /** The entry's flow is complete (or it was dropped or expired): remove it. */
    record RemoveEntry(long sessionKey, long seq) implements StoreOp {
        @Override public boolean grows() { return false; }
    }
}
