package dev.tern.client;

import dev.tern.codec.MqttVersion;
import dev.tern.codec.UserProperty;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Configures a {@link TernClient}. The builder is immutable: every method returns a new builder and
 * leaves this one as it was, so one builder can serve as a template for many clients:
 *
 * <pre>{@code
 * TernClientBuilder base = TernClient.builder().serverUri("mqtt://broker.local").version(MqttVersion.MQTT_5);
 * TernClient a = base.clientId("a").build();
 * TernClient b = base.clientId("b").build();
 * }</pre>
 *
 * <p>Defaults: {@code localhost}, TCP port 1883, MQTT 3.1.1, clean start, keep-alive 60 s, an empty
 * client id (the server assigns one; for MQTT 3.1, which cannot, a random {@code tern-} id is used),
 * no automatic reconnection, at most 1000 unsent publishes queued ({@link OverflowPolicy#FAIL_NEW}),
 * automatic acknowledgement, callbacks on the event loop.
 */
public final class TernClientBuilder {
    String host = "localhost";
    int port = -1;
    Transport transport = Transport.TCP;
    String webSocketPath = "/mqtt";
    String clientId = "";
    MqttVersion version = MqttVersion.MQTT_3_1_1;
    boolean cleanStart = true;
    int keepAliveSeconds = 60;
    @Nullable Duration pingTimeout;
    Duration connectTimeout = Duration.ofSeconds(10);
    @Nullable String username;
    byte @Nullable [] password;
    @Nullable Message will;
    long willDelayInterval;
    long sessionExpiryInterval;
    int receiveMaximum = 65_535;
    long maximumPacketSize;
    int topicAliasMaximum;
    boolean topicAliases = true;
    boolean requestResponseInformation;
    boolean requestProblemInformation = true;
    List<UserProperty> connectUserProperties = List.of();
    @Nullable EnhancedAuthenticator authenticator;
    @Nullable TlsConfig tls;
    @Nullable ReconnectPolicy reconnect;
    boolean resubscribe = true;
    boolean ownSubscriptionIdentifiers = true;
    int maxQueuedMessages = 1000;
    OverflowPolicy overflowPolicy = OverflowPolicy.FAIL_NEW;
    int maxInflight = 65_535;
    boolean manualAcknowledgement;
    @Nullable Executor callbackExecutor;
    @Nullable EventLoopGroup eventLoopGroup;
    @Nullable SessionStore sessionStore;
    @Nullable ConnectionListener connectionListener;
    @Nullable MessageHandler defaultHandler;
    boolean tcpNoDelay = true;
    @Nullable PacketTrace trace;

    TernClientBuilder() {}

    private TernClientBuilder copy() {
        TernClientBuilder b = new TernClientBuilder();
        b.host = host;
        b.port = port;
        b.transport = transport;
        b.webSocketPath = webSocketPath;
        b.clientId = clientId;
        b.version = version;
        b.cleanStart = cleanStart;
        b.keepAliveSeconds = keepAliveSeconds;
        b.pingTimeout = pingTimeout;
        b.connectTimeout = connectTimeout;
        b.username = username;
        b.password = password;
        b.will = will;
        b.willDelayInterval = willDelayInterval;
        b.sessionExpiryInterval = sessionExpiryInterval;
        b.receiveMaximum = receiveMaximum;
        b.maximumPacketSize = maximumPacketSize;
        b.topicAliasMaximum = topicAliasMaximum;
        b.topicAliases = topicAliases;
        b.requestResponseInformation = requestResponseInformation;
        b.requestProblemInformation = requestProblemInformation;
        b.connectUserProperties = connectUserProperties;
        b.authenticator = authenticator;
        b.tls = tls;
        b.reconnect = reconnect;
        b.resubscribe = resubscribe;
        b.ownSubscriptionIdentifiers = ownSubscriptionIdentifiers;
        b.maxQueuedMessages = maxQueuedMessages;
        b.overflowPolicy = overflowPolicy;
        b.maxInflight = maxInflight;
        b.manualAcknowledgement = manualAcknowledgement;
        b.callbackExecutor = callbackExecutor;
        b.eventLoopGroup = eventLoopGroup;
        b.sessionStore = sessionStore;
        b.connectionListener = connectionListener;
        b.defaultHandler = defaultHandler;
        b.tcpNoDelay = tcpNoDelay;
        b.trace = trace;
        return b;
    }

    /** The server's host name or address. */
    public TernClientBuilder serverHost(String value) {
        TernClientBuilder b = copy();
        b.host = Objects.requireNonNull(value);
        return b;
    }

    /** The server's port; by default the transport's ({@link Transport#defaultPort()}). */
    public TernClientBuilder serverPort(int value) {
        if (value < 1 || value > 65_535) {
            throw new IllegalArgumentException("port must be 1..65535: " + value);
        }
        TernClientBuilder b = copy();
        b.port = value;
        return b;
    }

    /** The transport. TLS transports use {@link #tls(TlsConfig)}, or the JVM's trust store if none is set. */
    public TernClientBuilder transport(Transport value) {
        TernClientBuilder b = copy();
        b.transport = Objects.requireNonNull(value);
        return b;
    }

    /** The HTTP path of the WebSocket transports; {@code /mqtt} by default. */
    public TernClientBuilder webSocketPath(String value) {
        TernClientBuilder b = copy();
        b.webSocketPath = value.startsWith("/") ? value : "/" + value;
        return b;
    }

    /**
     * Host, port, transport and credentials from a URI: {@code mqtt://[user[:password]@]host[:port]},
     * {@code mqtts://...}, {@code ws://host[:port][/path]}, {@code wss://...}.
     *
     * @throws IllegalArgumentException if the URI cannot be parsed or has another scheme
     */
    public TernClientBuilder serverUri(String uri) {
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid server URI '" + uri + "': " + e.getReason());
        }
        if (u.getScheme() == null || u.getHost() == null) {
            throw new IllegalArgumentException("invalid server URI '" + uri + "': expected scheme://host[:port]");
        }
        TernClientBuilder b = copy();
        b.transport = Transport.ofScheme(u.getScheme());
        b.host = u.getHost().startsWith("[") ? u.getHost().substring(1, u.getHost().length() - 1) : u.getHost();
        b.port = u.getPort();
        if (b.transport.isWebSocket() && u.getRawPath() != null && !u.getRawPath().isEmpty()) {
            b.webSocketPath = u.getRawPath();
        }
        if (u.getRawUserInfo() != null) {
            String info = u.getUserInfo();
            int colon = info.indexOf(':');
            b.username = colon < 0 ? info : info.substring(0, colon);
            b.password = colon < 0 ? null : info.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        }
        return b;
    }

    /** The client identifier; empty (the default) lets the server assign one. */
    public TernClientBuilder clientId(String value) {
        TernClientBuilder b = copy();
        b.clientId = Objects.requireNonNull(value);
        return b;
    }

    /** The protocol version. */
    public TernClientBuilder version(MqttVersion value) {
        TernClientBuilder b = copy();
        b.version = Objects.requireNonNull(value);
        return b;
    }

    /**
     * Clean Session (3.x) / Clean Start (5.0) of the first connection. Automatic reconnections of a
     * client with a session that outlives the connection (3.x clean session off, 5.0 session expiry
     * above 0) never clean the session.
     */
    public TernClientBuilder cleanStart(boolean value) {
        TernClientBuilder b = copy();
        b.cleanStart = value;
        return b;
    }

    /** Keep-alive interval; 0 switches keep-alive off. A 5.0 server may set another (Server Keep Alive). */
    public TernClientBuilder keepAlive(Duration value) {
        long s = value.toSeconds();
        if (s < 0 || s > 65_535) {
            throw new IllegalArgumentException("keep-alive must be 0..65535 seconds: " + value);
        }
        TernClientBuilder b = copy();
        b.keepAliveSeconds = (int) s;
        return b;
    }

    /** Keep-alive interval in seconds (0..65535). */
    public TernClientBuilder keepAliveSeconds(int seconds) {
        return keepAlive(Duration.ofSeconds(seconds));
    }

    /**
     * How long to wait for PINGRESP before the connection counts as lost; by default the keep-alive
     * interval.
     */
    public TernClientBuilder pingTimeout(Duration value) {
        TernClientBuilder b = copy();
        b.pingTimeout = value;
        return b;
    }

    /** Limit for the TCP/TLS/WebSocket connection plus CONNACK; 10 s by default. */
    public TernClientBuilder connectTimeout(Duration value) {
        TernClientBuilder b = copy();
        b.connectTimeout = value;
        return b;
    }

    /** User name and password (the password may be null: user name only). */
    public TernClientBuilder credentials(@Nullable String user, @Nullable String pass) {
        return credentials(user, pass == null ? null : pass.getBytes(StandardCharsets.UTF_8));
    }

    /** User name and binary password. MQTT 3.x cannot send a password without a user name. */
    public TernClientBuilder credentials(@Nullable String user, byte @Nullable [] pass) {
        TernClientBuilder b = copy();
        b.username = user;
        b.password = pass == null ? null : pass.clone();
        return b;
    }

    /** The last will, published by the server if the connection ends without DISCONNECT. */
    public TernClientBuilder will(@Nullable Message value) {
        TernClientBuilder b = copy();
        b.will = value;
        return b;
    }

    /** 5.0 Will Delay Interval in seconds. */
    public TernClientBuilder willDelayInterval(long seconds) {
        TernClientBuilder b = copy();
        b.willDelayInterval = checkU32(seconds, "will delay interval");
        return b;
    }

    /** 5.0 Session Expiry Interval in seconds; 0xFFFFFFFF never expires. */
    public TernClientBuilder sessionExpiryInterval(long seconds) {
        TernClientBuilder b = copy();
        b.sessionExpiryInterval = checkU32(seconds, "session expiry interval");
        return b;
    }

    /** 5.0 Receive Maximum: QoS 1/2 messages the server may send unacknowledged (1..65535). */
    public TernClientBuilder receiveMaximum(int value) {
        if (value < 1 || value > 65_535) {
            throw new IllegalArgumentException("receive maximum must be 1..65535: " + value);
        }
        TernClientBuilder b = copy();
        b.receiveMaximum = value;
        return b;
    }

    /** 5.0 Maximum Packet Size the client accepts; 0 for the protocol limit. */
    public TernClientBuilder maximumPacketSize(long value) {
        TernClientBuilder b = copy();
        b.maximumPacketSize = checkU32(value, "maximum packet size");
        return b;
    }

    /** 5.0 Topic Alias Maximum: aliases the server may use towards this client (0..65535). */
    public TernClientBuilder topicAliasMaximum(int value) {
        if (value < 0 || value > 65_535) {
            throw new IllegalArgumentException("topic alias maximum must be 0..65535: " + value);
        }
        TernClientBuilder b = copy();
        b.topicAliasMaximum = value;
        return b;
    }

    /** 5.0: replace repeated topic names by aliases, up to the server's Topic Alias Maximum (on by default). */
    public TernClientBuilder topicAliases(boolean value) {
        TernClientBuilder b = copy();
        b.topicAliases = value;
        return b;
    }

    /** 5.0 Request Response Information. */
    public TernClientBuilder requestResponseInformation(boolean value) {
        TernClientBuilder b = copy();
        b.requestResponseInformation = value;
        return b;
    }

    /** 5.0 Request Problem Information (on by default, as in the specification). */
    public TernClientBuilder requestProblemInformation(boolean value) {
        TernClientBuilder b = copy();
        b.requestProblemInformation = value;
        return b;
    }

    /** Adds a 5.0 User Property to CONNECT. */
    public TernClientBuilder connectUserProperty(String name, String value) {
        TernClientBuilder b = copy();
        List<UserProperty> list = new ArrayList<>(connectUserProperties);
        list.add(new UserProperty(name, value));
        b.connectUserProperties = List.copyOf(list);
        return b;
    }

    /** 5.0 enhanced authentication. */
    public TernClientBuilder enhancedAuthentication(@Nullable EnhancedAuthenticator value) {
        TernClientBuilder b = copy();
        b.authenticator = value;
        return b;
    }

    /** TLS settings; also switches TCP to TLS and WebSocket to secure WebSocket. */
    public TernClientBuilder tls(@Nullable TlsConfig value) {
        TernClientBuilder b = copy();
        b.tls = value;
        if (value != null) {
            b.transport = switch (transport) {
                case TCP -> Transport.TLS;
                case WEBSOCKET -> Transport.SECURE_WEBSOCKET;
                default -> transport;
            };
        }
        return b;
    }

    /** Reconnect automatically after a lost connection (null: never, the default). */
    public TernClientBuilder automaticReconnect(@Nullable ReconnectPolicy value) {
        TernClientBuilder b = copy();
        b.reconnect = value;
        return b;
    }

    /** Subscribe again after a reconnection on which the server had not kept the session (on by default). */
    public TernClientBuilder resubscribe(boolean value) {
        TernClientBuilder b = copy();
        b.resubscribe = value;
        return b;
    }

    /**
     * Bound of the queue of publishes not yet sent (while offline, or while the in-flight window is
     * full) and what happens when it is full.
     */
    public TernClientBuilder messageQueue(int maxMessages, OverflowPolicy policy) {
        if (maxMessages < 0) {
            throw new IllegalArgumentException("queue bound must be >= 0: " + maxMessages);
        }
        TernClientBuilder b = copy();
        b.maxQueuedMessages = maxMessages;
        b.overflowPolicy = Objects.requireNonNull(policy);
        return b;
    }

    /** The client's own cap on outbound QoS 1/2 messages in flight; the server's Receive Maximum also applies. */
    public TernClientBuilder maxInflight(int value) {
        if (value < 1 || value > 65_535) {
            throw new IllegalArgumentException("max in-flight must be 1..65535: " + value);
        }
        TernClientBuilder b = copy();
        b.maxInflight = value;
        return b;
    }

    /** Acknowledge received QoS 1/2 messages only on {@link Message#acknowledge()}. */
    public TernClientBuilder manualAcknowledgement(boolean value) {
        TernClientBuilder b = copy();
        b.manualAcknowledgement = value;
        return b;
    }

    /** Run message handlers and listeners on this executor (one at a time, in order) instead of the event loop. */
    public TernClientBuilder callbackExecutor(@Nullable Executor value) {
        TernClientBuilder b = copy();
        b.callbackExecutor = value;
        return b;
    }

    /** Netty event loops to run on; by default a shared group of daemon threads, one per CPU. */
    public TernClientBuilder eventLoopGroup(@Nullable EventLoopGroup value) {
        TernClientBuilder b = copy();
        b.eventLoopGroup = value;
        return b;
    }

    /** Where session state survives restarts, e.g. {@link FileSessionStore}; by default memory. */
    public TernClientBuilder sessionStore(@Nullable SessionStore value) {
        TernClientBuilder b = copy();
        b.sessionStore = value;
        return b;
    }

    /** Told about connections and disconnections. */
    public TernClientBuilder connectionListener(@Nullable ConnectionListener value) {
        TernClientBuilder b = copy();
        b.connectionListener = value;
        return b;
    }

    /**
     * MQTT 5.0: whether the client adds a Subscription Identifier of its own to a SUBSCRIBE that has
     * none (on by default), so that a message matching overlapping filters reaches exactly the
     * handlers of the subscriptions the server names. Received messages then carry that identifier
     * in {@link Message#properties()}. Off: SUBSCRIBE carries only the identifiers given, and
     * messages are routed by matching their topic against the filters.
     */
    public TernClientBuilder ownSubscriptionIdentifiers(boolean value) {
        TernClientBuilder b = copy();
        b.ownSubscriptionIdentifiers = value;
        return b;
    }

    /** Receives messages that match none of this client's subscriptions (e.g. from a resumed session). */
    public TernClientBuilder defaultHandler(@Nullable MessageHandler value) {
        TernClientBuilder b = copy();
        b.defaultHandler = value;
        return b;
    }

    /** TCP_NODELAY (on by default: latency over batching). */
    public TernClientBuilder tcpNoDelay(boolean value) {
        TernClientBuilder b = copy();
        b.tcpNoDelay = value;
        return b;
    }

    /** Sees every packet sent and received, e.g. for a debug log like mosquitto's {@code -d}. */
    public TernClientBuilder packetTrace(@Nullable PacketTrace value) {
        TernClientBuilder b = copy();
        b.trace = value;
        return b;
    }

    /** Builds the client (not yet connected). */
    public TernClient build() {
        if (version != MqttVersion.MQTT_5 && username == null && password != null) {
            throw new IllegalArgumentException("MQTT 3.x cannot send a password without a user name [MQTT-3.1.2-22]");
        }
        if (clientId.isEmpty() && !cleanStart && version != MqttVersion.MQTT_5) {
            throw new IllegalArgumentException("an empty client id needs a clean session [MQTT-3.1.3-7]");
        }
        if (version != MqttVersion.MQTT_5 && authenticator != null) {
            throw new IllegalArgumentException("enhanced authentication needs MQTT 5.0");
        }
        if (will != null && Message.checkTopicName(will.topic()) != null) {
            throw new IllegalArgumentException("invalid will topic: " + will.topic());
        }
        return new TernClient(copy());
    }

    /** Builds the client and returns its blocking facade. */
    public BlockingClient buildBlocking() {
        return build().toBlocking();
    }

    int effectivePort() {
        return port > 0 ? port : transport.defaultPort();
    }

    /** The host and port, e.g. {@code ws://host:80/mqtt}, for messages. */
    String describeServer() {
        return transport.scheme() + "://" + host + ":" + effectivePort() + (transport.isWebSocket() ? webSocketPath : "");
    }

    private static long checkU32(long v, String what) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(what + " must be 0..4294967295: " + v);
        }
        return v;
    }
}
