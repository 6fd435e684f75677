package dev.tern.broker.session;

import dev.tern.broker.routing.Delivery;
import dev.tern.broker.routing.Subscription;
import dev.tern.broker.store.QueueTarget;
import dev.tern.broker.store.RecoveredSession;
import dev.tern.broker.store.SessionRecord;
import dev.tern.broker.store.Store;
import dev.tern.broker.store.StoreBatch;
import dev.tern.broker.store.SubscriptionRecord;
import dev.tern.broker.store.WillRecord;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.packet.Will;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a persistent session keeps in the durable store: its record (protocol version, expiry, time of
 * disconnect), its subscriptions, a will waiting for its delay, and — through its {@link StoredOutbox}
 * — its queue. One per session while the session outlives its connection; a clean start begins a new
 * incarnation under a new session key, which replaces the old one in the store. Owner loop only.
 */
final class SessionStorage {
    private static final Logger LOG = LoggerFactory.getLogger(SessionStorage.class);

    private final Store store;
    private final String clientId;
    private SessionRecord record;
    private final StoredOutbox outbox;

    private SessionStorage(Store store, String clientId, SessionRecord record, StoredOutbox outbox) {
        this.store = store;
        this.clientId = clientId;
        this.record = record;
        this.outbox = outbox;
    }

    /**
     * A new incarnation of a persistent session: stored before the CONNACK (the future), replacing
     * whatever the store had for the client id.
     */
    static SessionStorage create(Store store, StoredOutbox.Host host, String clientId, MqttVersion version,
                                 long expiryInterval, int window, StoreBatch batch) {
        SessionRecord r = new SessionRecord(clientId, store.newSessionKey(), version, expiryInterval, 0);
        batch.putSession(r);
        StoredOutbox outbox = new StoredOutbox(store, host, clientId,
                new StoredOutbox.Incarnation(r.sessionKey(), 0, 0), 0, window);
        return new SessionStorage(store, clientId, r, outbox);
    }

    /** A session read back at start-up. */
    static SessionStorage recovered(Store store, StoredOutbox.Host host, RecoveredSession rs, int window) {
        SessionRecord r = rs.session();
        return new SessionStorage(store, r.clientId(), r,
                StoredOutbox.recovered(store, host, r.clientId(), r.sessionKey(), rs.queue(), window));
    }

    Store store() {
        return store;
    }

    StoredOutbox outbox() {
        return outbox;
    }

    SessionRecord record() {
        return record;
    }

    /** A connection resumed the session: store its version and expiry (no need to wait). */
    void resumed(MqttVersion version, long expiryInterval) {
        record = new SessionRecord(clientId, record.sessionKey(), version, expiryInterval, 0);
        commit(new StoreBatch().putSession(record), "resume");
    }

    /**
     * The connection went away and the session stays: store when, the expiry in force, and the will
     * if it waits for its delay (or that there is none).
     */
    void disconnected(long expiryInterval, @Nullable Will pendingWill, long willDueAtMillis) {
        record = new SessionRecord(clientId, record.sessionKey(), record.version(), expiryInterval,
                System.currentTimeMillis());
        StoreBatch b = new StoreBatch().putSession(record);
        if (pendingWill != null) {
            b.putWill(clientId, new WillRecord(pendingWill.topic(), pendingWill.payload(), pendingWill.qos(),
                    pendingWill.retain(), pendingWill.properties(), willDueAtMillis));
        } else {
            b.removeWill(clientId);
        }
        commit(b, "disconnect");
    }

    /** The waiting will was published or cancelled. */
    void willDone() {
        commit(new StoreBatch().removeWill(clientId), "will");
    }

    /** The session ends: everything of it leaves the store. */
    void ended() {
        outbox.releaseMemory();
        commit(new StoreBatch().removeSession(clientId), "end");
    }

    /** Stores added and removed subscriptions; SUBACK/UNSUBACK wait for the future. */
    CompletableFuture<Void> subscriptions(List<Subscription> added, List<String> removed) {
        StoreBatch b = new StoreBatch();
        for (Subscription s : added) {
            b.putSubscription(clientId, new SubscriptionRecord(s.filter(), s.qos(), s.noLocal(),
                    s.retainAsPublished(), s.retainHandling(), s.subscriptionIdentifier()));
        }
        for (String f : removed) {
            b.removeSubscription(clientId, f);
        }
        return b.isEmpty() ? CompletableFuture.completedFuture(null) : store.commit(b);
    }

    /**
     * Stores a delivery that reached the session without having been stored by its publisher (a
     * retained message for a new subscription, a will, a shared message handed over); it enters the
     * outbox once stored. On failure it is dropped.
     */
    void storeLate(Delivery d, Runnable dropped, StoredOutbox.Host host) {
        StoredOutbox.Incarnation inc = outbox.incarnation();
        long seq = inc.reserve();
        StoreBatch b = new StoreBatch().enqueue(d.message(), List.of(new QueueTarget(clientId, inc.sessionKey, seq,
                d.qos(), d.retain(), d.subscriptionIdentifiers())));
        store.commit(b).whenComplete((v, error) -> host.execute(() -> {
            if (error == null) {
                outbox.arrived(d, inc.sessionKey, seq);
                outbox.pump();
                SessionConnection c = host.connection();
                if (c != null) {
                    c.flush();
                }
            } else {
                inc.removed();
                d.release();
                dropped.run();
            }
        }));
    }

    private void commit(StoreBatch b, String what) {
        store.commit(b).whenComplete((v, error) -> {
            if (error != null) {
                LOG.warn("Could not store the {} of client {}: {}", what, clientId, error.getMessage());
            }
        });
    }
}
