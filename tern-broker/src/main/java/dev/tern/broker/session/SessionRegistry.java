package dev.tern.broker.session;

import dev.tern.broker.routing.Router;
import dev.tern.broker.sys.BrokerMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

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
        Session session = sessions.computeIfAbsent(request.clientId(),
                id -> new Session(id, connection.eventLoop(), this, settings, router, metrics));
        session.execute(() -> session.attach(request, connection));
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
