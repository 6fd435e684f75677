package dev.tern.broker;

import dev.tern.broker.auth.AuthenticationMethod;
import dev.tern.broker.auth.AuthenticationMethods;
import dev.tern.broker.auth.ScramCredentialStore;
import dev.tern.broker.auth.ScramSha256;
import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.config.ListenerConfig;
import dev.tern.broker.connection.BrokerContext;
import dev.tern.broker.listener.MqttServer;
import dev.tern.broker.routing.RetainedStore;
import dev.tern.broker.routing.Router;
import dev.tern.broker.routing.SubscriptionTrie;
import dev.tern.broker.security.BrokerSecurity;
import dev.tern.broker.security.MemoryGuard;
import dev.tern.broker.security.SecurityFileException;
import dev.tern.broker.session.SessionInfo;
import dev.tern.broker.session.SessionRegistry;
import dev.tern.broker.store.RecoveredState;
import dev.tern.broker.store.RocksDbStore;
import dev.tern.broker.store.Store;
import dev.tern.broker.store.StoreBatch;
import dev.tern.broker.store.StoreOpenException;
import dev.tern.broker.sys.BrokerMetrics;
import dev.tern.broker.sys.SysTopicPublisher;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MQTT broker that runs in this JVM. Embeddable, e.g. in a JUnit test:
 *
 * <pre>{@code
 * try (TernBroker broker = TernBroker.builder().port(0).build().start()) {
 *     int port = broker.port();   // the port actually bound
 *     // connect clients to 127.0.0.1:port ...
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops accepting connections, closes the open ones and releases all memory.
 */
public final class TernBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TernBroker.class);
    private static final long RETAINED_SWEEP_SECONDS = 5;

    private final BrokerConfig config;
    private final BrokerMetrics metrics = new BrokerMetrics();
    private final Router router;
    private final SessionRegistry sessions;
    private @Nullable BrokerSecurity security;
    private @Nullable MqttServer server;
    private io.netty.util.concurrent.@Nullable ScheduledFuture<?> certificateWatch;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private @Nullable SysTopicPublisher sysPublisher;
    private @Nullable Store store;

    private @Nullable ScheduledFuture<?> retainedExpirySweep;
    private final AuthenticationMethods authMethods;

    private TernBroker(BrokerConfig config, AuthenticationMethods authMethods) {
        this.config = config;
        this.authMethods = authMethods;
        this.router = new Router(new SubscriptionTrie(), new RetainedStore(), config.upgradeOutgoingQos(),
                config.mqtt5().sharedSubscriptionStrategy());
        this.sessions = new SessionRegistry(config.sessionSettings(), router, metrics);
    }

    /** A builder for a broker with Mosquitto's defaults (loopback, port 1883). */
    public static Builder builder() {
        return new Builder();
    }

    /** The version of this build, e.g. {@code 0.1.0}. */
    public static String version() {
        try (InputStream in = TernBroker.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "dev");
            }
        } catch (IOException e) {
            LOG.debug("no version.properties", e);
        }
        return "dev";
    }

    /**
     * Binds the listeners and starts serving.
     *
     * @return this broker
     * @throws BindException if a listener cannot bind its address
     * @throws IllegalArgumentException if a password, ACL or certificate file, or a plug-in, cannot be
     *                                  used (the message names the file and line)
     * @throws StoreOpenException if persistence is on and the store cannot be opened (damaged, foreign,
     *                            of a newer format, in use or not writable; the message says which)
     */
    public TernBroker start() throws BindException {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        LOG.info("tern version {} starting", version());
        try {
            security = BrokerSecurity.create(config);
            server = new MqttServer(config, new BrokerContext(config, router, sessions, metrics, authMethods), security,
                    MemoryGuard.of(config.security().memoryLimit()));
            // After the security files (a bad one stops the broker before the disk is touched), before the
            // listeners (clients find their sessions).
            openStore(server.workerGroup());
        } catch (SecurityFileException e) {
            close();
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        MqttServer server = this.server;
        try {
            server.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while binding", e);
        } catch (BindException e) {
            close();
            throw e;
        }
        // Retained messages past their Message Expiry Interval are also dropped when a subscription
        // looks them up; the sweep frees the ones nobody asks for.
        retainedExpirySweep = server.workerGroup().next().scheduleWithFixedDelay(router.retained()::removeExpired,
                RETAINED_SWEEP_SECONDS, RETAINED_SWEEP_SECONDS, TimeUnit.SECONDS);
        if (!config.sysInterval().isZero()) {
            sysPublisher = new SysTopicPublisher(router, metrics, version(), sessions::size,
                    sessions::disconnectedCount, () -> router.subscriptions().size());
            sysPublisher.start(server.workerGroup().next(), config.sysInterval());
        }
        long check = config.security().certificateCheckPeriod().toMillis();
        if (check > 0 && config.effectiveListeners().stream().anyMatch(l -> l.tls() != null)) {
            certificateWatch = server.workerGroup().next().scheduleWithFixedDelay(server::reloadChangedCertificates,
                    check, check, TimeUnit.MILLISECONDS);
        }
        LOG.info("tern version {} running", version());
        return this;
    }

    /** Opens the durable store (if persistence is on) and restores what it holds. */
    private void openStore(io.netty.channel.EventLoopGroup loops) {
        var persistence = config.persistence();
        persistence.notices().forEach(n -> LOG.info("{}.", n));
        if (!persistence.enabled(true)) {
            LOG.info("Persistence is off: sessions, queued and retained messages are kept in memory only.");
            return;
        }
        RocksDbStore s = RocksDbStore.open(persistence.storeOptions());
        store = s;
        RecoveredState state = s.recover();
        for (var m : state.retained()) {
            router.retained().update(m);
            m.release();
        }
        sessions.useStore(s);
        sessions.restore(state.sessions(), loops);
        // Retained messages published by the broker itself (wills) are stored too; $SYS ones are not.
        router.retainedListener(m -> {
            if (!m.topic().startsWith("$SYS")) {
                s.commit(m.payloadSize() == 0 ? new StoreBatch().removeRetained(m.topic())
                        : new StoreBatch().putRetained(m));
            }
        });
        LOG.info("Persistence is on: store {} (persistence_sync {}); restored {} sessions with {} queued messages and"
                + " {} retained messages.", s.directory(), s.syncPolicy(), state.sessions().size(),
                state.queuedMessages(), state.retained().size());
    }

    /** The durable store, or null when persistence is off. */
    public @Nullable Store store() {
        return store;
    }

    /**
     * Reloads what Mosquitto reloads on SIGHUP: the password and ACL files, plug-ins and the TLS
     * certificates. Open connections stay; clients whose password file entry went away or changed
     * are disconnected. A file that no longer parses is reported and its previous version kept.
     *
     * @return true if every file reloaded
     */
    public boolean reload() {
        BrokerSecurity s = security;
        MqttServer m = server;
        if (s == null || m == null || closed.get()) {
            return false;
        }
        LOG.info("Reloading password, ACL and certificate files.");
        boolean ok = s.reload();
        m.reloadCertificates();
        m.forEachConnection(c -> c.recheckAfterReload());
        return ok;
    }

    /** The port of the first listener (useful with port 0). */
    public int port() {
        return ports().get(0);
    }

    /** The ports of all listeners, in configuration order. */
    public List<Integer> ports() {
        MqttServer m = server;
        if (m == null) {
            throw new IllegalStateException("not started");
        }
        return m.ports();
    }

    /** The network side (for tests and tools). */
    public MqttServer server() {
        MqttServer m = server;
        if (m == null) {
            throw new IllegalStateException("not started");
        }
        return m;
    }

    /** The settings this broker runs with. */
    public BrokerConfig config() {
        return config;
    }

    /** Live counters (the numbers behind $SYS). */
    public BrokerMetrics metrics() {
        return metrics;
    }

    /** Number of sessions, connected or kept for offline clients. */
    public int sessionCount() {
        return sessions.size();
    }

    /**
     * A snapshot of one client's session (queue and window sizes, subscriptions), or an empty result
     * if the broker has no session for that client id.
     */
    public CompletableFuture<Optional<SessionInfo>> sessionInfo(String clientId) {
        return sessions.info(clientId);
    }

    /** Number of retained messages. */
    public int retainedCount() {
        return router.retained().size();
    }

    /** Number of shared subscriptions (memberships of {@code $share/...} groups). */
    public long sharedSubscriptionCount() {
        return router.shared().memberCount();
    }

    /** Number of subscriptions. */
    public long subscriptionCount() {
        return router.subscriptions().size();
    }

    /** Stops the broker: closes listeners and connections, then releases sessions and retained messages. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.info("tern version {} terminating", version());
        if (sysPublisher != null) {
            sysPublisher.close();
        }
        if (retainedExpirySweep != null) {
            retainedExpirySweep.cancel(false);
        }
        if (certificateWatch != null) {
            certificateWatch.cancel(false);
        }
        try {
            if (server != null) {
                server.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (security != null) {
            security.close();
        }
        sessions.releaseAllAfterShutdown();
        router.retained().clear();
        if (store != null) {
            store.close();
        }
    }

    /** Builds a {@link TernBroker}. */
    public static final class Builder {
        private BrokerConfig config = BrokerConfig.builder().build();
        private @Nullable Integer port;
        private @Nullable String bindAddress;
        private @Nullable Path persistenceDirectory;
        private final List<AuthenticationMethod> authMethods = new ArrayList<>();

        private Builder() {}

        /**
         * Offers an MQTT 5.0 enhanced authentication method (a later one with the same name replaces an
         * earlier one). A client that names it in CONNECT authenticates with it instead of the listener's
         * anonymous rule.
         */
        public Builder authenticationMethod(AuthenticationMethod method) {
            authMethods.add(Objects.requireNonNull(method, "method"));
            return this;
        }

        /** Offers SCRAM-SHA-256 enhanced authentication against these credentials. */
        public Builder scramCredentials(ScramCredentialStore store) {
            return authenticationMethod(new ScramSha256(store));
        }

        /** Uses these settings (default: Mosquitto's defaults). */
        public Builder config(BrokerConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Listens on this port only (0 picks a free one), on 127.0.0.1 unless {@link #bindAddress} says otherwise. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The address for {@link #port}. */
        public Builder bindAddress(String address) {
            this.bindAddress = address;
            return this;
        }

        /**
         * Keeps sessions, queued and retained messages in a durable store in {@code directory} (created if
         * missing). Without this (or {@code persistence true} in the configuration) an embedded broker
         * keeps everything in memory, so that tests leave no files behind; {@code tern broker} persists by
         * default.
         */
        public Builder persistence(Path directory) {
            this.persistenceDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** The broker, not yet started. */
        public TernBroker build() {
            BrokerConfig effective = config;
            if (persistenceDirectory != null) {
                effective = effective.toBuilder().persistence(effective.persistence().withEnabled(true)
                        .withLocation(persistenceDirectory)).build();
            }
            if (port != null) {
                // An embedded broker on one port keeps Mosquitto's anonymous default of the local listener.
                Boolean anonymous = effective.allowAnonymous() != null ? effective.allowAnonymous() : Boolean.TRUE;
                effective = effective.toBuilder().clearListeners()
                        .listener(ListenerConfig.mqtt(port, bindAddress != null ? bindAddress : "127.0.0.1"))
                        .allowAnonymous(anonymous).build();
            }
            return new TernBroker(effective, AuthenticationMethods.of(authMethods));
        }
    }
}
