package dev.tern.broker.config;

import dev.tern.broker.session.SessionSettings;
import dev.tern.codec.MqttPacketDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Every broker setting, immutable. Option names follow mosquitto.conf; see the README's
 * configuration reference. Build one with {@link #builder()} or parse a file with {@link ConfigParser}.
 *
 * @param listeners                  where to listen; empty means the default loopback listener on 1883
 * @param allowAnonymous             global {@code allow_anonymous}, or null for Mosquitto 2's default
 *                                   (true only for the default loopback listener)
 * @param allowZeroLengthClientId    accept an empty client id from clean-session clients (an id is assigned)
 * @param autoIdPrefix               prefix of assigned client ids
 * @param maxInflightMessages        outbound QoS 1/2 messages in flight per client (0 = no limit)
 * @param maxQueuedMessages          messages queued per client beyond those in flight (0 = no limit)
 * @param maxQueuedBytes             payload bytes queued per client (0 = no limit)
 * @param maxPacketSize              largest packet accepted, in bytes (0 = the protocol's limit)
 * @param messageSizeLimit           largest PUBLISH payload accepted, in bytes (0 = no limit)
 * @param maxKeepalive               largest keep-alive a client may ask for, in seconds
 * @param maxQos                     highest QoS granted to subscriptions
 * @param persistentClientExpiration how long an offline persistent session is kept (null = for ever)
 * @param queueQos0Messages          queue QoS 0 messages for offline persistent sessions
 * @param retainAvailable            accept retained messages
 * @param upgradeOutgoingQos         deliver at the subscription's QoS even when the message's is lower
 * @param sysInterval                period of $SYS updates (zero disables them)
 * @param connectTimeout             how long a new connection may take to send CONNECT
 * @param connectionMessages         log connects and disconnects
 * @param maxConnections             connection limit of listeners that set none (-1 = no limit)
 * @param tcpNoDelay                 disable Nagle's algorithm on client sockets
 * @param eventLoopThreads           I/O threads (0 = one per available processor)
 * @param pidFile                    file to write the process id to, or null
 * @param log                        logging settings
 * @param security                   authentication, TLS reloading and resource limits
 * @param mqtt5                      settings of MQTT 5.0 features
 * @param persistence                durable storage ({@code persistence*} options)
 * @param publisherHoldLimit         {@code max_publisher_hold}: how long a client whose queue is above its
 *                                   high-water mark may stop reading from the clients publishing to it
 *                                   (back-pressure); zero turns back-pressure off
 */
public record BrokerConfig(List<ListenerConfig> listeners, @Nullable Boolean allowAnonymous,
                           boolean allowZeroLengthClientId, String autoIdPrefix, int maxInflightMessages,
                           int maxQueuedMessages, long maxQueuedBytes, int maxPacketSize, long messageSizeLimit,
                           int maxKeepalive, int maxQos, @Nullable Duration persistentClientExpiration,
                           boolean queueQos0Messages, boolean retainAvailable, boolean upgradeOutgoingQos,
                           Duration sysInterval, Duration connectTimeout, boolean connectionMessages,
                           int maxConnections, boolean tcpNoDelay, int eventLoopThreads, @Nullable String pidFile, LogSettings log,
                           SecuritySettings security, Mqtt5Config mqtt5,
                           PersistenceSettings persistence, Duration publisherHoldLimit) {

    /** The port of the default listener. */
    public static final int DEFAULT_PORT = 1883;

    public BrokerConfig {
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(autoIdPrefix, "autoIdPrefix");
        Objects.requireNonNull(sysInterval, "sysInterval");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(mqtt5, "mqtt5");
        Objects.requireNonNull(persistence, "persistence");
        Objects.requireNonNull(publisherHoldLimit, "publisherHoldLimit");
    }

    /** A builder with Mosquitto's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.listeners.addAll(listeners);
        b.allowAnonymous = allowAnonymous;
        b.allowZeroLengthClientId = allowZeroLengthClientId;
        b.autoIdPrefix = autoIdPrefix;
        b.maxInflightMessages = maxInflightMessages;
        b.maxQueuedMessages = maxQueuedMessages;
        b.maxQueuedBytes = maxQueuedBytes;
        b.maxPacketSize = maxPacketSize;
        b.messageSizeLimit = messageSizeLimit;
        b.maxKeepalive = maxKeepalive;
        b.maxQos = maxQos;
        b.persistentClientExpiration = persistentClientExpiration;
        b.queueQos0Messages = queueQos0Messages;
        b.retainAvailable = retainAvailable;
        b.upgradeOutgoingQos = upgradeOutgoingQos;
        b.sysInterval = sysInterval;
        b.connectTimeout = connectTimeout;
        b.connectionMessages = connectionMessages;
        b.maxConnections = maxConnections;
        b.tcpNoDelay = tcpNoDelay;
        b.eventLoopThreads = eventLoopThreads;
        b.pidFile = pidFile;
        b.log = log;
        b.security = security;
        b.mqtt5 = mqtt5;
        b.persistence = persistence;
        b.publisherHoldLimit = publisherHoldLimit;
        return b;
    }

    /** The listeners to open: the configured ones, or the default loopback listener. */
    public List<ListenerConfig> effectiveListeners() {
        return listeners.isEmpty() ? List.of(ListenerConfig.mqtt(DEFAULT_PORT, ListenerConfig.LOOPBACK)) : listeners;
    }

    /**
     * Whether a listener admits clients without credentials. Mosquitto 2: an explicit setting wins;
     * otherwise only the default listener (no listener configured, loopback only) does.
     */
    public boolean allowAnonymous(ListenerConfig listener) {
        if (listener.allowAnonymous() != null) {
            return listener.allowAnonymous();
        }
        if (allowAnonymous != null) {
            return allowAnonymous;
        }
        return listeners.isEmpty();
    }

    /**
     * The authentication sources of a listener: its own with {@code per_listener_settings true}
     * (none if it has none), else the broker-wide ones.
     */
    public AuthSettings auth(ListenerConfig listener) {
        if (security.perListenerSettings() && !listeners.isEmpty()) {
            return listener.auth() != null ? listener.auth() : AuthSettings.NONE;
        }
        return security.auth();
    }

    /** A listener's connection limit: its own, else the global one; -1 for none. */
    public int maxConnections(ListenerConfig listener) {
        return listener.maxConnections() != null ? listener.maxConnections() : maxConnections;
    }

    /** The largest packet the decoder accepts. */
    public int effectiveMaxPacketSize() {
        return maxPacketSize == 0 ? MqttPacketDecoder.MAX_PACKET_SIZE : maxPacketSize;
    }

    /** The session-layer subset. */
    public SessionSettings sessionSettings() {
        return new SessionSettings(maxInflightMessages, maxQueuedMessages, maxQueuedBytes, queueQos0Messages,
                persistentClientExpiration);
    }

    /**
     * The Receive Maximum announced to MQTT 5.0 clients: {@code max_inflight_messages} bounds both
     * directions, as in Mosquitto (0 = 65535, the protocol's largest).
     */
    public int receiveMaximum() {
        return maxInflightMessages == 0 ? 65_535 : Math.min(maxInflightMessages, 65_535);
    }

    /** Mutable builder; starts with Mosquitto's defaults. */
    public static final class Builder {
        private final List<ListenerConfig> listeners = new ArrayList<>();
        private @Nullable Boolean allowAnonymous;
        private boolean allowZeroLengthClientId = true;
        private String autoIdPrefix = "auto-";
        private int maxInflightMessages = 256;
        private int maxQueuedMessages = 1000;
        private long maxQueuedBytes;
        private int maxPacketSize;
        private long messageSizeLimit;
        private int maxKeepalive = 65_535;
        private int maxQos = 2;
        private @Nullable Duration persistentClientExpiration;
        private boolean queueQos0Messages;
        private boolean retainAvailable = true;
        private boolean upgradeOutgoingQos;
        private Duration sysInterval = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private boolean connectionMessages = true;
        private int maxConnections = -1;
        private boolean tcpNoDelay = true;
        private int eventLoopThreads;
        private @Nullable String pidFile;
        private LogSettings log = LogSettings.DEFAULT;
        private SecuritySettings security = SecuritySettings.DEFAULT;
        private Mqtt5Config mqtt5 = Mqtt5Config.DEFAULT;
        private PersistenceSettings persistence = PersistenceSettings.DEFAULT;
        private Duration publisherHoldLimit = Duration.ofMillis(500);

        private Builder() {}

        public Builder listener(ListenerConfig listener) { listeners.add(listener); return this; }
        public Builder clearListeners() { listeners.clear(); return this; }
        /** Replaces the last listener (used while parsing per-listener options). */
        Builder replaceLastListener(ListenerConfig listener) { listeners.set(listeners.size() - 1, listener); return this; }
        List<ListenerConfig> listeners() { return listeners; }
        public Builder allowAnonymous(@Nullable Boolean v) { allowAnonymous = v; return this; }
        public Builder allowZeroLengthClientId(boolean v) { allowZeroLengthClientId = v; return this; }
        public Builder autoIdPrefix(String v) { autoIdPrefix = v; return this; }
        public Builder maxInflightMessages(int v) { maxInflightMessages = v; return this; }
        public Builder maxQueuedMessages(int v) { maxQueuedMessages = v; return this; }
        public Builder maxQueuedBytes(long v) { maxQueuedBytes = v; return this; }
        public Builder maxPacketSize(int v) { maxPacketSize = v; return this; }
        public Builder messageSizeLimit(long v) { messageSizeLimit = v; return this; }
        public Builder maxKeepalive(int v) { maxKeepalive = v; return this; }
        public Builder maxQos(int v) { maxQos = v; return this; }
        public Builder persistentClientExpiration(@Nullable Duration v) { persistentClientExpiration = v; return this; }
        public Builder queueQos0Messages(boolean v) { queueQos0Messages = v; return this; }
        public Builder retainAvailable(boolean v) { retainAvailable = v; return this; }
        public Builder upgradeOutgoingQos(boolean v) { upgradeOutgoingQos = v; return this; }
        public Builder sysInterval(Duration v) { sysInterval = v; return this; }
        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
        public Builder connectionMessages(boolean v) { connectionMessages = v; return this; }
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        public Builder tcpNoDelay(boolean v) { tcpNoDelay = v; return this; }
        public Builder eventLoopThreads(int v) { eventLoopThreads = v; return this; }
        public Builder pidFile(@Nullable String v) { pidFile = v; return this; }
        public Builder log(LogSettings v) { log = v; return this; }
        public Builder security(SecuritySettings v) { security = v; return this; }
        SecuritySettings security() { return security; }
        public Builder mqtt5(Mqtt5Config v) { mqtt5 = Objects.requireNonNull(v, "mqtt5"); return this; }
        /** Changes the MQTT 5.0 settings, e.g. {@code b.mqtt5(m -> m.withMaxTopicAlias(0))}. */
        public Builder mqtt5(java.util.function.UnaryOperator<Mqtt5Config> change) { mqtt5 = change.apply(mqtt5); return this; }
        Mqtt5Config mqtt5() { return mqtt5; }
        public Builder persistence(PersistenceSettings v) { persistence = v; return this; }
        PersistenceSettings persistence() { return persistence; }
        public Builder publisherHoldLimit(Duration v) { publisherHoldLimit = Objects.requireNonNull(v); return this; }

        /** The immutable settings. */
        public BrokerConfig build() {
            return new BrokerConfig(listeners, allowAnonymous, allowZeroLengthClientId, autoIdPrefix,
                    maxInflightMessages, maxQueuedMessages, maxQueuedBytes, maxPacketSize, messageSizeLimit,
                    maxKeepalive, maxQos, persistentClientExpiration, queueQos0Messages, retainAvailable,
                    upgradeOutgoingQos, sysInterval, connectTimeout, connectionMessages, maxConnections, tcpNoDelay,
                    eventLoopThreads, pidFile, log, security, mqtt5, persistence, publisherHoldLimit);
        }
    }
}
