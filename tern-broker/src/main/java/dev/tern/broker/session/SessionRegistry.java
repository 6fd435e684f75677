package dev.tern.broker.session;

import dev.tern.broker.routing.Router;
import dev.tern.broker.sys.BrokerMetrics;
import dev.tern.broker.store.RecoveredSession;
import dev.tern.broker.store.Store;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * All sessions by client identifier. Connecting looks a session up (or creates it) and asks it, on
 * its own event loop, to attach the new connection; a session already attached to another connection
 * closes that one first (take-over, MQTT-3.1.4-2).
 */
public final class SessionRegistry {
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private final SessionSettings settings;
    private final Router router;
    private final BrokerMetrics metrics;
    private volatile @Nullable Store store;

    public SessionRegistry(SessionSettings settings, Router router, BrokerMetrics metrics) {
        this.settings = settings;
        this.router = router;
        this.metrics = metrics;
    }

    /**
     * Attaches a connection to the session of its client id. Completes asynchronously by calling
     * {@link SessionConnection#attached} on the connection's event loop.
     */
    public void connect(ConnectRequest request, SessionConnection connection) {
        Session[] created = new Session[1];
        Session session = sessions.computeIfAbsent(request.clientId(), id -> {
            created[0] = new Session(id, connection.eventLoop(), this, settings, router, metrics);
            return created[0];
        });
        if (session == created[0] && session.ownerLoop().inEventLoop()) {
            // A new session on this loop: nothing can be ahead of the attach in its mailbox, and any
            // later task is drained after it. Attaching directly spares the mailbox, which an idle
            // session then never creates (docs/architecture.md, "Memory per connection").
            session.attach(request, connection);
        } else {
            session.execute(() -> session.attach(request, connection));
        }
    }

    /** Keeps persistent sessions in this durable store from now on (set once, before clients connect). */
    public void useStore(Store durableStore) {
        this.store = durableStore;
    }

    /** The durable store, or null when persistence is off. */
    public @Nullable Store store() {
        return store;
    }

    /**
     * Brings back the persistent sessions read from the store at start-up, offline, each owned by one of
     * the loops in turn; before the broker accepts connections.
     */
    public void restore(List<RecoveredSession> recovered, EventLoopGroup loops) {
        Store s = store;
        if (s == null) {
            throw new IllegalStateException("no store");
        }
        for (RecoveredSession rs : recovered) {
            String id = rs.session().clientId();
            Session session = new Session(id, loops.next(), this, settings, router, metrics);
            // Registered first: restore() schedules the expiry on the owner loop, which for a session
            // that expired while the broker was down runs at once and must find it to remove it.
            sessions.put(id, session);
            session.restore(rs, s);
        }
    }

    /** Forgets a discarded session, unless the id already maps to a newer one. */
    void remove(Session session) {
        sessions.remove(session.clientId(), session);
    }

    /** A snapshot of the session of a client id, or an empty result if there is none. */
    public CompletableFuture<Optional<SessionInfo>> info(String clientId) {
        Session s = sessions.get(clientId);
        return s == null ? CompletableFuture.completedFuture(Optional.empty()) : s.info().thenApply(Optional::of);
    }

    /** Number of sessions, connected or not. */
    public int size() {
        return sessions.size();
    }

    /** Sessions without a connection: persistent sessions kept for an offline client. */
    public int disconnectedCount() {
        return Math.max(0, sessions.size() - metrics.connectedClients());
    }

    /**
     * Releases every session's buffers. Only after the event loops have terminated, when no session
     * can run any more.
     */
    public void releaseAllAfterShutdown() {
        List<Session> all = new ArrayList<>(sessions.values());
        sessions.clear();
        for (Session s : all) {
            s.releaseAfterShutdown();
        }
    }
}
