package dev.tern.broker.config;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One listener: where it binds, what it speaks and its own limits.
 *
 * @param port           TCP port; 0 picks a free one (tests)
 * @param bindAddress    address to bind, or null for all addresses; {@value #LOOPBACK} binds 127.0.0.1 and ::1
 * @param protocol       {@value #MQTT} (MQTT over TCP) or {@value #WEBSOCKETS} (MQTT over WebSocket)
 * @param maxConnections most simultaneous connections (-1 = no limit), or null for the global setting
 * @param allowAnonymous whether clients without credentials may connect, or null for the default
 * @param tls            TLS settings, or null for a plain listener
 * @param auth           this listener's password file, ACL file and plug-ins (used with
 *                       {@code per_listener_settings true}), or null for none of its own
 * @param httpHeaderSize {@code websockets_headers_size}: largest HTTP upgrade request head, in bytes
 */
public record ListenerConfig(int port, @Nullable String bindAddress, String protocol, @Nullable Integer maxConnections,
                             @Nullable Boolean allowAnonymous, @Nullable TlsSettings tls, @Nullable AuthSettings auth,
                             int httpHeaderSize) {
    /** Binds both loopback addresses, like Mosquitto 2 without a configuration. */
    public static final String LOOPBACK = "localhost";
    /** MQTT over TCP (or TLS). */
    public static final String MQTT = "mqtt";
    /** MQTT over WebSocket (or secure WebSocket). */
    public static final String WEBSOCKETS = "websockets";
    /** Default {@code websockets_headers_size}. */
    public static final int DEFAULT_HTTP_HEADER_SIZE = 8_192;

    public ListenerConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        Objects.requireNonNull(protocol, "protocol");
        if (!protocol.equals(MQTT) && !protocol.equals(WEBSOCKETS)) {
            throw new IllegalArgumentException("protocol must be mqtt or websockets: " + protocol);
        }
    }

    /** A plain listener without TLS or listener-specific security (the pre-TLS form). */
    public ListenerConfig(int port, @Nullable String bindAddress, String protocol, @Nullable Integer maxConnections,
                          @Nullable Boolean allowAnonymous) {
        this(port, bindAddress, protocol, maxConnections, allowAnonymous, null, null, DEFAULT_HTTP_HEADER_SIZE);
    }

    /** A plain MQTT listener on a port and address, without limits. */
    public static ListenerConfig mqtt(int port, @Nullable String bindAddress) {
        return new ListenerConfig(port, bindAddress, MQTT, null, null);
    }

    /** A WebSocket listener on a port and address. */
    public static ListenerConfig websockets(int port, @Nullable String bindAddress) {
        return new ListenerConfig(port, bindAddress, WEBSOCKETS, null, null);
    }

    /** The listener with another port. */
    public ListenerConfig withPort(int newPort) {
        return new ListenerConfig(newPort, bindAddress, protocol, maxConnections, allowAnonymous, tls, auth,
                httpHeaderSize);
    }

    public ListenerConfig withProtocol(String newProtocol) {
        return new ListenerConfig(port, bindAddress, newProtocol, maxConnections, allowAnonymous, tls, auth,
                httpHeaderSize);
    }

    public ListenerConfig withMaxConnections(@Nullable Integer v) {
        return new ListenerConfig(port, bindAddress, protocol, v, allowAnonymous, tls, auth, httpHeaderSize);
    }

    public ListenerConfig withAllowAnonymous(@Nullable Boolean v) {
        return new ListenerConfig(port, bindAddress, protocol, maxConnections, v, tls, auth, httpHeaderSize);
    }

    public ListenerConfig withTls(@Nullable TlsSettings v) {
        return new ListenerConfig(port, bindAddress, protocol, maxConnections, allowAnonymous, v, auth, httpHeaderSize);
    }

    public ListenerConfig withAuth(@Nullable AuthSettings v) {
        return new ListenerConfig(port, bindAddress, protocol, maxConnections, allowAnonymous, tls, v, httpHeaderSize);
    }

    public ListenerConfig withHttpHeaderSize(int v) {
        return new ListenerConfig(port, bindAddress, protocol, maxConnections, allowAnonymous, tls, auth, v);
    }

    /** True for WebSocket listeners. */
    public boolean isWebSocket() {
        return protocol.equals(WEBSOCKETS);
    }

    /** "address:port" for logs. */
    public String describe() {
        return (bindAddress == null ? "*" : bindAddress) + ":" + port;
    }

    /** The URL scheme clients use: mqtt, mqtts, ws or wss. */
    public String scheme() {
        return isWebSocket() ? (tls != null ? "wss" : "ws") : (tls != null ? "mqtts" : "mqtt");
    }
}
