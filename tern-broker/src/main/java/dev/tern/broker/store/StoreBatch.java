package dev.tern.broker.store;

import dev.tern.broker.routing.Message;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Changes that a {@link Store} applies together: all of them or, if the commit fails, none. Build one
 * on any thread, hand it to {@link Store#commit} once, and do not touch it afterwards.
 *
 * <p>Batches that carry messages ({@link #enqueue}, {@link #putRetained}) take a reference to each
 * message, which the store gives back when the commit is done; the caller keeps its own.
 */
public final class StoreBatch {
    private final List<StoreOp> ops = new ArrayList<>(4);
    private boolean grows;
    private boolean early;

    public StoreBatch putSession(SessionRecord session) {
        return add(new StoreOp.PutSession(session));
    }

    public StoreBatch removeSession(String clientId) {
        return add(new StoreOp.RemoveSession(clientId));
    }

    public StoreBatch putSubscription(String clientId, SubscriptionRecord subscription) {
        return add(new StoreOp.PutSubscription(clientId, subscription));
    }

    public StoreBatch removeSubscription(String clientId, String filter) {
        return add(new StoreOp.RemoveSubscription(clientId, filter));
    }

    public StoreBatch addInboundQos2(String clientId, int packetId) {
        return add(new StoreOp.AddInboundQos2(clientId, packetId));
    }

    public StoreBatch removeInboundQos2(String clientId, int packetId) {
        return add(new StoreOp.RemoveInboundQos2(clientId, packetId));
    }

    public StoreBatch putWill(String clientId, WillRecord will) {
        return add(new StoreOp.PutWill(clientId, will));
    }

    public StoreBatch removeWill(String clientId) {
        return add(new StoreOp.RemoveWill(clientId));
    }

    /** Stores a retained message; an empty payload is not a retained message, use {@link #removeRetained}. */
    public StoreBatch putRetained(Message message) {
        if (message.payloadSize() == 0) {
            throw new IllegalArgumentException("an empty retained message deletes the topic's; use removeRetained");
        }
        return add(new StoreOp.PutRetained(message.retainRef()));
    }

    public StoreBatch removeRetained(String topic) {
        return add(new StoreOp.RemoveRetained(topic));
    }

    /** Queues a message for one or more sessions (nothing happens for an empty target list). */
    public StoreBatch enqueue(Message message, List<QueueTarget> targets) {
        if (targets.isEmpty()) {
            return this;
        }
        for (int i = 0; i < targets.size() && !early; i++) {
            early = targets.get(i).early() != null;
        }
        return add(new StoreOp.Enqueue(message.retainRef(), targets));
    }

    /** True if some entry went to its session early and may still be elided by its PUBACK. */
    public boolean hasEarlyEntries() {
        return early;
    }

    public StoreBatch releaseEntry(long sessionKey, long seq) {
        return add(new StoreOp.ReleaseEntry(sessionKey, seq));
    }

    public StoreBatch removeEntry(long sessionKey, long seq) {
        return add(new StoreOp.RemoveEntry(sessionKey, seq));
    }

    private StoreBatch add(StoreOp op) {
        ops.add(op);
        grows |= op.grows();
        return this;
    }

    /** The changes, in order. */
    public List<StoreOp> ops() {
        return Collections.unmodifiableList(ops);
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }

    /** True if some change adds data; such a batch is refused while the store is unavailable. */
    public boolean grows() {
        return grows;
    }

    /** Gives back the message references the batch holds; called by the store once, when done. */
    public void releaseMessages() {
        for (StoreOp op : ops) {
            if (op instanceof StoreOp.PutRetained p) {
                p.message().release();
            } else if (op instanceof StoreOp.Enqueue e) {
                e.message().release();
            }
        }
    }

    @Override
    public String toString() {
        return "StoreBatch" + ops;
    }
}
